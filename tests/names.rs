//! Names instead of UUIDs, against the local Galileo server, in builds whose spec has the
//! project and run lists (the drop-in build: `GALILEO_OPENAPI_SPEC` at Galileo's full
//! spec): exact matches, near matches for a missing name, every id of an ambiguous one,
//! the default log stream, every page of a paginated list, and the operations' auth,
//! 422 and 404 as the export has them.
#![cfg(galileo_has_project_lookup)]

mod common;

use futures::TryStreamExt;
use galileo_export::{Client, Error, NameError, NameKind};
use std::time::Duration;

use galileo_export_mock::hostile::{HostileServer, Reply};
use galileo_export_mock::MockServer;
use serde_json::{json, Value};
use uuid::Uuid;

async fn server() -> MockServer {
    MockServer::builder()
        .records(40)
        .seed(23)
        .project_name("checkout-bot")
        .log_stream_name("production")
        .extra_project("twin")
        .extra_project("twin")
        .extra_project("Checkout-Bot ")
        .extra_log_stream("staging")
        .extra_log_stream("dup")
        .extra_log_stream("dup")
        .experiment("baseline")
        .experiment("prompt-v2")
        .start()
        .await
        .expect("mock server starts")
}

fn client(server: &MockServer) -> Client {
    common::mock::client_builder(server)
        .build()
        .expect("client builds")
}

fn id_named(entries: &[galileo_export_mock::CatalogEntry], name: &str) -> Vec<Uuid> {
    entries
        .iter()
        .filter(|e| e.name == name)
        .map(|e| e.id)
        .collect()
}

#[tokio::test]
async fn a_project_a_log_stream_and_an_experiment_resolve_by_exact_name() {
    let server = server().await;
    let client = client(&server);
    let project = client
        .project_by_name("checkout-bot")
        .await
        .expect("one project has the name");
    assert_eq!(
        (project.id, project.name.as_str()),
        (server.project_id(), "checkout-bot")
    );
    let requests = server.requests();
    assert_eq!(requests.len(), 1, "one lookup");
    assert_eq!(requests[0].method, "GET");
    assert_eq!(requests[0].path, "/projects");
    assert_eq!(
        requests[0].query.as_deref(),
        Some("project_name=checkout-bot")
    );

    let log_stream = client
        .log_stream_by_name(project.id, "production")
        .await
        .expect("one log stream has the name");
    assert_eq!(log_stream.id, server.log_stream_id());
    let experiment = client
        .experiment_by_name(project.id, "prompt-v2")
        .await
        .expect("one experiment has the name");
    assert_eq!(
        vec![experiment.id],
        id_named(server.experiments(), "prompt-v2")
    );

    // The resolved ids export the data set.
    let records: Vec<_> = client
        .export(project.id)
        .log_stream(log_stream.id)
        .records()
        .await
        .expect("export starts")
        .try_collect()
        .await
        .expect("export completes");
    assert_eq!(records.len(), 40);
}

#[tokio::test]
async fn a_missing_name_lists_the_near_matches() {
    let server = server().await;
    let client = client(&server);
    let err = client
        .project_by_name("checkout")
        .await
        .expect_err("no project is named checkout");
    let Error::Name(NameError::Missing {
        kind,
        near,
        project,
        ..
    }) = &err
    else {
        panic!("not a missing name: {err:?}");
    };
    assert_eq!((*kind, *project), (NameKind::Project, None));
    assert_eq!(near, &["Checkout-Bot ", "checkout-bot"]);
    assert_eq!(
        err.to_string(),
        "no project named \"checkout\"; near: \"Checkout-Bot \", \"checkout-bot\""
    );

    let err = client
        .log_stream_by_name(server.project_id(), "Production")
        .await
        .expect_err("names match case included");
    assert_eq!(
        err.to_string(),
        format!(
            "no log stream named \"Production\" in project {}; near: \"production\"",
            server.project_id()
        )
    );
    let err = client
        .experiment_by_name(server.project_id(), "zzz")
        .await
        .expect_err("nothing near");
    assert!(
        err.to_string()
            .ends_with("(names match exactly; none comes close)"),
        "{err}"
    );
}

#[tokio::test]
async fn an_ambiguous_name_lists_every_id() {
    let server = server().await;
    let client = client(&server);
    let err = client
        .project_by_name("twin")
        .await
        .expect_err("two projects are named twin");
    let Error::Name(NameError::Ambiguous { ids, .. }) = &err else {
        panic!("not ambiguous: {err:?}");
    };
    assert_eq!(ids, &id_named(server.projects(), "twin"));
    assert_eq!(ids.len(), 2);

    let err = client
        .log_stream_by_name(server.project_id(), "dup")
        .await
        .expect_err("two log streams are named dup");
    let dups = id_named(server.log_streams(), "dup");
    assert_eq!(
        err.to_string(),
        format!(
            "2 log streams are named \"dup\" in project {} ({}, {}): give the UUID instead",
            server.project_id(),
            dups[0],
            dups[1]
        )
    );
}

#[tokio::test]
async fn the_default_log_stream_is_the_oldest_not_the_first_listed() {
    let server = server().await;
    let client = client(&server);
    // The server lists the newest first.
    assert_ne!(server.log_streams()[0].id, server.log_stream_id());
    let chosen = client
        .default_log_stream(server.project_id())
        .await
        .expect("the project has log streams");
    assert_eq!(
        (chosen.id, chosen.name.as_str()),
        (server.log_stream_id(), "production")
    );
}

