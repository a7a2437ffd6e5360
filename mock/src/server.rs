//! The axum application, request handling and server lifecycle.

use std::collections::{HashMap, VecDeque};
use std::future::IntoFuture;
use std::net::{Ipv4Addr, SocketAddr};
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{to_bytes, Body};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::Response;
use axum::routing::{on, MethodFilter};
use axum::serve::Listener;
use axum::Router;
use bytes::Bytes;
use serde_json::{json, Value};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{oneshot, watch};

use super::data::{Dataset, RootType};
use super::encoding::{negotiate, ContentCoding};
use super::query::{self, Order, Plan};
use super::stream::{body_stream, render_chunks, ConnState, Renderer, Source, StreamFault, Wire};
use super::validate::{self, Errors, ExportFormat};
use super::{Fault, MockError, RecordedRequest, Rejection, ResponseContentType};
use galileo_export::spec;

/// Largest request body the mock reads (bigger bodies get a 413).
const MAX_BODY: usize = 16 * 1024 * 1024;

/// Expected credentials.
#[derive(Clone, Debug)]
pub(crate) struct AuthConfig {
    pub required: bool,
    pub api_key: String,
    pub bearer: String,
    pub basic: (String, String),
}

/// Pre-rendered chunks of one export.
pub(crate) type ChunkCache = Arc<Vec<Bytes>>;

/// State shared by the handler and the [`super::MockServer`] handle.
pub(crate) struct Shared {
    pub ds: Arc<Dataset>,
    pub auth: AuthConfig,
    pub content_type: ResponseContentType,
    pub prerender: bool,
    pub cache: Mutex<HashMap<(RootType, bool), ChunkCache>>,
    pub faults: Mutex<VecDeque<Fault>>,
    pub requests: Mutex<Vec<RecordedRequest>>,
    pub shutdown: watch::Receiver<bool>,
    pub op_path: &'static str,
    pub op_method: Method,
    /// Codings export bodies may be compressed with, in order of preference.
    pub content_codings: Vec<ContentCoding>,
    /// Wire bytes per second of each export body.
    pub rate_limit: Option<u64>,
}

/// Connection info handed to handlers: the connection's [`ConnState`].
#[derive(Clone, Debug, Default)]
pub(crate) struct ConnHandle(pub Arc<ConnState>);

impl axum::extract::connect_info::Connected<axum::serve::IncomingStream<'_, TrackingListener>>
    for ConnHandle
{
    fn connect_info(stream: axum::serve::IncomingStream<'_, TrackingListener>) -> Self {
        stream.remote_addr().clone()
    }
}

/// A TCP listener whose connections track whether hyper's writes have been
/// flushed, so a fault can abort a connection only after the bytes it meant
/// to deliver have reached the kernel.
pub(crate) struct TrackingListener(TcpListener);

impl Listener for TrackingListener {
    type Io = TrackedStream;
    type Addr = ConnHandle;

    async fn accept(&mut self) -> (TrackedStream, ConnHandle) {
        loop {
            match self.0.accept().await {
                Ok((tcp, _)) => {
                    let _ = tcp.set_nodelay(true);
                    let state = Arc::new(ConnState::default());
                    return (
                        TrackedStream {
                            tcp,
                            state: Arc::clone(&state),
                        },
                        ConnHandle(state),
                    );
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
            }
        }
    }

    fn local_addr(&self) -> std::io::Result<ConnHandle> {
        Ok(ConnHandle::default())
    }
}

/// A `TcpStream` that records write/flush activity in its [`ConnState`].
pub(crate) struct TrackedStream {
    tcp: TcpStream,
    state: Arc<ConnState>,
}

impl AsyncRead for TrackedStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.tcp).poll_read(cx, buf)
    }
}

impl AsyncWrite for TrackedStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        self.state.mark_written();
        Pin::new(&mut self.tcp).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        self.state.mark_written();
        Pin::new(&mut self.tcp).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.tcp.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        let r = Pin::new(&mut self.tcp).poll_flush(cx);
        if let Poll::Ready(Ok(())) = r {
            self.state.mark_flushed();
        }
        r
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.tcp).poll_shutdown(cx)
    }
}

