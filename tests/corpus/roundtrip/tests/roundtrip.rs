//! Each construct of the matrix, as JSON, through the generated type and back: what
//! deserializes serializes to the same JSON, what the schema forbids is refused, and
//! discriminated unions pick their variant by the tag.

use galileo_export_roundtrip::types::*;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};

fn round_trip<T: DeserializeOwned + Serialize>(value: Value) -> T {
    let typed: T = match serde_json::from_value(value.clone()) {
        Ok(t) => t,
        Err(e) => panic!("{value} does not deserialize: {e}"),
    };
    assert_eq!(serde_json::to_value(&typed).expect("serializes"), value);
    typed
}

fn refused<T: DeserializeOwned>(value: Value) {
    assert!(
        serde_json::from_value::<T>(value.clone()).is_err(),
        "{value} was accepted"
    );
}

#[test]
fn boolean_schemas() {
    round_trip::<Booleans>(json!({
        "anything": {"x": [1, "y", null]},
        "list": [1, "a", {"b": false}],
        "open": {"k": {"z": 1}}
    }));
    // `false` admits nothing.
    refused::<Booleans>(json!({"never": 1}));
}

#[test]
fn nullability_forms() {
    round_trip::<Nullables>(json!({
        "one": 5, "several": "s", "list": ["a"], "map": {"a": 1},
        "null_first": "t", "any_null_first": 3, "enum_null": "a"
    }));
    round_trip::<Nullables>(json!({"several": 7}));
    // `null` is accepted wherever the schema allows it (and is not sent back).
    let nulls: Nullables = serde_json::from_value(json!({
        "one": null, "several": null, "list": null, "map": null, "null_first": null,
        "any_null_first": null, "only_null": null, "enum_null": null
    }))
    .expect("nulls");
    assert_eq!(serde_json::to_value(&nulls).expect("serializes"), json!({}));
    refused::<Nullables>(json!({"enum_null": "c"}));
}

#[test]
fn consts_with_and_without_type() {
    round_trip::<Consts>(json!({"kind": "fixed", "version": 2}));
    refused::<Consts>(json!({"kind": "other"}));
    refused::<Consts>(json!({"kind": "fixed", "version": 3}));
}

#[test]
fn keywords_without_a_rust_meaning_keep_the_data() {
    round_trip::<Keywords>(json!({
        "pair": ["a", 1],
        "strict": {"a": "x"},
        "pattern": {"x-a": "b"},
        "dependent": {"a": "1", "b": "2"},
        "conditional": {"a": "x"},
        "negated": 5,
        "png": "aGk=",
        "examples": "c"
    }));
}

#[test]
fn recursion_and_defs() {
    round_trip::<Tree>(
        json!({"name": "r", "children": [{"name": "c", "children": [{"name": "d"}]}]}),
    );
    round_trip::<WithDefs>(json!({"unit": "ms"}));
    refused::<WithDefs>(json!({"unit": "h"}));
}

#[test]
fn discriminated_unions_dispatch_on_the_tag() {
    let pet = round_trip::<PetUnion>(json!({"kind": "dog", "bark": "woof"}));
    assert!(matches!(pet, PetUnion::Dog(_)), "{pet:?}");
    let pet = round_trip::<PetUnion>(json!({"kind": "cat", "lives": 9}));
    assert!(matches!(pet, PetUnion::Cat(_)), "{pet:?}");
    refused::<PetUnion>(json!({"kind": "cow"}));
    let pet = round_trip::<PetAnyOf>(json!({"kind": "dog"}));
    assert!(matches!(pet, PetAnyOf::Dog(_)), "{pet:?}");
    let pet = round_trip::<InlinePet>(json!({"kind": "bird", "wings": 2}));
    assert!(matches!(pet, InlinePet::Bird { .. }), "{pet:?}");
    let owned = round_trip::<OwnedPet>(json!({"kind": "cat", "lives": 9, "owner": "ann"}));
    assert!(matches!(owned, OwnedPet::Variant0 { .. }), "{owned:?}");
}

#[test]
fn enums_narrowed_or_approximated() {
    round_trip::<NarrowScope>(json!("applications.commands"));
    refused::<NarrowScope>(json!("email"));
    // Values typify cannot name apart: a string, every value kept.
    for mark in [".", "X", "O"] {
        round_trip::<Mark>(json!(mark));
    }
}