#[tokio::test]
async fn every_page_of_a_list_is_followed() {
    let mut builder = MockServer::builder().records(1).page_size_cap(2);
    for i in 0..5 {
        builder = builder.extra_log_stream(format!("stream-{i}"));
    }
    let server = builder.start().await.expect("mock server starts");
    let client = client(&server);
    let all = client
        .log_streams(server.project_id())
        .await
        .expect("three pages");
    let ids: Vec<Uuid> = all.iter().map(|n| n.id).collect();
    let listed: Vec<Uuid> = server.log_streams().iter().map(|e| e.id).collect();
    assert_eq!(ids, listed);
    assert_eq!(ids.len(), 6);
    let tokens: Vec<String> = server
        .requests()
        .iter()
        .map(|r| {
            let query = r.query.clone().unwrap_or_default();
            query
                .split('&')
                .find_map(|p| p.strip_prefix("starting_token="))
                .unwrap_or("none")
                .to_string()
        })
        .collect();
    assert_eq!(tokens, ["0", "2", "4"]);
}

#[tokio::test]
async fn lookups_have_the_exports_auth_404_and_422() {
    let server = server().await;
    let keyless = galileo_export::Client::builder()
        .base_url(server.base_url())
        .without_credentials()
        .build()
        .expect("client builds");
    let err = keyless
        .project_by_name("checkout-bot")
        .await
        .expect_err("no key");
    assert!(matches!(err, Error::Auth { status: 401, .. }), "{err:?}");

    let foreign = Uuid::new_v4();
    let err = client(&server)
        .log_streams(foreign)
        .await
        .expect_err("another project");
    assert_eq!(
        err.to_string(),
        format!("not found (HTTP 404): Project {foreign} not found")
    );

    // What the typed client cannot send: a limit that is not an integer.
    let url = format!(
        "{}/projects/{}/log_streams/paginated?limit=many",
        server.base_url(),
        server.project_id()
    );
    let answer = reqwest::Client::new()
        .get(url)
        .header(
            server.api_key_header().unwrap_or("Galileo-API-Key"),
            server.api_key(),
        )
        .send()
        .await
        .expect("answered");
    assert_eq!(answer.status().as_u16(), 422);
    let body: Value = answer.json().await.expect("JSON");
    assert_eq!(
        body,
        json!({"detail": [{
            "type": "int_parsing", "loc": ["query", "limit"],
            "msg": "Input should be a valid integer, unable to parse string as an integer",
            "input": "many",
        }]})
    );
}

/// A client of a scripted server with quick retries (no jitter, 1 ms backoff).
fn scripted_client(base_url: &str) -> Client {
    Client::builder()
        .base_url(base_url)
        .api_key("k")
        .retry(common::mock::quick_retries(Duration::from_millis(1)))
        .build()
        .expect("client builds")
}

fn project_list(name: &str, id: Uuid) -> String {
    let creator = "5b0c2f4e-3a57-4d44-9d0b-6c1b0d5e8a11";
    json!([{
        "id": id, "name": name, "type": "gen_ai",
        "created_by": creator,
        "created_by_user": { "id": creator, "email": "someone@example.com" },
        "runs": [], "permissions": [], "labels": [], "bookmark": false,
        "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z",
    }])
    .to_string()
}

#[tokio::test]
async fn a_lookup_is_retried_on_429_and_503_as_the_export_is() {
    let id = Uuid::from_u128(0x23);
    let server = HostileServer::start(vec![
        Reply::status(503),
        Reply::status(429).header("Retry-After", "0"),
        Reply::status(200)
            .header("Content-Type", "application/json")
            .body(project_list("checkout-bot", id)),
    ])
    .await;
    let found = scripted_client(&server.base_url())
        .project_by_name("checkout-bot")
        .await
        .expect("the third attempt answers");
    assert_eq!((found.id, found.name.as_str()), (id, "checkout-bot"));
    assert_eq!(server.request_count(), 3);
    assert!(server
        .requests()
        .iter()
        .all(|r| r.query() == Some("project_name=checkout-bot")));
}

#[tokio::test]
async fn a_lookup_is_not_retried_on_an_answer_that_will_not_change() {
    let server = HostileServer::start(vec![
        Reply::status(403),
        Reply::status(200)
            .header("Content-Type", "application/json")
            .body(project_list("checkout-bot", Uuid::from_u128(1))),
    ])
    .await;
    let err = scripted_client(&server.base_url())
        .project_by_name("checkout-bot")
        .await
        .expect_err("403 is final");
    assert_eq!(err.status(), Some(403), "{err}");
    assert_eq!(server.request_count(), 1);
}

#[tokio::test]
async fn a_lookup_gives_up_when_the_retries_are_spent() {
    let server = HostileServer::start(vec![Reply::status(503); 3]).await;
    let client = Client::builder()
        .base_url(server.base_url())
        .api_key("k")
        .retry(common::mock::quick_retries(Duration::from_millis(1)).max_attempts(2))
        .build()
        .expect("client builds");
    let err = client
        .log_streams(Uuid::from_u128(7))
        .await
        .expect_err("every attempt fails");
    assert_eq!(err.status(), Some(503), "{err}");
    assert_eq!(server.request_count(), 2);
}
