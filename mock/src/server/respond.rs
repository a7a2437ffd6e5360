//! The handlers: the export operation (faults, validation, planning, the streamed
//! body and its headers), and the FastAPI-style 404 and 405 of every other request.
//!
//! Invariant: every request is recorded before it is answered, and consumes exactly one
//! queued fault if it reaches the export route; a status fault answers before any check.

use std::sync::Arc;
use std::time::Duration;

use axum::body::{to_bytes, Body};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use bytes::Bytes;
use serde_json::{json, Value};
use tokio::sync::watch;

use super::auth::{check_auth, unauthorized, AuthOutcome};
use super::body::{parse_body, ParsedBody};
use super::listener::ConnHandle;
use super::{json_response, lock, path_param, prepare, rejection_response, Shared};
use crate::encoding::negotiate;
use crate::query::Order;
use crate::stream::{body_stream, render_chunks, ConnState, Renderer, Source, StreamFault, Wire};
use crate::validate::ExportFormat;
use crate::{Fault, RecordedRequest};

/// Largest request body the mock reads (bigger bodies get a 413).
const MAX_BODY: usize = 16 * 1024 * 1024;

pub(super) fn status_fault_response(
    status: u16,
    retry_after: Option<&str>,
    body: Option<&str>,
    content_type: Option<&str>,
) -> Response {
    let code = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = match body {
        Some(b) => b.to_string(),
        None => json!({ "detail": code.canonical_reason().unwrap_or("Error") }).to_string(),
    };
    let mut r = Response::new(Body::from(body));
    *r.status_mut() = code;
    let ct = content_type.unwrap_or("application/json");
    if let Ok(v) = HeaderValue::from_str(ct) {
        r.headers_mut().insert(header::CONTENT_TYPE, v);
    }
    if let Some(ra) = retry_after.and_then(|ra| HeaderValue::from_str(ra).ok()) {
        r.headers_mut().insert(header::RETRY_AFTER, ra);
    }
    r
}

pub(super) async fn sleep_or_shutdown(d: Duration, shutdown: &watch::Receiver<bool>) {
    let mut rx = shutdown.clone();
    tokio::select! {
        _ = tokio::time::sleep(d) => {}
        _ = rx.wait_for(|v| *v) => {}
    }
}

pub(super) async fn export_handler(
    State(sh): State<Arc<Shared>>,
    ConnectInfo(conn): ConnectInfo<ConnHandle>,
    req: Request,
) -> Response {
    let (parts, body) = req.into_parts();
    let (bytes, too_large) = match to_bytes(body, MAX_BODY).await {
        Ok(b) => (b, false),
        Err(_) => (Bytes::new(), true),
    };
    let parsed = parse_body(&parts.headers, &bytes);
    let fault = lock(&sh.faults).pop_front();
    let body = match &parsed {
        ParsedBody::Json(v) => v.clone(),
        _ => Value::Null,
    };
    let recorded = RecordedRequest::from_parts(&parts, body, bytes.clone(), fault.clone(), 0);
    let idx = {
        let mut reqs = lock(&sh.requests);
        reqs.push(recorded);
        reqs.len() - 1
    };
    let resp = if too_large {
        json_response(413, &json!({ "detail": "Request body too large" }))
    } else {
        respond(
            &sh,
            conn.0,
            parts.uri.path(),
            parts.uri.query(),
            &parts.headers,
            parsed,
            fault,
        )
        .await
    };
    if let Some(r) = lock(&sh.requests).get_mut(idx) {
        r.status = resp.status().as_u16();
    }
    resp
}