/// The error of decoding `value` as `T`, as its message.
fn refusal<T: DeserializeOwned + std::fmt::Debug>(value: Value) -> String {
    match serde_json::from_value::<T>(value.clone()) {
        Ok(t) => panic!("{value} was accepted as {t:?}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn untagged_unions_take_the_variant_of_the_json_kind() {
    use MetricValue as M;
    // Arrays never become a struct (derived structs also read arrays, by position).
    let v = round_trip::<M>(json!(["toxic"]));
    assert!(
        matches!(&v, M::Variant11(list) if list == &["toxic"]),
        "{v:?}"
    );
    let v = round_trip::<M>(json!([[1, 2], [3, 4]]));
    assert!(
        matches!(&v, M::Variant12(rows) if rows == &[vec![1, 2], vec![3, 4]]),
        "{v:?}"
    );
    let v = round_trip::<M>(json!([]));
    assert!(matches!(&v, M::Variant11(list) if list.is_empty()), "{v:?}");
    // Objects: the struct that refuses unknown fields, then more required fields first,
    // the map last.
    let v = round_trip::<M>(json!({"start": 1, "end": 4, "label": "x"}));
    assert!(
        matches!(&v, M::Variant8(s) if s.start == 1 && s.end == 4),
        "{v:?}"
    );
    let v = round_trip::<M>(json!({"content": "toxic"}));
    assert!(
        matches!(&v, M::Variant7(n) if n.content == "toxic"),
        "{v:?}"
    );
    let v = round_trip::<M>(json!({"flag": true}));
    assert!(
        matches!(&v, M::Variant9(s) if s.flag == Some(true)),
        "{v:?}"
    );
    let v = round_trip::<M>(json!({"a": 1, "b": 2}));
    assert!(
        matches!(&v, M::Variant10(m) if m.len() == 2 && m["b"] == 2),
        "{v:?}"
    );
    // Strings: formatted strings and enums before the plain string.
    let id = "6f1c2b9e-1d2f-4c3b-9a8e-7d6c5b4a3f21";
    let v = round_trip::<M>(json!(id));
    assert!(matches!(&v, M::Variant4(u) if u.to_string() == id), "{v:?}");
    let v = round_trip::<M>(json!("2026-01-02T03:04:05Z"));
    assert!(
        matches!(&v, M::Variant5(t) if t.timestamp() == 1_767_323_045),
        "{v:?}"
    );
    let v = round_trip::<M>(json!("high"));
    assert!(matches!(&v, M::Variant6(Level::High)), "{v:?}");
    let v = round_trip::<M>(json!("toxic"));
    assert!(matches!(&v, M::Variant0(s) if s == "toxic"), "{v:?}");
    // Numbers: an integer stays an integer; a float or an integer beyond 64 bits is a
    // number (the schema's `number`: anything an `i64` cannot hold).
    let v = round_trip::<M>(json!(7));
    assert!(matches!(&v, M::Variant1(7)), "{v:?}");
    let v = round_trip::<M>(json!(2.5));
    assert!(matches!(&v, M::Variant2(f) if *f == 2.5), "{v:?}");
    let big: M = serde_json::from_str("12345678901234567890").expect("wide integer");
    assert!(
        matches!(&big, M::Variant2(f) if *f == 12_345_678_901_234_567_890.0),
        "{big:?}"
    );
    let v = round_trip::<M>(json!(false));
    assert!(matches!(&v, M::Variant3(false)), "{v:?}");
}

#[test]
fn untagged_unions_say_why_nothing_matched() {
    // No variant takes the kind: the kinds it takes.
    let message = refusal::<MetricValue>(json!(null));
    assert_eq!(
        message,
        "invalid type: null, expected a boolean, an integer, a floating point number, \
         a string, an array or an object"
    );
    // Several candidates: each one's reason, by its type.
    let message = refusal::<MetricValue>(json!([1, 2, 3, 4]));
    assert!(
        message.starts_with("an array matches no variant of `MetricValue`: Vec<String>: at `[0]`: invalid type: integer `1`, expected a string; Vec<Vec<i64>>: at `[0]`: invalid type: integer `1`, expected a sequence"),
        "{message}"
    );
    // One candidate: its reason alone, with the path inside it (here the inner union's
    // reason: no variant takes `1`).
    let message = refusal::<Nested>(json!(["a", 1]));
    assert_eq!(
        message,
        "at `[1]`: invalid type: an integer, expected a string or an array"
    );
}

#[test]
fn recursive_untagged_unions_decode() {
    let v = round_trip::<Nested>(json!(["a", ["b", ["c"]], []]));
    let Nested::Array(items) = &v else {
        panic!("{v:?}")
    };
    assert!(matches!(&items[0], Nested::String(s) if s == "a"));
    assert!(matches!(&items[1], Nested::Array(inner) if inner.len() == 2));
    refused::<Nested>(json!({"a": 1}));
}
