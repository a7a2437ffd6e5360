//! The expression language by example: every form of every kind, and every error with
//! the token it points at.

use super::*;
use serde_json::{json, Value as Json};

fn json_of(expr: &str) -> Json {
    match parse(expr) {
        Ok(filter) => serde_json::to_value(filter).expect("filters serialize"),
        Err(e) => panic!("`{expr}` did not parse:\n{e}"),
    }
}

fn err(expr: &str) -> ParseError {
    match parse(expr) {
        Ok(filter) => panic!("`{expr}` parsed as {filter:?}"),
        Err(e) => e,
    }
}

/// The caret line of an error, as displayed.
fn caret(e: &ParseError) -> String {
    e.to_string().lines().nth(2).unwrap_or_default().to_string()
}

const U1: &str = "6f1c2b9e-1d2f-4c3b-9a8e-7d6c5b4a3f21";
const U2: &str = "0b8a7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d";

#[test]
fn text_forms() {
    assert_eq!(
        json_of(r#"input contains "refund""#),
        json!({"type": "text", "column_id": "input", "operator": "contains", "value": "refund", "case_sensitive": true})
    );
    assert_eq!(
        json_of(r#"input ~contains "Refund""#),
        json!({"type": "text", "column_id": "input", "operator": "contains", "value": "Refund", "case_sensitive": false})
    );
    assert_eq!(
        json_of("input ~contains Refund"),
        json!({"type": "text", "column_id": "input", "operator": "contains", "value": "Refund", "case_sensitive": false})
    );
    assert_eq!(
        json_of(r#"input not_in ["a", "b"]"#),
        json!({"type": "text", "column_id": "input", "operator": "not_in", "value": ["a", "b"], "case_sensitive": true})
    );
    assert_eq!(
        json_of("user_metadata.model one_of [gpt-4o, \"claude 3\",]"),
        json!({"type": "text", "column_id": "user_metadata.model", "operator": "one_of", "value": ["gpt-4o", "claude 3"], "case_sensitive": true})
    );
    assert_eq!(
        json_of("name ~= Chat"),
        json!({"type": "text", "column_id": "name", "operator": "eq", "value": "Chat", "case_sensitive": false})
    );
    assert_eq!(
        json_of("name ~ne chat"),
        json!({"type": "text", "column_id": "name", "operator": "ne", "value": "chat", "case_sensitive": false})
    );
    assert_eq!(json_of("name ~one_of [a]")["case_sensitive"], json!(false));
    assert_eq!(json_of("name != llm")["operator"], json!("ne"));
    // Quoted values are text, whatever they look like.
    assert_eq!(
        json_of(r#"input = "true""#),
        json!({"type": "text", "column_id": "input", "operator": "eq", "value": "true", "case_sensitive": true})
    );
    assert_eq!(json_of("input = '42'")["type"], json!("text"));
    // A date without a time is not a date-time: text.
    assert_eq!(json_of("day = 2026-01-01")["type"], json!("text"));
}

#[test]
fn quoted_strings_and_escapes() {
    assert_eq!(
        json_of(r#"input contains "say \"hi\"\n\t\\ \u{e9}""#)["value"],
        json!("say \"hi\"\n\t\\ \u{e9}")
    );
    assert_eq!(json_of(r"input contains 'it\'s'")["value"], json!("it's"));
    assert_eq!(
        json_of(r#"input contains 'a "b" c'"#)["value"],
        json!("a \"b\" c")
    );
    assert_eq!(
        json_of(r#"input contains "a, [b] = c""#)["value"],
        json!("a, [b] = c")
    );
    // A quoted column.
    assert_eq!(json_of(r#""odd:col" = x"#)["column_id"], json!("odd:col"));
}

#[test]
fn number_forms() {
    assert_eq!(
        json_of("metrics/duration_ns between 100 250"),
        json!({"type": "number", "column_id": "metrics/duration_ns", "operator": "between", "value": [100, 250]})
    );
    assert_eq!(
        json_of("metrics/duration_ns between [100, 250.5]"),
        json!({"type": "number", "column_id": "metrics/duration_ns", "operator": "between", "value": [100, 250.5]})
    );
    assert_eq!(
        json_of("metrics/duration_ns > 100"),
        json!({"type": "number", "column_id": "metrics/duration_ns", "operator": "gt", "value": 100})
    );
    assert_eq!(json_of("metrics/duration_ns>100")["operator"], json!("gt"));
    for (op, wire) in [
        ("=", "eq"),
        ("==", "eq"),
        ("!=", "ne"),
        (">", "gt"),
        (">=", "gte"),
        ("<", "lt"),
        ("<=", "lte"),
        ("eq", "eq"),
        ("ne", "ne"),
        ("gt", "gt"),
        ("gte", "gte"),
        ("lt", "lt"),
        ("lte", "lte"),
    ] {
        assert_eq!(
            json_of(&format!("cost {op} -0.5")),
            json!({"type": "number", "column_id": "cost", "operator": wire, "value": -0.5}),
            "{op}"
        );
    }
    assert_eq!(json_of("cost = 1e3")["value"], json!(1000.0));
    assert_eq!(json_of("number:status_code = \"200\"")["value"], json!(200));
    // Words that Rust would parse as floats are not numbers.
    assert_eq!(json_of("name = inf")["type"], json!("text"));
    assert_eq!(json_of("name = NaN")["type"], json!("text"));
}

#[test]
fn date_forms() {
    assert_eq!(
        json_of("created_at >= 2026-01-01T00:00:00Z"),
        json!({"type": "date", "column_id": "created_at", "operator": "gte", "value": "2026-01-01T00:00:00Z"})
    );
    assert_eq!(
        json_of("created_at < 2026-01-01T02:00:00+02:00")["value"],
        json!("2026-01-01T00:00:00Z")
    );
    assert_eq!(
        json_of("created_at = 2026-01-01T00:00:00.5Z")["operator"],
        json!("eq")
    );
    assert_eq!(
        json_of(r#"date:updated_at lte "2026-03-04T05:06:07Z""#),
        json!({"type": "date", "column_id": "updated_at", "operator": "lte", "value": "2026-03-04T05:06:07Z"})
    );
    assert_eq!(
        json_of(r#"created_at > "2026-01-01T00:00:00Z""#)["type"],
        json!("date")
    );
}

#[test]
fn id_forms() {
    assert_eq!(
        json_of(&format!("trace_id = {U1}")),
        json!({"type": "id", "column_id": "trace_id", "operator": "eq", "value": U1})
    );
    assert_eq!(
        json_of(&format!("trace_id != {U1}"))["operator"],
        json!("ne")
    );
    assert_eq!(
        json_of(&format!("id one_of [{U1}, {U2}]")),
        json!({"type": "id", "column_id": "id", "operator": "one_of", "value": [U1, U2]})
    );
    assert_eq!(
        json_of(&format!("id not_in [{U1}]")),
        json!({"type": "id", "column_id": "id", "operator": "not_in", "value": [U1]})
    );
    assert_eq!(
        json_of(&format!("trace_id contains {U1}")),
        json!({"type": "id", "column_id": "trace_id", "operator": "contains", "value": U1})
    );
    assert_eq!(
        json_of("id:trace_id contains 6f1c"),
        json!({"type": "id", "column_id": "trace_id", "operator": "contains", "value": "6f1c"})
    );
    // Upper case and the simple form parse with the prefix and are sent hyphenated.
    assert_eq!(
        json_of(&format!("id:trace_id = {}", U1.to_uppercase()))["value"],
        json!(U1)
    );
    // Without the prefix, a fragment is text and a mixed list is text.
    assert_eq!(
        json_of("trace_id contains 6f1c"),
        json!({"type": "text", "column_id": "trace_id", "operator": "contains", "value": "6f1c", "case_sensitive": true})
    );
    assert_eq!(
        json_of(&format!("id one_of [{U1}, \"{U2}\"]"))["type"],
        json!("text")
    );
    assert_eq!(
        json_of(&format!("trace_id = \"{U1}\""))["type"],
        json!("text")
    );
}

#[test]
fn boolean_forms() {
    assert_eq!(
        json_of("is_complete = true"),
        json!({"type": "boolean", "column_id": "is_complete", "operator": "eq", "value": true})
    );
    assert_eq!(
        json_of("is_complete ne false"),
        json!({"type": "boolean", "column_id": "is_complete", "operator": "ne", "value": false})
    );
    assert_eq!(
        json_of("boolean:is_complete = \"true\"")["value"],
        json!(true)
    );
}

#[test]
fn collection_forms() {
    assert_eq!(
        json_of("collection:tags contains prod"),
        json!({"type": "collection", "column_id": "tags", "operator": "contains", "value": "prod", "case_sensitive": true})
    );
    assert_eq!(
        json_of("collection:tags ~contains Prod"),
        json!({"type": "collection", "column_id": "tags", "operator": "contains", "value": "Prod", "case_sensitive": false})
    );
    assert_eq!(
        json_of("collection:tags one_of [prod, beta]"),
        json!({"type": "collection", "column_id": "tags", "operator": "one_of", "value": ["prod", "beta"], "case_sensitive": true})
    );
    assert_eq!(
        json_of("collection:tags ~not_in [a]"),
        json!({"type": "collection", "column_id": "tags", "operator": "not_in", "value": ["a"], "case_sensitive": false})
    );
    assert_eq!(
        json_of("collection:tags = [a, b]"),
        json!({"type": "collection", "column_id": "tags", "operator": "eq", "value": ["a", "b"], "case_sensitive": true})
    );
    assert_eq!(
        json_of("collection:tags eq a"),
        json!({"type": "collection", "column_id": "tags", "operator": "eq", "value": "a", "case_sensitive": true})
    );
    // Without the prefix, tags is not special.
    assert_eq!(json_of("tags one_of [prod, beta]")["type"], json!("text"));
}

#[test]
fn text_prefix_keeps_values_verbatim() {
    assert_eq!(
        json_of("text:status_code = 200"),
        json!({"type": "text", "column_id": "status_code", "operator": "eq", "value": "200", "case_sensitive": true})
    );
    assert_eq!(json_of("text:flag = true")["value"], json!("true"));
    assert_eq!(
        json_of(&format!("text:trace_id = {U1}"))["type"],
        json!("text")
    );
}

#[test]
fn fully_annotated_forms() {
    assert_eq!(
        json_of("fully_annotated"),
        json!({"type": "fully_annotated", "column_id": "fully_annotated"})
    );
    let v4a = "9b2e5f4c-3f1a-4d6e-8c7b-1a2b3c4d5e6f";
    let v4b = "1c9d8e7f-6a5b-4c3d-9e2f-0a1b2c3d4e5f";
    assert_eq!(
        json_of(&format!("fully_annotated by [{v4a}, {v4b}]")),
        json!({"type": "fully_annotated", "column_id": "fully_annotated", "user_ids": [v4a, v4b]})
    );
    // A non-v4 user id is pointed at.
    let v1 = "c232ab00-9414-11ec-b3c8-9f6bdeced846";
    let expr = format!("fully_annotated by [{v4a}, {v1}]");
    let e = err(&expr);
    let at = expr.find(v1).unwrap_or_default();
    assert_eq!(e.span(), at..at + v1.len());
    assert!(e.message().contains("version-4"), "{e}");
    let e = err("fully_annotated = true");
    assert_eq!(e.span(), 16..17);
    let e = err("fully_annotated by []");
    assert!(e.message().contains("must not be empty"), "{e}");
}

/// The messages made from the library's filter vocabulary.
#[test]
fn vocabulary_messages() {
    assert_eq!(
        kinds_expected(),
        "text, number, date, id, boolean or collection"
    );
    let expected = [
        (
            FilterKind::Text,
            "eq (=), ne (!=), contains, one_of or not_in",
        ),
        (
            FilterKind::Number,
            "eq (=), ne (!=), gt (>), gte (>=), lt (<), lte (<=) or between",
        ),
        (
            FilterKind::Date,
            "eq (=), ne (!=), gt (>), gte (>=), lt (<) or lte (<=)",
        ),
        (
            FilterKind::Id,
            "eq (=), ne (!=), contains, one_of or not_in",
        ),
        (FilterKind::Boolean, "eq (=) or ne (!=)"),
        (FilterKind::Collection, "eq (=), contains, one_of or not_in"),
    ];
    for (kind, operators) in expected {
        assert_eq!(kind_operators(kind), operators, "{kind}");
        assert_eq!(from_prefix(kind.as_str()), Some(kind));
    }
    assert_eq!(from_prefix("fully_annotated"), None);
    assert_eq!(
        case_insensitive_operators(),
        "eq (=), ne (!=), contains, one_of or not_in"
    );
    // Every operator the library knows can be written, by name or symbol.
    for &op in Operator::ALL {
        assert_eq!(Operator::from_name(op.as_str()), Some(op));
    }
    for (symbol, op) in [
        ("=", Operator::Eq),
        ("==", Operator::Eq),
        ("<=", Operator::Lte),
    ] {
        assert_eq!(from_symbol(symbol), Some(op));
    }
}

#[test]
fn errors_point_at_the_token() {
    let e = err("metrics/duration_ns => 100");
    assert_eq!(e.message(), "unknown operator `=>`");
    assert_eq!(e.span(), 20..22);
    assert_eq!(
        e.to_string(),
        format!(
            "invalid filter: unknown operator `=>`\n  metrics/duration_ns => 100\n                      ^^\n  expected an operator: = != > >= < <= eq ne gt gte lt lte between contains one_of not_in (a leading ~ makes text and collection filters case-insensitive)"
        )
    );

    let e = err("metrics/duration_ns biggerthan 100");
    assert_eq!(e.span(), 20..30);
    assert_eq!(caret(&e), format!("  {}{}", " ".repeat(20), "^".repeat(10)));

    let e = err("metrics/duration_ns");
    assert_eq!(e.message(), "no operator after the column");
    assert_eq!(e.span(), 19..19);
    assert_eq!(caret(&e), format!("  {}^", " ".repeat(19)));

    let e = err("metrics/duration_ns >");
    assert_eq!(e.message(), "the expression ends too early");
    assert_eq!(e.span(), 21..21);

    let e = err("metrics/duration_ns > fast");
    assert_eq!(e.span(), 22..26);
    assert!(e.to_string().contains("RFC 3339"), "{e}");

    let e = err("created_at >= 2026-01-01");
    assert_eq!(e.span(), 14..24);

    let e = err("metrics/duration_ns between 100");
    assert_eq!(e.span(), 31..31);

    let e = err("metrics/duration_ns between 250 100");
    assert_eq!(e.span(), 28..35);
    assert!(e.message().contains("low <= high"), "{e}");

    let e = err("metrics/duration_ns between [1, 2, 3]");
    assert_eq!(e.span(), 28..37);

    let e = err("input contains refund policy");
    assert_eq!(e.span(), 22..28);
    assert!(e.to_string().contains("quote a value"), "{e}");

    let e = err("input contains \"refund");
    assert_eq!(e.message(), "unterminated string: no closing \"");
    assert_eq!(e.span(), 15..22);

    let e = err(r#"input contains "a\qb""#);
    assert_eq!(e.span(), 17..19);

    let e = err("tags one_of prod");
    assert_eq!(e.span(), 12..16);
    assert!(e.message().contains("needs a list"), "{e}");

    let e = err("tags one_of [prod beta]");
    assert_eq!(e.span(), 18..22);

    let e = err("tags one_of [prod, beta");
    assert_eq!(e.message(), "unclosed list");

    let e = err("tags one_of []");
    assert!(e.message().contains("non-empty list"), "{e}");
    assert_eq!(e.span(), 12..14);

    let e = err("input = [a, b]");
    assert_eq!(e.span(), 8..9);

    let e = err("kind:tags contains x");
    assert_eq!(e.message(), "unknown kind `kind`");
    assert_eq!(e.span(), 0..4);

    let e = err("collection: contains x");
    assert_eq!(e.span(), 11..11);

    let e = err("metrics/duration_ns ~> 100");
    assert_eq!(e.span(), 20..22);

    // `~` makes the filter text, so `~=` with a number is a text filter...
    assert_eq!(json_of("metrics/duration_ns ~= 100")["value"], json!("100"));
    // ...and an error with a number prefix.
    let e = err("number:metrics/duration_ns ~= 100");
    assert_eq!(e.span(), 27..29);
    assert!(e.message().contains("does not apply to number"), "{e}");

    let e = err("number:metrics/duration_ns contains 1");
    assert_eq!(e.span(), 27..35);
    assert!(
        e.message().contains("number filters have no `contains`"),
        "{e}"
    );

    let e = err("number:metrics/duration_ns = abc");
    assert_eq!(e.span(), 29..32);

    let e = err("boolean:is_complete = yes");
    assert_eq!(e.span(), 22..25);

    let e = err("date:created_at = yesterday");
    assert_eq!(e.span(), 18..27);

    let e = err("id:trace_id = 6f1c");
    assert_eq!(e.span(), 14..18);

    let e = err("collection:tags != a");
    assert!(e.message().contains("no `ne`"), "{e}");

    let e = err("is_complete = true ~");
    assert_eq!(e.span(), 19..20);

    let e = err("input ! x");
    assert_eq!(e.span(), 6..7);

    let e = err("= 3");
    assert_eq!(e.span(), 0..1);

    let e = err("");
    assert_eq!(e.message(), "the expression is empty");
    let e = err("   ");
    assert_eq!(e.span(), 3..3);
}

#[test]
fn caret_counts_characters_not_bytes() {
    let e = err("entrée => x");
    assert_eq!(e.span(), 8..10);
    assert_eq!(caret(&e), format!("  {}^^", " ".repeat(7)));
}
