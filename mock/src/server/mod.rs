//! The axum application, request handling and server lifecycle.
//!
//! One module per job: [`listener`] (connections that track flushes), [`auth`]
//! (credentials), [`body`] (the body as FastAPI parses it), [`respond`] (the handlers);
//! this module holds the shared state, the route, the validation-and-planning step shared
//! with the expectation helpers, and the server thread.
//!
//! Invariant: the route's path and method come from the generated spec constants, never
//! from a literal.

mod auth;
mod body;
mod listener;
mod lookup;
mod respond;

use std::collections::{HashMap, VecDeque};
use std::future::IntoFuture;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use axum::body::Body;
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::Response;
use axum::routing::{on, MethodFilter};
use axum::Router;
use bytes::Bytes;
use galileo_export::spec;
use serde_json::{json, Value};
use tokio::net::TcpListener;
use tokio::sync::{oneshot, watch};

pub(crate) use auth::AuthConfig;
use listener::{ConnHandle, TrackingListener};
use respond::{export_handler, method_not_allowed, not_found};

use crate::data::{Dataset, RootType};
use crate::encoding::ContentCoding;
use crate::query::{self, Plan};
use crate::validate::{self, Errors};
use crate::{Fault, MockError, RecordedRequest, Rejection, ResponseContentType};

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
    /// The names served by the list operations, and how counts are answered.
    pub catalog: crate::catalog::Catalog,
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

/// Builds the router for the spec's export operation, and the list and count operations
/// the spec has.
pub(crate) fn router(sh: Arc<Shared>) -> Result<Router, MockError> {
    let filter = MethodFilter::try_from(sh.op_method.clone())
        .map_err(|_| MockError::UnsupportedMethod(sh.op_method.to_string()))?;
    let router = Router::new().route(sh.op_path, on(filter, export_handler));
    Ok(lookup::routes(router)
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
    fn path_templates() {
        let t = "/v2/projects/{project_id}/export_records";
        assert_eq!(fill_path(t, "abc"), "/v2/projects/abc/export_records");
        assert_eq!(
            path_param(t, "/v2/projects/abc/export_records", "project_id"),
            Some("abc")
        );
    }
}
