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