/// Locks a mutex, ignoring poisoning (a panicking test thread must not take
/// the server down with it).
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The spec operation the mock serves: path template and method.
pub(crate) fn export_operation() -> Result<(&'static str, Method), MockError> {
    let op = spec::operation("export_records").ok_or(MockError::MissingOperation)?;
    let method = Method::from_bytes(op.method.to_ascii_uppercase().as_bytes())
        .map_err(|_| MockError::UnsupportedMethod(op.method.to_string()))?;
    Ok((op.path, method))
}

/// Substitutes `{project_id}` (and any other `{param}`) in the template.
pub(crate) fn fill_path(template: &str, project_id: &str) -> String {
    let mut out = String::with_capacity(template.len() + 36);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        match rest[open..].find('}') {
            Some(close) => {
                out.push_str(project_id);
                rest = &rest[open + close + 1..];
            }
            None => {
                out.push_str(&rest[open..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// Extracts the raw value of `{name}` from `path` given the route template.
fn path_param<'p>(template: &str, path: &'p str, name: &str) -> Option<&'p str> {
    let want = format!("{{{name}}}");
    template
        .split('/')
        .zip(path.split('/'))
        .find(|(t, _)| *t == want)
        .map(|(_, p)| p)
}

fn json_response(status: u16, body: &Value) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut resp = Response::new(Body::from(body.to_string()));
    *resp.status_mut() = status;
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    resp
}

fn rejection_response(r: &Rejection) -> Response {
    json_response(r.status, &r.body)
}

fn standard_base64(input: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(input.len().div_ceil(3) * 4);
    for chunk in input.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (b[0] as u32) << 16 | (b[1] as u32) << 8 | b[2] as u32;
        out.push(ALPHABET[(n >> 18) as usize & 63] as char);
        out.push(ALPHABET[(n >> 12) as usize & 63] as char);
        out.push(if chunk.len() > 1 {
            ALPHABET[(n >> 6) as usize & 63] as char
        } else {
            '='
        });
        out.push(if chunk.len() > 2 {
            ALPHABET[n as usize & 63] as char
        } else {
            '='
        });
    }
    out
}

enum AuthOutcome {
    Ok,
    Missing,
    Invalid,
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        match b[i] {
            b'%' if i + 2 < b.len() => match (hex(b[i + 1]), hex(b[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push((h * 16 + l) as u8);
                    i += 3;
                    continue;
                }
                _ => out.push(b'%'),
            },
            b'+' => out.push(b' '),
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Accepts the spec's API-key header (or query parameter), `Authorization: Bearer`, or HTTP Basic,
/// each only if the spec declares that scheme.
fn check_auth(headers: &HeaderMap, query: Option<&str>, a: &AuthConfig) -> AuthOutcome {
    let schemes_declared = spec::security::API_KEY_HEADER.is_some()
        || spec::security::API_KEY_QUERY.is_some()
        || spec::security::BEARER
        || spec::security::BASIC;
    if !a.required || !schemes_declared {
        return AuthOutcome::Ok;
    }
    let mut presented = false;
    if let (Some(name), Some(query)) = (spec::security::API_KEY_QUERY, query) {
        for pair in query.split('&') {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            if k == name {
                presented = true;
                if percent_decode(v) == a.api_key {
                    return AuthOutcome::Ok;
                }
            }
        }
    }
    if let Some(name) = spec::security::API_KEY_HEADER {
        if let Some(v) = headers.get(name) {
            presented = true;
            if v.as_bytes() == a.api_key.as_bytes() {
                return AuthOutcome::Ok;
            }
        }
    }
    for v in headers.get_all(header::AUTHORIZATION) {
        let Ok(v) = v.to_str() else {
            presented = true;
            continue;
        };
        let (scheme, rest) = v.trim().split_once(' ').unwrap_or((v.trim(), ""));
        let rest = rest.trim();
        if spec::security::BEARER && scheme.eq_ignore_ascii_case("bearer") {
            presented = true;
            if rest == a.bearer {
                return AuthOutcome::Ok;
            }
        } else if spec::security::BASIC && scheme.eq_ignore_ascii_case("basic") {
            presented = true;
            let expected = standard_base64(format!("{}:{}", a.basic.0, a.basic.1).as_bytes());
            if rest == expected {
                return AuthOutcome::Ok;
            }
        }
    }
    if presented {
        AuthOutcome::Invalid
    } else {
        AuthOutcome::Missing
    }
}

fn unauthorized(detail: &str) -> Response {
    let mut r = json_response(401, &json!({ "detail": detail }));
    let scheme = if spec::security::BEARER {
        "Bearer"
    } else if spec::security::BASIC {
        "Basic"
    } else {
        "APIKey"
    };
    r.headers_mut()
        .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static(scheme));
    r
}

/// The request body as FastAPI sees it.
pub(crate) enum ParsedBody {
    /// No body bytes: the body parameter is missing.
    Empty,
    /// A JSON document.
    Json(Value),
    /// JSON content type (or none) but not JSON: `json_invalid`.
    Invalid { pos: usize, error: String },
    /// A non-JSON content type: validated as a (non-object) string.
    Other(Value),
}

fn parse_body(headers: &HeaderMap, bytes: &[u8]) -> ParsedBody {
    if bytes.is_empty() {
        return ParsedBody::Empty;
    }
    let is_json = match headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    {
        None => true,
        Some(ct) => {
            let mime = ct
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase();
            match mime.split_once('/') {
                Some(("application", sub)) => sub == "json" || sub.ends_with("+json"),
                _ => false,
            }
        }
    };
    if !is_json {
        return ParsedBody::Other(Value::String(String::from_utf8_lossy(bytes).into_owned()));
    }
    match serde_json::from_slice::<Value>(bytes) {
        Ok(v) => ParsedBody::Json(v),
        Err(e) => {
            // Byte offset from serde's 1-based line/column.
            let mut pos = 0usize;
            for (i, line) in bytes.split(|&b| b == b'\n').enumerate() {
                if i + 1 == e.line() {
                    pos += e.column().saturating_sub(1);
                    break;
                }
                pos += line.len() + 1;
            }
            let full = e.to_string();
            let error = match full.find(" at line ") {
                Some(i) => full[..i].to_string(),
                None => full,
            };
            ParsedBody::Invalid { pos, error }
        }
    }
}

/// Validation + planning shared by the handler and the expectation helpers:
/// 404 for a foreign project, 422 for schema errors, 404/400 from planning.
pub(crate) fn prepare(
    ds: &Dataset,
    project_raw: Option<&str>,
    body: Option<&Value>,
) -> Result<Plan, Rejection> {
    let mut errors = Errors::default();
    if let Some(raw) = project_raw {
        if let Some(p) = validate::validate_project_id(&mut errors, raw) {
            if p != ds.project_id() {
                return Err(Rejection {
                    status: 404,
                    body: json!({ "detail": format!("Project {p} not found") }),
                });
            }
        }
    }
    let req = validate::validate_body(&mut errors, body);
    if !errors.is_empty() {
        return Err(Rejection {
            status: 422,
            body: json!({ "detail": errors.items }),
        });
    }
    let Some(req) = req else {
        // Unreachable in practice: no errors implies a request.
        return Err(Rejection {
            status: 422,
            body: json!({ "detail": [] }),
        });
    };
    query::plan(ds, req)
}

fn content_type_for(ct: &ResponseContentType, format: ExportFormat) -> HeaderValue {
    let s: &str = match (ct, format) {
        (ResponseContentType::Documented, _) => "application/json",
        (ResponseContentType::PerFormat, ExportFormat::Jsonl) => "application/jsonl",
        (ResponseContentType::PerFormat, ExportFormat::Csv) => "text/csv; charset=utf-8",
        (ResponseContentType::Custom { jsonl, .. }, ExportFormat::Jsonl) => jsonl,
        (ResponseContentType::Custom { csv, .. }, ExportFormat::Csv) => csv,
    };
    HeaderValue::from_str(s).unwrap_or(HeaderValue::from_static("application/octet-stream"))
}

fn status_fault_response(
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

async fn sleep_or_shutdown(d: Duration, shutdown: &watch::Receiver<bool>) {
    let mut rx = shutdown.clone();
    tokio::select! {
        _ = tokio::time::sleep(d) => {}
        _ = rx.wait_for(|v| *v) => {}
    }
}

async fn export_handler(
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

async fn respond(
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
    h.insert(
        header::CONTENT_TYPE,
        content_type_for(&sh.content_type, format),
    );
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

async fn not_found(State(sh): State<Arc<Shared>>, req: Request) -> Response {
    record_plain(&sh, req, 404).await;
    json_response(404, &json!({ "detail": "Not Found" }))
}

async fn method_not_allowed(State(sh): State<Arc<Shared>>, req: Request) -> Response {
    record_plain(&sh, req, 405).await;
    let mut r = json_response(405, &json!({ "detail": "Method Not Allowed" }));
    if let Ok(v) = HeaderValue::from_str(sh.op_method.as_str()) {
        r.headers_mut().insert(header::ALLOW, v);
    }
    r
}

async fn record_plain(sh: &Shared, req: Request, status: u16) {
    let (parts, body) = req.into_parts();
    let raw_body = to_bytes(body, MAX_BODY).await.unwrap_or_default();
    let body = serde_json::from_slice(&raw_body).unwrap_or(Value::Null);
    lock(&sh.requests).push(RecordedRequest::from_parts(
        &parts, body, raw_body, None, status,
    ));
}

/// Builds the router for the spec's export operation.
pub(crate) fn router(sh: Arc<Shared>) -> Result<Router, MockError> {
    let filter = MethodFilter::try_from(sh.op_method.clone())
        .map_err(|_| MockError::UnsupportedMethod(sh.op_method.to_string()))?;
    Ok(Router::new()
        .route(sh.op_path, on(filter, export_handler))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(sh))
}

/// Runs the server on a dedicated thread with its own Tokio runtime.
///
/// Returns the bound address through `ready` and signals `stopped` once the
/// runtime is gone.
pub(crate) fn spawn(
    sh: Arc<Shared>,
    worker_threads: usize,
    mut shutdown: watch::Receiver<bool>,
    ready: oneshot::Sender<Result<SocketAddr, MockError>>,
    stopped: oneshot::Sender<()>,
) -> Result<std::thread::JoinHandle<()>, MockError> {
    let app = router(sh)?;
    std::thread::Builder::new()
        .name("galileo-mock-server".into())
        .spawn(move || {
            let rt = if worker_threads <= 1 {
                tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
            } else {
                tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(worker_threads)
                    .enable_all()
                    .build()
            };
            let rt = match rt {
                Ok(rt) => rt,
                Err(e) => {
                    let _ = ready.send(Err(MockError::Io(e)));
                    return;
                }
            };
            rt.block_on(async move {
                let listener = match TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await {
                    Ok(l) => l,
                    Err(e) => {
                        let _ = ready.send(Err(MockError::Io(e)));
                        return;
                    }
                };
                let addr = match listener.local_addr() {
                    Ok(a) => a,
                    Err(e) => {
                        let _ = ready.send(Err(MockError::Io(e)));
                        return;
                    }
                };
                let listener = TrackingListener(listener);
                if ready.send(Ok(addr)).is_err() {
                    return;
                }
                let serve = axum::serve(
                    listener,
                    app.into_make_service_with_connect_info::<ConnHandle>(),
                )
                .into_future();
                tokio::select! {
                    _ = serve => {}
                    _ = shutdown.wait_for(|v| *v) => {}
                }
            });
            // Drops every connection task; stalled bodies were told to abort.
            rt.shutdown_timeout(Duration::from_millis(250));
            let _ = stopped.send(());
        })
        .map_err(MockError::Io)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc4648() {
        assert_eq!(standard_base64(b""), "");
        assert_eq!(standard_base64(b"f"), "Zg==");
        assert_eq!(standard_base64(b"fo"), "Zm8=");
        assert_eq!(standard_base64(b"foo"), "Zm9v");
        assert_eq!(standard_base64(b"foobar"), "Zm9vYmFy");
    }

    #[test]
    fn path_templates() {
        let t = "/v2/projects/{project_id}/export_records";
        assert_eq!(fill_path(t, "abc"), "/v2/projects/abc/export_records");
        assert_eq!(
            path_param(t, "/v2/projects/abc/export_records", "project_id"),
            Some("abc")
        );
    }
}
