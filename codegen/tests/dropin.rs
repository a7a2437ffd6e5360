//! Galileo's full, newer spec as a drop-in: generated through the same path as
//! `build.rs`, as YAML and as JSON, with byte-identical output; all 244 operations are
//! generated, the six `multipart/form-data` ones included.

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
    assert_eq!(report.operations.len(), 244, "every operation is generated");
    assert!(report.skipped.is_empty(), "{:#?}", report.skipped);
    assert_eq!(
        report.multipart.len(),
        6,
        "the six multipart/form-data operations"
    );
    for op in &report.multipart {
        assert!(!op.file_fields.is_empty(), "{op:?}");
        assert!(
            from_yaml.api.contains(&format!("pub fn {}(", op.name)),
            "{op:?}"
        );
    }
    assert_eq!(from_yaml.api.matches("crate::multipart::form(").count(), 6);
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
    assert_eq!(report.unions.len(), 208);
    assert!(
        from_yaml.untagged_unions.is_empty(),
        "every discriminated union dispatches on its tag: {:?}",
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
