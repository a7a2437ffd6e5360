//! The operations beyond the export, served when the spec has them (their paths and
//! methods come from the generated spec constants): `GET /projects` (filtered by
//! `project_name` and `type`), the paginated log stream and experiment lists of a project,
//! and the count operations, which select records exactly as the export does.
//!
//! Invariant: the same checks in the same order as the export — credentials (401), then
//! the path, query and body (422, pydantic's errors), then a foreign project (404) —
//! and every request is recorded before it is answered.

use std::sync::Arc;

use axum::body::to_bytes;
use axum::extract::{Request, State};
use axum::http::request::Parts;
use axum::response::Response;
use axum::routing::{on, MethodFilter};
use axum::Router;
use galileo_export::spec;
use serde_json::{json, Value};
use uuid::Uuid;

use super::auth::{check_auth, percent_decode, unauthorized, AuthOutcome};
use super::body::{parse_body, ParsedBody};
use super::{json_response, lock, path_param, rejection_response, Shared};
use crate::catalog::CatalogEntry;
use crate::data::RootType;
use crate::query;
use crate::validate::{self, Errors};
use crate::RecordedRequest;

/// Largest request body read.
const MAX_BODY: usize = 1024 * 1024;

/// The values of `ProjectType`.
const PROJECT_TYPES: [&str; 4] = ["prompt_evaluation", "llm_monitor", "protect", "gen_ai"];

/// Which list a route serves.
#[derive(Clone, Copy)]
enum List {
    LogStreams,
    Experiments,
}

/// Adds a route for each of these operations the spec has.
pub(super) fn routes(mut router: Router<Arc<Shared>>) -> Router<Arc<Shared>> {
    let method = |name: &str| {
        let op = spec::operation(name)?;
        let method = axum::http::Method::from_bytes(op.method.to_ascii_uppercase().as_bytes());
        let filter = MethodFilter::try_from(method.ok()?).ok()?;
        Some((op.path, filter))
    };
    if let Some((path, filter)) = method("get_projects") {
        router = router.route(path, on(filter, projects));
    }
    for (name, list) in [
        ("list_log_streams_paginated", List::LogStreams),
        ("list_experiments_paginated", List::Experiments),
    ] {
        if let Some((path, filter)) = method(name) {
            router = router.route(
                path,
                on(filter, move |state, request| {
                    paginated(state, request, list, path)
                }),
            );
        }
    }
    for (name, root) in [
        ("count_traces", RootType::Trace),
        ("count_spans", RootType::Span),
        ("count_sessions", RootType::Session),
    ] {
        if let Some((path, filter)) = method(name) {
            router = router.route(
                path,
                on(filter, move |state, request| {
                    count(state, request, root, path)
                }),
            );
        }
    }
    router
}

/// A request read whole: its head, body bytes and JSON, recorded.
struct Received {
    parts: Parts,
    parsed: ParsedBody,
    index: usize,
}

async fn receive(sh: &Shared, request: Request) -> Received {
    let (parts, body) = request.into_parts();
    let bytes = to_bytes(body, MAX_BODY).await.unwrap_or_default();
    let parsed = parse_body(&parts.headers, &bytes);
    let json = match &parsed {
        ParsedBody::Json(v) => v.clone(),
        _ => Value::Null,
    };
    let mut requests = lock(&sh.requests);
    requests.push(RecordedRequest::from_parts(&parts, json, bytes, None, 0));
    Received {
        parts,
        parsed,
        index: requests.len() - 1,
    }
}

fn answer(sh: &Shared, index: usize, response: Response) -> Response {
    if let Some(r) = lock(&sh.requests).get_mut(index) {
        r.status = response.status().as_u16();
    }
    response
}

/// The 401 of missing or wrong credentials, if any.
fn auth_failure(sh: &Shared, parts: &Parts) -> Option<Response> {
    match check_auth(&parts.headers, parts.uri.query(), &sh.auth) {
        AuthOutcome::Ok => None,
        AuthOutcome::Missing => Some(unauthorized("Not authenticated")),
        AuthOutcome::Invalid => Some(unauthorized("Could not validate credentials")),
    }
}

/// The query's parameters, decoded; the last of a repeated name wins, as in FastAPI.
fn query_param(parts: &Parts, name: &str) -> Option<String> {
    parts.uri.query()?.rsplit('&').find_map(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        (percent_decode(k) == name).then(|| percent_decode(v))
    })
}

fn unprocessable(errors: Errors) -> Response {
    json_response(422, &json!({ "detail": errors.items }))
}

/// The `project_id` of the path, validated (422) and this server's (404).
fn project(errors: &mut Errors, template: &str, parts: &Parts) -> Option<Uuid> {
    let raw = path_param(template, parts.uri.path(), "project_id")?;
    validate::validate_project_id(errors, raw)
}

fn foreign_project(sh: &Shared, project: Uuid) -> Option<Response> {
    (project != sh.ds.project_id()).then(|| {
        json_response(
            404,
            &json!({ "detail": format!("Project {project} not found") }),
        )
    })
}

const CREATOR: &str = "5b0c2f4e-3a57-4d44-9d0b-6c1b0d5e8a11";

fn project_json(e: &CatalogEntry) -> Value {
    json!({
        "id": e.id, "name": e.name, "type": "gen_ai",
        "created_by": CREATOR,
        "created_by_user": { "id": CREATOR, "email": "mock-user@example.com" },
        "runs": [], "permissions": [], "labels": [], "bookmark": false,
        "created_at": e.created_at, "updated_at": e.created_at,
    })
}

