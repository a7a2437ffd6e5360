//! Broken specs fail with one message naming the spec file, the location and the reason.

use std::path::{Path, PathBuf};

use galileo_export_codegen::{generate_file, locate_spec, CodegenError, Location};

const SEED: &str = include_str!("../../openapi/export-records.openapi.yaml");

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write temp spec");
    path
}

fn tempdir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("galileo-codegen-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn fails(text: &str, name: &str, tag: &str) -> (PathBuf, CodegenError) {
    let dir = tempdir(tag);
    let path = write(&dir, name, text);
    let err = generate_file(&path).expect_err("the spec is broken");
    (path, err)
}

#[test]
fn seed_generates() {
    let dir = tempdir("seed");
    let path = write(&dir, "seed.yaml", SEED);
    let generated = generate_file(&path).expect("the vendored spec generates");
    assert!(generated.api.contains("pub fn export_records(&self)"));
    assert!(generated.report.skipped.is_empty());
    assert!(generated.untagged_unions.is_empty());
}

#[test]
fn yaml_syntax_error_names_line_and_column() {
    let broken = SEED.replacen(
        "      summary: Export Records\n",
        "      summary: [Export Records\n",
        1,
    );
    let (path, err) = fails(&broken, "broken.yaml", "yaml");
    assert_eq!(err.file, path);
    let Location::LineColumn { line, .. } = err.location else {
        panic!("expected a line/column, got {:?}", err.location);
    };
    assert!((14..=20).contains(&line), "line {line}");
    let text = err.to_string();
    assert!(
        text.starts_with(&format!("{}:{line}:", path.display())),
        "{text}"
    );
    assert!(text.contains("invalid YAML"), "{text}");
}

#[test]
fn json_syntax_error_names_line_and_column() {
    let (path, err) = fails(
        "{\n  \"openapi\": \"3.1.0\",\n  \"paths\": {\n}",
        "broken.json",
        "json",
    );
    assert_eq!(err.file, path);
    assert!(
        matches!(err.location, Location::LineColumn { line: 4, .. }),
        "{:?}",
        err.location
    );
}

#[test]
fn dangling_ref_names_the_pointer() {
    let broken = SEED.replacen(
        "$ref: '#/components/schemas/LogRecordsSortClause'",
        "$ref: '#/components/schemas/LogRecordsSortClauze'",
        1,
    );
    let (path, err) = fails(&broken, "dangling.yaml", "ref");
    assert_eq!(err.file, path);
    assert_eq!(
        err.location,
        Location::Pointer(
            "#/components/schemas/LogRecordsExportRequest/properties/sort/anyOf/0/$ref".into()
        )
    );
    assert!(
        err.reason.contains("LogRecordsSortClauze"),
        "{}",
        err.reason
    );
    assert!(err.to_string().contains("dangling $ref"), "{err}");
}

#[test]
fn schema_typify_rejects_is_located() {
    // An integer enum with a string value: typify cannot make a type of it.
    let broken = SEED.replacen(
        "        value:\n          type: string\n          format: date-time\n          title: Value\n",
        "        value:\n          type: integer\n          enum: [1, two]\n          title: Value\n",
        1,
    );
    assert_ne!(broken, SEED);
    let (path, err) = fails(&broken, "rejected.yaml", "typify");
    assert_eq!(err.file, path);
    assert_eq!(
        err.location,
        Location::Pointer("#/components/schemas/LogRecordsDateFilter/properties/value".into()),
        "{err}"
    );
    assert!(!err.reason.is_empty());
    assert!(
        !err.reason.contains("TypeError(InvalidValue)"),
        "{}",
        err.reason
    );
}

#[test]
fn unsupported_version_is_an_error() {
    let (_, err) = fails("openapi: 2.0\npaths: {}\n", "old.yaml", "version");
    assert_eq!(err.location, Location::Pointer("#/openapi".into()));
}

#[test]
fn locate_needs_exactly_one_spec() {
    let empty = tempdir("empty");
    let err = locate_spec(&empty, None).unwrap_err();
    assert!(err.reason.contains("no OpenAPI spec found"), "{err}");

    let two = tempdir("two");
    write(&two, "a.yaml", SEED);
    write(&two, "b.json", "{}");
    let err = locate_spec(&two, None).unwrap_err();
    assert!(
        err.reason.contains("2 spec files found (a.yaml, b.json)"),
        "{err}"
    );

    let one = tempdir("one");
    let path = write(&one, "spec.yml", SEED);
    write(&one, "README.md", "not a spec");
    assert_eq!(locate_spec(&one, None).unwrap(), path);
    // The override wins, and must exist.
    assert_eq!(locate_spec(&two, Some(&path)).unwrap(), path);
    assert!(locate_spec(&one, Some(&one.join("missing.yaml"))).is_err());
}

#[test]
fn generation_is_deterministic() {
    let dir = tempdir("det");
    let path = write(&dir, "seed.yaml", SEED);
    let a = generate_file(&path).unwrap();
    let b = generate_file(&path).unwrap();
    assert_eq!(a.api, b.api);
    assert_eq!(a.spec, b.spec);
}

/// A dropped-in spec without the Export Records operation: one sentence that names the
/// file and what is missing (`build.rs` stops with it), not type errors in the crate.
#[test]
fn a_spec_without_export_records_is_refused_in_one_sentence() {
    use galileo_export_codegen::requirements::check_export_records;

    let dir = tempdir("requirements");
    let seed = write(&dir, "seed.yaml", SEED);
    let generated = generate_file(&seed).expect("the vendored spec generates");
    assert_eq!(check_export_records(&seed, &generated), Ok(()));

    let other = write(
        &dir,
        "other.yaml",
        r#"
openapi: 3.1.0
info: {title: Other, version: "1"}
paths:
  /v1/things:
    get:
      operationId: list_things_v1_things_get
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {type: array, items: {type: string}}
"#,
    );
    let generated = generate_file(&other).expect("a valid spec generates");
    let message = check_export_records(&other, &generated).expect_err("no export_records");
    assert!(
        message.starts_with(&other.display().to_string()),
        "{message}"
    );
    assert!(
        message.contains("no `export_records` operation"),
        "{message}"
    );
    assert!(message.contains("list_things"), "{message}");
}

#[test]
fn an_inline_operation_schema_typify_rejects_names_the_operation() {
    // Every component schema generates; the failure is inline in the second operation,
    // found by trying each operation with only the schemas it reaches.
    let spec = r##"
openapi: 3.1.0
info: {title: t, version: "1"}
paths:
  /fine:
    get:
      operationId: fine
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Thing"}
  /broken:
    post:
      operationId: broken_post
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                type: object
                properties:
                  level: {type: integer, enum: [1, two]}
components:
  schemas:
    Thing:
      type: object
      properties:
        name: {type: string}
"##;
    let (path, err) = fails(spec, "inline.yaml", "inline-op");
    assert_eq!(err.file, path);
    assert_eq!(
        err.location,
        Location::Pointer("#/paths/~1broken/post".into()),
        "{err}"
    );
    assert!(err.reason.contains("broken_post"), "{}", err.reason);
}
