//! Station 5c: untagged unions pick the branch the JSON actually is.
//!
//! typify turns an `anyOf`/`oneOf` without a discriminator into a `#[serde(untagged)]`
//! enum, and serde's derived untagged deserializer tries the variants in declaration
//! order, keeping the first that does not fail. That guesses wrong whenever an earlier
//! variant is laxer than the JSON warrants: a derived struct also accepts a JSON array
//! (its fields by position), so in `anyOf: [Segment, array of strings]` the value
//! `["toxic"]` became a `Segment`; in `anyOf: [string, string/uuid]` a UUID stayed a plain
//! string; and a failure says only "data did not match any variant".
//!
//! Here the derived `Deserialize` of every such enum is replaced by one that
//!
//! 1. reads the JSON value and looks at its **kind** (null, boolean, integer, other
//!    number, string, array, object);
//! 2. tries **only the variants whose type accepts that kind** (a struct is tried on
//!    objects only, a list on arrays only, a `String` on strings only), **most specific
//!    first** (see [`shape::score`]): a formatted string or a string enum before a plain
//!    string, an integer type before `f64`, a tuple before a list, a struct that refuses
//!    unknown fields before one that does not, a struct with more required fields before
//!    one with fewer, a map after every struct, `serde_json::Value` last; equal scores keep
//!    the spec's order;
//! 3. fails with the reason of the one candidate (with the field path inside it, see
//!    [`helpers`]), or every candidate's reason, or, when no variant takes the kind,
//!    `invalid type: an array, expected a string or an object`.
//!
//! Serializing is unchanged (the derived untagged `Serialize` writes the payload as is).

pub mod helpers;
pub mod shape;

use std::collections::HashSet;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::{Fields, Item, ItemEnum};

use shape::{derives_deserialize, has_serde, Classifier, Kind};

/// Rewrite the untagged enums of the `types` module of `file`. `tagged` lists the enums
/// already given a tag-dispatching `Deserialize` (by identifier). Returns the file and
/// the identifiers of the enums rewritten.
pub fn kind_dispatch(mut file: syn::File, tagged: &HashSet<String>) -> (syn::File, Vec<String>) {
    let mut done = Vec::new();
    for item in &mut file.items {
        if let Item::Mod(module) = item {
            if module.ident == "types" {
                if let Some((_, items)) = &mut module.content {
                    rewrite_items(items, tagged, &mut done);
                }
            }
        }
    }
    (file, done)
}

/// One variant's attempt, ranked for one kind.
struct Attempt {
    score: u32,
    order: usize,
    code: TokenStream,
}

fn rewrite_items(items: &mut Vec<Item>, tagged: &HashSet<String>, done: &mut Vec<String>) {
    let mut impls = Vec::new();
    let mut rewritten = Vec::new();
    {
        let mut classifier = Classifier::new(items, tagged.clone());
        for (index, item) in items.iter().enumerate() {
            let Item::Enum(e) = item else { continue };
            if !eligible(e) {
                continue;
            }
            impls.push(deserialize_impl(e, &mut classifier));
            rewritten.push(index);
        }
    }
    for index in rewritten {
        if let Item::Enum(e) = &mut items[index] {
            drop_derived_deserialize(e);
            done.push(e.ident.to_string());
        }
    }
    items.extend(impls);
}

/// An untagged enum with a derived `Deserialize`, no generics, and no serde attribute on
/// a variant or field that a hand-made dispatcher would have to honour.
fn eligible(e: &ItemEnum) -> bool {
    has_serde(&e.attrs, &["untagged"])
        && derives_deserialize(&e.attrs)
        && e.generics.params.is_empty()
        && !e.variants.is_empty()
        && e.variants.iter().all(|v| {
            !v.attrs.iter().any(|a| a.path().is_ident("serde"))
                && match &v.fields {
                    Fields::Unnamed(f) => f
                        .unnamed
                        .iter()
                        .all(|f| !f.attrs.iter().any(|a| a.path().is_ident("serde"))),
                    _ => true,
                }
        })
}