fn list_item(list: List, e: &CatalogEntry, project: Uuid) -> Value {
    match list {
        List::LogStreams => json!({
            "id": e.id, "name": e.name, "project_id": project,
            "created_at": e.created_at, "updated_at": e.created_at,
            "created_by": null, "created_by_user": null,
            "num_spans": null, "num_traces": null, "has_user_created_sessions": false,
        }),
        List::Experiments => json!({
            "id": e.id, "name": e.name, "project_id": project, "task_type": 16,
            "created_at": e.created_at, "updated_at": e.created_at,
        }),
    }
}

/// `GET /projects`: every project, or those named `project_name` exactly, of `type`.
async fn projects(State(sh): State<Arc<Shared>>, request: Request) -> Response {
    let got = receive(&sh, request).await;
    if let Some(r) = auth_failure(&sh, &got.parts) {
        return answer(&sh, got.index, r);
    }
    let mut errors = Errors::default();
    if let Some(raw) = query_param(&got.parts, "type") {
        validate::validate_query_enum(&mut errors, "type", &raw, &PROJECT_TYPES);
    }
    if !errors.is_empty() {
        return answer(&sh, got.index, unprocessable(errors));
    }
    let name = query_param(&got.parts, "project_name");
    let found: Vec<Value> = sh
        .catalog
        .projects
        .iter()
        .filter(|p| name.as_deref().is_none_or(|n| p.name == n))
        .map(project_json)
        .collect();
    answer(&sh, got.index, json_response(200, &Value::Array(found)))
}

/// A paginated list of the project's log streams or experiments: `limit` items (at most
/// the server's cap) from `starting_token`, and the token of the next page while there
/// is one.
async fn paginated(
    State(sh): State<Arc<Shared>>,
    request: Request,
    list: List,
    template: &'static str,
) -> Response {
    let got = receive(&sh, request).await;
    if let Some(r) = auth_failure(&sh, &got.parts) {
        return answer(&sh, got.index, r);
    }
    let mut errors = Errors::default();
    let project = project(&mut errors, template, &got.parts);
    let int = |errors: &mut Errors, name: &str, default: i64| match query_param(&got.parts, name) {
        Some(raw) => validate::validate_query_int(errors, name, &raw),
        None => Some(default),
    };
    if let Some(raw) = query_param(&got.parts, "include_counts") {
        validate::validate_query_bool(&mut errors, "include_counts", &raw);
    }
    let start = int(&mut errors, "starting_token", 0);
    let limit = int(&mut errors, "limit", 100);
    let (Some(project), Some(start), Some(limit), true) =
        (project, start, limit, errors.is_empty())
    else {
        return answer(&sh, got.index, unprocessable(errors));
    };
    if let Some(r) = foreign_project(&sh, project) {
        return answer(&sh, got.index, r);
    }
    let all = match list {
        List::LogStreams => &sh.catalog.log_streams,
        List::Experiments => &sh.catalog.experiments,
    };
    let start = usize::try_from(start.max(0)).unwrap_or(usize::MAX);
    let size = usize::try_from(limit.clamp(1, sh.catalog.page_size_cap as i64)).unwrap_or(1);
    let page: Vec<Value> = all
        .iter()
        .skip(start)
        .take(size)
        .map(|e| list_item(list, e, project))
        .collect();
    let end = start.saturating_add(page.len());
    let next = (end < all.len()).then_some(end);
    let key = match list {
        List::LogStreams => "log_streams",
        List::Experiments => "experiments",
    };
    let body = json!({
        "starting_token": start, "limit": size, "paginated": true,
        "next_starting_token": next, key: page,
    });
    answer(&sh, got.index, json_response(200, &body))
}

/// `POST /projects/{project_id}/{traces,spans,sessions}/count`: the records of `root` an
/// export with the same source and filters would deliver (off by the configured offset).
async fn count(
    State(sh): State<Arc<Shared>>,
    request: Request,
    root: RootType,
    template: &'static str,
) -> Response {
    let got = receive(&sh, request).await;
    let body = match got.parsed {
        ParsedBody::Invalid { pos, error } => {
            let r = json_response(
                422,
                &json!({ "detail": [{
                    "type": "json_invalid", "loc": ["body", pos], "msg": "JSON decode error",
                    "input": {}, "ctx": { "error": error },
                }]}),
            );
            return answer(&sh, got.index, r);
        }
        ParsedBody::Empty => None,
        ParsedBody::Json(v) | ParsedBody::Other(v) => Some(v),
    };
    if let Some(r) = auth_failure(&sh, &got.parts) {
        return answer(&sh, got.index, r);
    }
    let mut errors = Errors::default();
    let project = project(&mut errors, template, &got.parts);
    let request = validate::validate_count_body(&mut errors, body.as_ref(), root);
    let (Some(project), Some(request), true) = (project, request, errors.is_empty()) else {
        return answer(&sh, got.index, unprocessable(errors));
    };
    if let Some(r) = foreign_project(&sh, project) {
        return answer(&sh, got.index, r);
    }
    let plan = match query::plan(&sh.ds, request) {
        Ok(plan) => plan,
        Err(r) => return answer(&sh, got.index, rejection_response(&r)),
    };
    let ds = Arc::clone(&sh.ds);
    let counted = tokio::task::spawn_blocking(move || plan.count(&ds)).await;
    let response = match counted {
        Ok(n) => json_response(200, &json!({ "total_count": sh.catalog.answered_count(n) })),
        Err(_) => json_response(500, &json!({ "detail": "Internal Server Error" })),
    };
    answer(&sh, got.index, response)
}
