//! The one helper the generated union deserializers share: why a variant refused a value,
//! with the field path inside the variant.
//!
//! A union's deserializer reads the JSON into a `serde_json::Value` first (it must look
//! at the value before choosing a variant), and a `Value` forgets where it came from: a
//! field path tracked around the whole record stops at the union. So when the chosen
//! variant refuses the value, the value is decoded once more with
//! `serde_path_to_error`, only on that failure, and the reason becomes
//! ``at `input[0].text`: invalid type: …``. A reason that already starts that way (a union
//! inside the variant) is joined into one path. `galileo-export`'s record errors read the
//! same form and join it to the path outside the union.

use quote::format_ident;
use syn::{Ident, Item};

/// The name of the helper in the generated `types` module.
pub fn helper_ident() -> Ident {
    format_ident!("__union_failure")
}

/// The helper function, to add once to a `types` module whose unions call it.
pub fn helper_item() -> Item {
    let ident = helper_ident();
    syn::parse_quote! {
        /// Why a variant of a union refused `value`: the reason of `error`, with the field
        /// path inside the variant when there is one (``at `input[0].text`: …``).
        fn #ident<T>(value: &::serde_json::Value, error: ::serde_json::Error) -> ::std::string::String
        where
            T: ::serde::de::DeserializeOwned,
        {
            let Err(tracked) = ::serde_path_to_error::deserialize::<_, T>(value) else {
                return error.to_string();
            };
            let path = tracked.path().to_string();
            let reason = tracked.into_inner().to_string();
            if path == "." {
                return reason;
            }
            match reason.strip_prefix("at `").and_then(|rest| rest.split_once("`: ")) {
                ::std::option::Option::Some((inner, rest)) => {
                    let dot = if inner.starts_with('[') { "" } else { "." };
                    ::std::format!("at `{path}{dot}{inner}`: {rest}")
                }
                ::std::option::Option::None => ::std::format!("at `{path}`: {reason}"),
            }
        }
    }
}

/// Add the helper to the `types` module of `file`.
pub fn add_helper(mut file: syn::File) -> syn::File {
    for item in &mut file.items {
        if let Item::Mod(module) = item {
            if module.ident == "types" {
                if let Some((_, items)) = &mut module.content {
                    items.push(helper_item());
                }
            }
        }
    }
    file
}
