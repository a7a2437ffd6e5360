//! Multipart bodies (used by generated operations whose spec body is
//! `multipart/form-data`) arrive at a real server as the parts a FastAPI `Form`/`File`
//! endpoint expects.

use axum::extract::Multipart;
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{json, Value};

async fn echo(mut multipart: Multipart) -> Json<Value> {
    let mut parts = Vec::new();
    while let Ok(Some(field)) = multipart.next_field().await {
        let name = field.name().unwrap_or_default().to_string();
        let file_name = field.file_name().map(str::to_string);
        let bytes = field.bytes().await.unwrap_or_default();
        parts.push(
            json!({"name": name, "file_name": file_name, "data": String::from_utf8_lossy(&bytes)}),
        );
    }
    Json(Value::Array(parts))
}

#[derive(serde::Serialize)]
struct Body {
    file: Vec<u8>,
    attachments: Vec<Vec<u8>>,
    test_input: Option<String>,
    test_output: Option<String>,
    limit: i64,
    draft: bool,
    required_scorers: Vec<String>,
}

#[tokio::test]
async fn fields_and_files_arrive_as_parts() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(
        async move { axum::serve(listener, Router::new().route("/upload", post(echo))).await },
    );

    let body = Body {
        file: "def score(x):\n    return 1 # é".as_bytes().to_vec(),
        attachments: vec![b"a".to_vec(), b"b".to_vec()],
        test_input: Some("in".into()),
        test_output: None,
        limit: 5,
        draft: true,
        required_scorers: vec!["s1".into(), "s2".into()],
    };
    let form = galileo_export::multipart::form::<_, ()>(&body, &["file", "attachments[]"]).unwrap();
    let parts: Value = reqwest::Client::new()
        .post(format!("http://{addr}/upload"))
        .multipart(form)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        parts,
        json!([
            {"name": "file", "file_name": "file", "data": "def score(x):\n    return 1 # é"},
            {"name": "attachments", "file_name": "attachments-0", "data": "a"},
            {"name": "attachments", "file_name": "attachments-1", "data": "b"},
            {"name": "test_input", "file_name": null, "data": "in"},
            {"name": "limit", "file_name": null, "data": "5"},
            {"name": "draft", "file_name": null, "data": "true"},
            {"name": "required_scorers", "file_name": null, "data": "s1"},
            {"name": "required_scorers", "file_name": null, "data": "s2"}
        ])
    );
}

#[test]
fn a_file_field_that_is_not_bytes_is_an_error() {
    #[derive(serde::Serialize)]
    struct Wrong {
        file: String,
    }
    let err = galileo_export::multipart::form::<_, ()>(&Wrong { file: "x".into() }, &["file"])
        .unwrap_err();
    assert!(
        err.to_string().contains("file field `file` must be bytes"),
        "{err}"
    );
}
