//! Galileo's full, newer spec as a drop-in: generated through the same path as
//! `build.rs`, as YAML and as JSON, with byte-identical output; only the six
//! multipart operations are skipped, each with its reason.

use std::path::PathBuf;

use galileo_export_codegen::generate_file;

fn full_spec() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/galileo-openapi-full.yaml")
}

#[test]
fn full_spec_generates_identically_from_yaml_and_json() {
    let yaml = full_spec();
    let from_yaml = generate_file(&yaml).expect("the full spec generates");

    let report = &from_yaml.report;
    assert_eq!(report.operations.len() + report.skipped.len(), 244);
    assert_eq!(report.skipped.len(), 6, "{:#?}", report.skipped);
    for skipped in &report.skipped {
        assert!(
            skipped.reason.contains("multipart/form-data"),
            "{skipped:?}"
        );
        assert!(!skipped.operation_id.is_empty());
    }
    let export = report
        .operations
        .iter()
        .find(|o| o.name == "export_records")
        .expect("export_records");
    assert_eq!(export.path, "/projects/{project_id}/export_records");
    assert!(from_yaml.spec.contains("Some(\"Splunk-AO-API-Key\")"));
    assert!(
        from_yaml.api.contains("JsonlFlat"),
        "the newer format value is generated"
    );
    assert!(
        from_yaml.untagged_unions.len() <= 1,
        "{:?}",
        from_yaml.untagged_unions
    );

    // The same spec as JSON, in a folder of its own as `openapi.json`.
    let doc = galileo_export_codegen::parse::read_spec(&yaml).unwrap();
    let dir = std::env::temp_dir().join(format!("galileo-dropin-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let json_path = dir.join("galileo-openapi-full.json");
    std::fs::write(&json_path, serde_json::to_string_pretty(&doc).unwrap()).unwrap();
    let located = galileo_export_codegen::locate_spec(&dir, None).unwrap();
    assert_eq!(located, json_path);
    let from_json = generate_file(&located).unwrap();
    assert!(
        from_yaml.api == from_json.api,
        "YAML and JSON generate byte-identical code"
    );
    assert_eq!(
        from_yaml
            .spec
            .replace("galileo-openapi-full.yaml", "galileo-openapi-full.json"),
        from_json.spec
    );
    let _ = std::fs::remove_dir_all(&dir);
}