fn drop_derived_deserialize(e: &mut ItemEnum) {
    for attr in &mut e.attrs {
        if !attr.path().is_ident("derive") {
            continue;
        }
        let Ok(paths) = attr.parse_args_with(
            syn::punctuated::Punctuated::<syn::Path, syn::Token![,]>::parse_terminated,
        ) else {
            continue;
        };
        let kept: Vec<&syn::Path> = paths
            .iter()
            .filter(|p| p.segments.last().is_none_or(|s| s.ident != "Deserialize"))
            .collect();
        *attr = syn::parse_quote!(#[derive(#(#kept),*)]);
    }
}

/// The expression that tries variant `v` on `value` (a `&serde_json::Value` in scope):
/// returns from the function on success, pushes the reason onto `failures` otherwise.
fn attempt_code(e: &ItemEnum, v: &syn::Variant) -> TokenStream {
    let variant = &v.ident;
    let label = variant_label(v);
    let helper = helpers::helper_ident();
    match &v.fields {
        Fields::Unit => quote! { return ::std::result::Result::Ok(Self::#variant); },
        Fields::Unnamed(f) if f.unnamed.len() == 1 => {
            let ty = &f.unnamed[0].ty;
            quote! {
                match <#ty as ::serde::Deserialize>::deserialize(value) {
                    ::std::result::Result::Ok(v) => return ::std::result::Result::Ok(Self::#variant(v)),
                    ::std::result::Result::Err(e) => failures.push((#label, #helper::<#ty>(value, e))),
                }
            }
        }
        Fields::Unnamed(f) => {
            let tys: Vec<_> = f.unnamed.iter().map(|f| &f.ty).collect();
            let names: Vec<_> = (0..tys.len()).map(|i| format_ident!("f{}", i)).collect();
            quote! {
                match <(#(#tys,)*) as ::serde::Deserialize>::deserialize(value) {
                    ::std::result::Result::Ok((#(#names,)*)) => {
                        return ::std::result::Result::Ok(Self::#variant(#(#names),*))
                    }
                    ::std::result::Result::Err(e) => {
                        failures.push((#label, #helper::<(#(#tys,)*)>(value, e)))
                    }
                }
            }
        }
        Fields::Named(named) => {
            // A struct of the same fields (and serde attributes), derived, then moved in.
            let helper_struct = format_ident!("__{}{}", e.ident, variant);
            let fields = named.named.iter().map(|f| {
                let attrs = f.attrs.iter().filter(|a| a.path().is_ident("serde"));
                let (name, ty) = (&f.ident, &f.ty);
                quote! { #(#attrs)* #name: #ty }
            });
            let names: Vec<_> = named.named.iter().map(|f| &f.ident).collect();
            let container = v.attrs.iter().filter(|a| a.path().is_ident("serde"));
            quote! {
                {
                    #[derive(::serde::Deserialize)]
                    #(#container)*
                    struct #helper_struct { #(#fields),* }
                    match <#helper_struct as ::serde::Deserialize>::deserialize(value) {
                        ::std::result::Result::Ok(#helper_struct { #(#names),* }) => {
                            return ::std::result::Result::Ok(Self::#variant { #(#names),* })
                        }
                        ::std::result::Result::Err(e) => {
                            failures.push((#label, #helper::<#helper_struct>(value, e)))
                        }
                    }
                }
            }
        }
    }
}

/// How a failure names a variant: its payload type when it has one (`Segment`), else
/// the variant's name.
fn variant_label(v: &syn::Variant) -> String {
    match &v.fields {
        Fields::Unnamed(f) if f.unnamed.len() == 1 => {
            let ty = &f.unnamed[0].ty;
            let text = quote!(#ty).to_string().replace(' ', "");
            text.replace("::std::option::", "")
                .replace("::std::vec::", "")
                .replace("::std::string::", "")
                .replace("::std::collections::", "")
                .replace("::serde_json::", "")
                .replace("::chrono::offset::", "")
                .replace("::chrono::", "")
                .replace("::uuid::", "")
        }
        _ => v.ident.to_string(),
    }
}

fn deserialize_impl(e: &ItemEnum, classifier: &mut Classifier<'_>) -> Item {
    let ident = &e.ident;
    let shapes: Vec<_> = e
        .variants
        .iter()
        .map(|v| classifier.fields_shape(&v.fields, &v.attrs))
        .collect();
    let mut arms = Vec::new();
    let mut accepted = Vec::new();
    for kind in Kind::ALL {
        let mut attempts: Vec<Attempt> = e
            .variants
            .iter()
            .zip(&shapes)
            .enumerate()
            .filter_map(|(order, (v, shape))| {
                shape.score(kind).map(|score| Attempt {
                    score,
                    order,
                    code: attempt_code(e, v),
                })
            })
            .collect();
        if attempts.is_empty() {
            continue;
        }
        accepted.push(kind.noun());
        attempts.sort_by(|a, b| b.score.cmp(&a.score).then(a.order.cmp(&b.order)));
        let codes = attempts.iter().map(|a| &a.code);
        let pattern = kind_pattern(kind);
        arms.push(quote! { #pattern => { #(#codes)* } });
    }
    let expected = match accepted.as_slice() {
        [] => String::from("nothing"),
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} or {}", init.join(", "), last),
    };
    let name = ident.to_string();
    syn::parse_quote! {
        impl<'de> ::serde::Deserialize<'de> for #ident {
            fn deserialize<D>(deserializer: D) -> ::std::result::Result<Self, D::Error>
            where
                D: ::serde::Deserializer<'de>,
            {
                let value = <::serde_json::Value as ::serde::Deserialize>::deserialize(deserializer)?;
                let value = &value;
                #[allow(unused_mut)]
                let mut failures: ::std::vec::Vec<(&str, ::std::string::String)> = ::std::vec::Vec::new();
                let found = match value {
                    ::serde_json::Value::Null => "null",
                    ::serde_json::Value::Bool(_) => "a boolean",
                    ::serde_json::Value::Number(n) if n.is_i64() || n.is_u64() => "an integer",
                    ::serde_json::Value::Number(_) => "a floating point number",
                    ::serde_json::Value::String(_) => "a string",
                    ::serde_json::Value::Array(_) => "an array",
                    ::serde_json::Value::Object(_) => "an object",
                };
                #[allow(unreachable_patterns)]
                match value {
                    #(#arms)*
                    _ => {}
                }
                let message = match failures.as_slice() {
                    [] => ::std::format!("invalid type: {}, expected {}", found, #expected),
                    [(_, reason)] => reason.clone(),
                    all => ::std::format!(
                        "{} matches no variant of `{}`: {}",
                        found,
                        #name,
                        all.iter()
                            .map(|(variant, reason)| ::std::format!("{variant}: {reason}"))
                            .collect::<::std::vec::Vec<_>>()
                            .join("; ")
                    ),
                };
                ::std::result::Result::Err(<D::Error as ::serde::de::Error>::custom(message))
            }
        }
    }
}

fn kind_pattern(kind: Kind) -> TokenStream {
    match kind {
        Kind::Null => quote! { ::serde_json::Value::Null },
        Kind::Bool => quote! { ::serde_json::Value::Bool(_) },
        Kind::Integer => quote! { ::serde_json::Value::Number(n) if n.is_i64() || n.is_u64() },
        Kind::Float => quote! { ::serde_json::Value::Number(_) },
        Kind::String => quote! { ::serde_json::Value::String(_) },
        Kind::Array => quote! { ::serde_json::Value::Array(_) },
        Kind::Object => quote! { ::serde_json::Value::Object(_) },
    }
}
