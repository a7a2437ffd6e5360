//! Built with `.cargo/config.toml`'s GALILEO_OPENAPI_SPEC: galileo-export was generated
//! from this project's spec, not from the one it vendors. Exits non-zero otherwise.

use galileo_export::{Client, ExportFormat};

fn main() {
    let spec = galileo_export::spec::SPEC_FILE;
    assert!(
        spec.ends_with("galileo-openapi-full.yaml"),
        "generated from {spec}, not from the file .cargo/config.toml names"
    );
    // The newer spec knows `jsonl_flat` and `include_code_metric_metadata`: nothing is
    // sent unchecked.
    let client = Client::builder().api_key("k").build().expect("client");
    let export = client
        .export(uuid::Uuid::nil())
        .log_stream(uuid::Uuid::from_u128(1))
        .format(ExportFormat::Other("jsonl_flat".into()))
        .field("include_code_metric_metadata", true);
    let unchecked = export.unchecked_fields().expect("a valid request");
    assert!(
        unchecked.is_empty(),
        "unchecked with the newer spec: {unchecked:?}"
    );
    let body = export.to_json().expect("a valid request");
    assert_eq!(body["export_format"], "jsonl_flat");
    println!("galileo-export generated from {spec}: ok");
}
