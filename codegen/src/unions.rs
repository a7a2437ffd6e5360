//! Station 5: discriminated unions deserialize by their tag.
//!
//! typify turns a `oneOf` of `$ref`s into an untagged enum. After the normalizer made the
//! tag property required and single-valued in every variant, serializing that enum always
//! writes the tag. Deserializing it untagged would *guess*; here the derived
//! `Deserialize` is replaced by one that reads the tag and dispatches on it, and rejects
//! an unknown tag naming it and the allowed ones. A variant's refusal carries the field
//! path inside it (see [`crate::untagged::helpers`]).

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

/// The identifiers of the enums of `file`'s `types` module that [`tag_dispatch`] gave a
/// tag-dispatching `Deserialize` (`left` is what it returned as not rewritten).
pub fn dispatched_enums(
    file: &syn::File,
    unions: &[DiscriminatedUnion],
    left: &[String],
) -> std::collections::HashSet<String> {
    let names: Vec<String> = unions
        .iter()
        .filter(|u| !left.contains(&u.name))
        .map(|u| canon(&u.name))
        .collect();
    let mut out = std::collections::HashSet::new();
    for item in &file.items {
        let Item::Mod(module) = item else { continue };
        if module.ident != "types" {
            continue;
        }
        for item in module.content.iter().flat_map(|(_, items)| items) {
            if let Item::Enum(e) = item {
                let ident = e.ident.to_string();
                if names.contains(&canon(&ident)) {
                    out.insert(ident);
                }
            }
        }
    }
    out
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
        let (variant, ty) = e.variants.iter().find_map(|v| match &v.fields {
            Fields::Unnamed(f)
                if f.unnamed.len() == 1
                    && payload_ident(&f.unnamed[0].ty)
                        .is_some_and(|p| canon(&p) == canon(schema)) =>
            {
                Some((v.ident.clone(), f.unnamed[0].ty.clone()))
            }
            _ => None,
        })?;
        arms.push((tag.clone(), variant, ty));
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
    let mut sorted: Vec<&String> = arms.iter().map(|(t, _, _)| t).collect();
    sorted.sort();
    let helper = crate::untagged::helpers::helper_ident();
    let match_arms = arms.iter().map(|(tag, variant, ty)| {
        quote! {
            #tag => <#ty as ::serde::Deserialize>::deserialize(&value)
                .map(Self::#variant)
                .map_err(|e| <D::Error as ::serde::de::Error>::custom(#helper::<#ty>(&value, e))),
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
