//! Station 5: discriminated unions deserialize by their tag.
//!
//! typify turns a `oneOf` of `$ref`s into an untagged enum. After the normalizer made the
//! tag property required and single-valued in every variant, serializing that enum always
//! writes the tag. Deserializing it untagged would *guess*; here the derived
//! `Deserialize` is replaced by one that reads the tag and dispatches on it, and rejects
//! an unknown tag naming it and the allowed ones.

use quote::{format_ident, quote};
use syn::{Fields, Item, ItemEnum, Type};

use crate::normalize::DiscriminatedUnion;

/// Canonical form of a name for matching schema names to typify's identifiers.
fn canon(s: &str) -> String {
    s.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// The last path segment of a variant's payload type, looking through `Box<..>`.
fn payload_ident(ty: &Type) -> Option<String> {
    let Type::Path(p) = ty else { return None };
    let last = p.path.segments.last()?;
    if last.ident == "Box" {
        if let syn::PathArguments::AngleBracketed(args) = &last.arguments {
            if let Some(syn::GenericArgument::Type(inner)) = args.args.first() {
                return payload_ident(inner);
            }
        }
    }
    Some(last.ident.to_string())
}

/// Rewrite every enum of `file` that implements one of `unions`. Returns the file and
/// the names of the unions left as typify made them (no matching untagged enum).
pub fn tag_dispatch(
    mut file: syn::File,
    unions: &[DiscriminatedUnion],
) -> (syn::File, Vec<String>) {
    let mut done = Vec::new();
    for item in &mut file.items {
        if let Item::Mod(module) = item {
            if module.ident == "types" {
                if let Some((_, items)) = &mut module.content {
                    rewrite_items(items, unions, &mut done);
                }
            }
        }
    }
    // A one-variant union has nothing to dispatch: typify makes it the variant itself.
    let left = unions
        .iter()
        .filter(|u| u.mapping.len() > 1 && !done.contains(&u.name))
        .map(|u| u.name.clone())
        .collect();
    (file, left)
}

fn rewrite_items(items: &mut Vec<Item>, unions: &[DiscriminatedUnion], done: &mut Vec<String>) {
    let mut extra = Vec::new();
    for item in items.iter_mut() {
        let Item::Enum(e) = item else { continue };
        let name = canon(&e.ident.to_string());
        let Some(union) = unions.iter().find(|u| canon(&u.name) == name) else {
            continue;
        };
        if let Some(impl_item) = rewrite_enum(e, union) {
            extra.push(impl_item);
            done.push(union.name.clone());
        }
    }
    items.extend(extra);
}

fn rewrite_enum(e: &mut ItemEnum, union: &DiscriminatedUnion) -> Option<Item> {
    let is_untagged = e
        .attrs
        .iter()
        .any(|a| a.path().is_ident("serde") && quote!(#a).to_string().contains("untagged"));
    if !is_untagged {
        return None;
    }
    // tag → variant ident, found through each variant's payload type.
    let mut arms = Vec::new();
    for (tag, schema) in &union.mapping {
        let variant = e.variants.iter().find(|v| match &v.fields {
            Fields::Unnamed(f) if f.unnamed.len() == 1 => {
                payload_ident(&f.unnamed[0].ty).is_some_and(|p| canon(&p) == canon(schema))
            }
            _ => false,
        })?;
        arms.push((tag.clone(), variant.ident.clone()));
    }
    if arms.len() != e.variants.len() {
        return None;
    }
    // Drop the derived Deserialize; Serialize stays (untagged: the payload writes its tag).
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
    let ident = &e.ident;
    let property = &union.property;
    let mut sorted: Vec<&String> = arms.iter().map(|(t, _)| t).collect();
    sorted.sort();
    let match_arms = arms.iter().map(|(tag, variant)| {
        quote! {
            #tag => ::serde_json::from_value(value)
                .map(Self::#variant)
                .map_err(<D::Error as ::serde::de::Error>::custom),
        }
    });
    let expecting = format_ident!("{}", "VARIANTS");
    Some(syn::parse_quote! {
        impl<'de> ::serde::Deserialize<'de> for #ident {
            fn deserialize<D>(deserializer: D) -> ::std::result::Result<Self, D::Error>
            where
                D: ::serde::Deserializer<'de>,
            {
                const #expecting: &[&str] = &[#(#sorted),*];
                let value = <::serde_json::Value as ::serde::Deserialize>::deserialize(deserializer)?;
                let tag = match value.get(#property) {
                    Some(::serde_json::Value::String(tag)) => tag.clone(),
                    Some(other) => {
                        return Err(<D::Error as ::serde::de::Error>::custom(format!(
                            "`{}` must be a string, found {}",
                            #property, other
                        )))
                    }
                    None => return Err(<D::Error as ::serde::de::Error>::missing_field(#property)),
                };
                match tag.as_str() {
                    #(#match_arms)*
                    other => Err(<D::Error as ::serde::de::Error>::unknown_variant(other, #expecting)),
                }
            }
        }
    })
}