pub(super) async fn respond(
    sh: &Arc<Shared>,
    conn: Arc<ConnState>,
    path: &str,
    query: Option<&str>,
    headers: &HeaderMap,
    parsed: ParsedBody,
    fault: Option<Fault>,
) -> Response {
    let mut stream_fault = StreamFault::None;
    let mut malformed_at = None;
    let mut declared_len = None;
    match fault {
        None | Some(Fault::None) => {}
        Some(Fault::Status {
            status,
            retry_after,
            body,
            content_type,
        }) => {
            return status_fault_response(
                status,
                retry_after.as_deref(),
                body.as_deref(),
                content_type.as_deref(),
            )
        }
        Some(Fault::Delay(d)) => sleep_or_shutdown(d, &sh.shutdown).await,
        Some(Fault::CutAfter(n)) => stream_fault = StreamFault::CutAfter(n),
        Some(Fault::ShortBody { sent, declared }) => {
            let declared = declared.max(1);
            stream_fault = StreamFault::ShortBody(sent.min(declared - 1));
            declared_len = Some(declared);
        }
        Some(Fault::StallAfter {
            bytes,
            resume_after,
        }) => stream_fault = StreamFault::StallAfter(bytes, resume_after),
        Some(Fault::SlowDrip { chunk_size, delay }) => {
            stream_fault = StreamFault::SlowDrip(chunk_size, delay)
        }
        Some(Fault::MalformedLine(k)) => malformed_at = Some(k),
    }

    let body = match parsed {
        ParsedBody::Invalid { pos, error } => {
            return json_response(
                422,
                &json!({ "detail": [{
                    "type": "json_invalid",
                    "loc": ["body", pos],
                    "msg": "JSON decode error",
                    "input": {},
                    "ctx": { "error": error },
                }]}),
            )
        }
        ParsedBody::Empty => None,
        ParsedBody::Json(v) | ParsedBody::Other(v) => Some(v),
    };
    match check_auth(headers, query, &sh.auth) {
        AuthOutcome::Ok => {}
        AuthOutcome::Missing => return unauthorized("Not authenticated"),
        AuthOutcome::Invalid => return unauthorized("Could not validate credentials"),
    }
    let project_raw = path_param(sh.op_path, path, "project_id");
    let mut plan = match prepare(&sh.ds, project_raw, body.as_ref()) {
        Ok(p) => p,
        Err(r) => return rejection_response(&r),
    };
    if matches!(plan.order, Order::Pending(..)) {
        let ds = Arc::clone(&sh.ds);
        plan = match tokio::task::spawn_blocking(move || {
            plan.materialize(&ds);
            plan
        })
        .await
        {
            Ok(p) => p,
            Err(_) => {
                return json_response(500, &json!({ "detail": "Internal Server Error" }));
            }
        };
    }
    let format = plan.format;
    let file_name = plan.file_name.clone();
    let cacheable = sh.prerender
        && malformed_at.is_none()
        && plan.is_plain_native()
        && format == ExportFormat::Jsonl;
    let key = (plan.root, plan.redact);
    let plan = Arc::new(plan);
    let source = if cacheable {
        let cached = lock(&sh.cache).get(&key).cloned();
        let chunks = match cached {
            Some(c) => c,
            None => {
                let ds = Arc::clone(&sh.ds);
                let p = Arc::clone(&plan);
                match tokio::task::spawn_blocking(move || render_chunks(ds, p)).await {
                    Ok(c) => {
                        let c = Arc::new(c);
                        lock(&sh.cache).insert(key, Arc::clone(&c));
                        c
                    }
                    Err(_) => {
                        return json_response(500, &json!({ "detail": "Internal Server Error" }))
                    }
                }
            }
        };
        Source::Cached { chunks, next: 0 }
    } else {
        Source::Render(Box::new(Renderer::new(
            Arc::clone(&sh.ds),
            plan,
            malformed_at,
        )))
    };
    let accept = headers
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok());
    let wire = Wire {
        coding: negotiate(accept, &sh.content_codings),
        rate_limit: sh.rate_limit,
    };
    let stream = body_stream(source, stream_fault, wire, sh.shutdown.clone(), conn);
    let mut resp = Response::new(Body::from_stream(stream));
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, sh.content_type.header_value(format));
    h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    match wire.coding {
        Some(coding) => {
            // The compressed length is not known in advance: chunked (a short body is
            // then a compressed stream without its end).
            h.insert(
                header::CONTENT_ENCODING,
                HeaderValue::from_static(coding.token()),
            );
        }
        None => {
            if let Some(len) = declared_len {
                h.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
            }
        }
    }
    if let Some(name) = file_name {
        let ext = match format {
            ExportFormat::Csv => "csv",
            ExportFormat::Jsonl => "jsonl",
        };
        let v = format!(
            "attachment; filename=\"{}.{ext}\"",
            name.replace(['"', '\\'], "_")
        );
        if let Ok(v) = HeaderValue::from_str(&v) {
            h.insert(header::CONTENT_DISPOSITION, v);
        }
    }
    resp
}

pub(super) async fn not_found(State(sh): State<Arc<Shared>>, req: Request) -> Response {
    record_plain(&sh, req, 404).await;
    json_response(404, &json!({ "detail": "Not Found" }))
}

pub(super) async fn method_not_allowed(State(sh): State<Arc<Shared>>, req: Request) -> Response {
    record_plain(&sh, req, 405).await;
    let mut r = json_response(405, &json!({ "detail": "Method Not Allowed" }));
    if let Ok(v) = HeaderValue::from_str(sh.op_method.as_str()) {
        r.headers_mut().insert(header::ALLOW, v);
    }
    r
}

pub(super) async fn record_plain(sh: &Shared, req: Request, status: u16) {
    let (parts, body) = req.into_parts();
    let raw_body = to_bytes(body, MAX_BODY).await.unwrap_or_default();
    let body = serde_json::from_slice(&raw_body).unwrap_or(Value::Null);
    lock(&sh.requests).push(RecordedRequest::from_parts(
        &parts, body, raw_body, None, status,
    ));
}
