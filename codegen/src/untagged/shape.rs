//! Which JSON kinds a generated type accepts, and how specifically.
//!
//! A [`Shape`] holds, for each of the seven JSON kinds ([`Kind`]), whether the type can
//! deserialize a value of that kind and, if so, a *specificity score*: the higher, the
//! narrower the set of values of that kind the type admits (a `Uuid` over a `String`, an
//! `i64` over an `f64`, a struct with required fields over a map, anything over
//! `serde_json::Value`). The classification is syntactic, on the generated code; what it
//! cannot see through (a type outside the generated module it does not know, a custom
//! `Deserialize`, a recursive cycle) it treats as accepting every kind with the lowest
//! score, so a union containing it still tries it, after the types it can judge.

use std::collections::{HashMap, HashSet};

use quote::quote;
use syn::{Attribute, Fields, GenericArgument, Item, PathArguments, Type};

/// A JSON kind, as the generated dispatcher tells them apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `null`.
    Null,
    /// `true` / `false`.
    Bool,
    /// A number without fraction or exponent that fits 64 bits (signed or unsigned).
    Integer,
    /// Any other number.
    Float,
    /// A string.
    String,
    /// An array.
    Array,
    /// An object.
    Object,
}

impl Kind {
    /// Every kind, in the order of a [`Shape`].
    pub const ALL: [Kind; 7] = [
        Kind::Null,
        Kind::Bool,
        Kind::Integer,
        Kind::Float,
        Kind::String,
        Kind::Array,
        Kind::Object,
    ];

    /// The kind in words, as serde names unexpected values.
    pub fn noun(self) -> &'static str {
        match self {
            Kind::Null => "null",
            Kind::Bool => "a boolean",
            Kind::Integer => "an integer",
            Kind::Float => "a floating point number",
            Kind::String => "a string",
            Kind::Array => "an array",
            Kind::Object => "an object",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// Scores: the order in which the variants of a union are tried for one kind.
pub mod score {
    /// `serde_json::Value`, or a type the classifier cannot see through.
    pub const ANY: u32 = 0;
    /// A type that takes every value of its kind: `String`, `f64`, a map.
    pub const BROAD: u32 = 10;
    /// A list of any length.
    pub const LIST: u32 = 20;
    /// A struct: this plus two per required field (plus [`STRICT`] if it refuses
    /// unknown fields).
    pub const STRUCT: u32 = 20;
    /// A struct that refuses unknown fields is tried before every lax one.
    pub const STRICT: u32 = 1000;
    /// A value of a narrower set: an integer type, a boolean, `null`, a formatted
    /// string (`Uuid`, `DateTime`, …), a string enum, a tuple.
    pub const EXACT: u32 = 30;
    /// A newtype over another type (a constrained value) adds this to its inner score.
    pub const NEWTYPE: u32 = 5;
}

/// Per-kind acceptance and specificity of one type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Shape([Option<u32>; 7]);

impl Shape {
    /// Accepts every kind, at [`score::ANY`].
    pub fn any() -> Self {
        Shape([Some(score::ANY); 7])
    }

    fn only(kinds: &[Kind], score: u32) -> Self {
        let mut shape = Shape::default();
        for kind in kinds {
            shape.0[kind.index()] = Some(score);
        }
        shape
    }

    /// The score for `kind`, `None` if the type refuses that kind.
    pub fn score(&self, kind: Kind) -> Option<u32> {
        self.0[kind.index()]
    }

    fn set(&mut self, kind: Kind, score: u32) {
        self.0[kind.index()] = Some(score);
    }

    /// Per kind, the best of both (a union of the two types).
    fn merge(self, other: Shape) -> Shape {
        let mut out = self;
        for (slot, theirs) in out.0.iter_mut().zip(other.0) {
            *slot = match (*slot, theirs) {
                (Some(a), Some(b)) => Some(a.max(b)),
                (a, b) => a.or(b),
            };
        }
        out
    }

    fn plus(self, extra: u32) -> Shape {
        Shape(self.0.map(|s| s.map(|s| s.saturating_add(extra))))
    }
}

/// Classifies the types of one generated `types` module.
pub struct Classifier<'a> {
    items: HashMap<String, &'a Item>,
    /// Enums whose (custom) `Deserialize` dispatches on a tag property: objects.
    tagged: HashSet<String>,
    memo: HashMap<String, Shape>,
    visiting: HashSet<String>,
}

impl<'a> Classifier<'a> {
    /// A classifier over `items` (the `types` module); `tagged` names the enums given a
    /// tag-dispatching `Deserialize`.
    pub fn new(items: &'a [Item], tagged: HashSet<String>) -> Self {
        let mut map = HashMap::new();
        for item in items {
            let ident = match item {
                Item::Struct(s) => &s.ident,
                Item::Enum(e) => &e.ident,
                Item::Type(t) => &t.ident,
                _ => continue,
            };
            map.insert(ident.to_string(), item);
        }
        Classifier {
            items: map,
            tagged,
            memo: HashMap::new(),
            visiting: HashSet::new(),
        }
    }

    /// The shape of a type as written in the generated code.
    pub fn shape_of(&mut self, ty: &Type) -> Shape {
        match ty {
            Type::Path(p) if p.qself.is_none() => {
                let segments = &p.path.segments;
                let Some(last) = segments.last() else {
                    return Shape::any();
                };
                let local = p.path.leading_colon.is_none()
                    && segments.iter().rev().skip(1).all(|s| {
                        matches!(
                            s.ident.to_string().as_str(),
                            "self" | "super" | "crate" | "types"
                        )
                    });
                let name = last.ident.to_string();
                if local && self.items.contains_key(&name) {
                    return self.named(&name);
                }
                self.known(&name, &last.arguments)
            }
            Type::Tuple(t) if t.elems.is_empty() => Shape::only(&[Kind::Null], score::EXACT),
            Type::Tuple(_) | Type::Array(_) => Shape::only(&[Kind::Array], score::EXACT),
            Type::Slice(_) => Shape::only(&[Kind::Array], score::LIST),
            Type::Paren(p) => self.shape_of(&p.elem),
            Type::Group(g) => self.shape_of(&g.elem),
            _ => Shape::any(),
        }
    }

    /// Types from outside the generated module, by their last path segment.
    fn known(&mut self, name: &str, args: &PathArguments) -> Shape {
        let first_arg = || match args {
            PathArguments::AngleBracketed(a) => a.args.iter().find_map(|g| match g {
                GenericArgument::Type(t) => Some(t.clone()),
                _ => None,
            }),
            _ => None,
        };
        match name {
            "String" | "str" | "char" => Shape::only(&[Kind::String], score::BROAD),
            "Uuid" | "DateTime" | "NaiveDate" | "NaiveTime" | "NaiveDateTime" | "IpAddr"
            | "Ipv4Addr" | "Ipv6Addr" => Shape::only(&[Kind::String], score::EXACT),
            "bool" => Shape::only(&[Kind::Bool], score::EXACT),
            "i8" | "i16" | "i32" | "i64" | "i128" | "isize" | "u8" | "u16" | "u32" | "u64"
            | "u128" | "usize" => Shape::only(&[Kind::Integer], score::EXACT),
            n if n.starts_with("NonZero") => Shape::only(&[Kind::Integer], score::EXACT),
            "f32" | "f64" => Shape::only(&[Kind::Integer, Kind::Float], score::BROAD),
            "Vec" | "HashSet" | "BTreeSet" | "VecDeque" => Shape::only(&[Kind::Array], score::LIST),
            "HashMap" | "BTreeMap" | "Map" | "IndexMap" => {
                Shape::only(&[Kind::Object], score::BROAD)
            }
            "Box" | "Rc" | "Arc" => first_arg().map_or_else(Shape::any, |t| self.shape_of(&t)),
            "Option" => {
                let mut inner = first_arg().map_or_else(Shape::any, |t| self.shape_of(&t));
                inner.set(Kind::Null, score::EXACT);
                inner
            }
            _ => Shape::any(),
        }
    }

    /// A type of the generated module, memoized; a cycle is [`Shape::any`].
    fn named(&mut self, name: &str) -> Shape {
        if let Some(shape) = self.memo.get(name) {
            return *shape;
        }
        if !self.visiting.insert(name.to_string()) {
            return Shape::any();
        }
        let item = self.items[name];
        let shape = match item {
            Item::Type(t) => self.shape_of(&t.ty),
            Item::Struct(s) => {
                if has_serde(&s.attrs, &["try_from", "from"]) {
                    Shape::any()
                } else if has_serde(&s.attrs, &["transparent"]) {
                    match s.fields.iter().next() {
                        Some(f) => self.shape_of(&f.ty),
                        None => Shape::any(),
                    }
                } else {
                    self.fields_shape(&s.fields, &s.attrs)
                }
            }
            Item::Enum(e) => {
                if has_serde(&e.attrs, &["untagged"]) {
                    let mut shape = Shape::default();
                    for v in &e.variants {
                        let v_shape = self.fields_shape(&v.fields, &v.attrs);
                        shape = shape.merge(v_shape);
                    }
                    shape
                } else if self.tagged.contains(name) || has_serde(&e.attrs, &["tag"]) {
                    Shape::only(&[Kind::Object], score::STRUCT + 2)
                } else if !derives_deserialize(&e.attrs) {
                    Shape::any()
                } else if e.variants.iter().all(|v| matches!(v.fields, Fields::Unit)) {
                    Shape::only(&[Kind::String], score::EXACT)
                } else {
                    // Externally tagged: unit variants are strings, the others objects.
                    let mut shape = Shape::only(&[Kind::Object], score::STRUCT + 2);
                    if e.variants.iter().any(|v| matches!(v.fields, Fields::Unit)) {
                        shape.set(Kind::String, score::EXACT);
                    }
                    shape
                }
            }
            _ => Shape::any(),
        };
        self.visiting.remove(name);
        self.memo.insert(name.to_string(), shape);
        shape
    }

    /// The shape of a struct's or variant's fields as serde derives them.
    pub fn fields_shape(&mut self, fields: &Fields, attrs: &[Attribute]) -> Shape {
        match fields {
            Fields::Unit => Shape::only(&[Kind::Null], score::EXACT),
            Fields::Unnamed(f) if f.unnamed.len() == 1 => {
                self.shape_of(&f.unnamed[0].ty).plus(score::NEWTYPE)
            }
            Fields::Unnamed(_) => Shape::only(&[Kind::Array], score::EXACT),
            Fields::Named(named) => {
                let required = named
                    .named
                    .iter()
                    .filter(|f| {
                        !is_option(&f.ty)
                            && !has_serde(&f.attrs, &["default", "skip", "skip_deserializing"])
                    })
                    .count();
                let mut s = score::STRUCT + 2 * u32::try_from(required).unwrap_or(u32::MAX / 4);
                if has_serde(attrs, &["deny_unknown_fields"]) {
                    s = s.saturating_add(score::STRICT);
                }
                Shape::only(&[Kind::Object], s)
            }
        }
    }
}

/// Whether a `#[serde(..)]` attribute of `attrs` names one of `words` (as a flag or a
/// `key = value`).
pub fn has_serde(attrs: &[Attribute], words: &[&str]) -> bool {
    attrs
        .iter()
        .filter(|a| a.path().is_ident("serde"))
        .any(|a| {
            let mut found = false;
            let _ = a.parse_nested_meta(|meta| {
                if words.iter().any(|w| meta.path.is_ident(w)) {
                    found = true;
                }
                // Skip a value (`= "..."`) or a nested list without judging it.
                if meta.input.peek(syn::Token![=]) {
                    let _: syn::Expr = meta.value()?.parse()?;
                } else if meta.input.peek(syn::token::Paren) {
                    let _content;
                    syn::parenthesized!(_content in meta.input);
                }
                Ok(())
            });
            found
        })
}

/// Whether `ty` is an `Option<..>` (serde lets such a field be missing).
fn is_option(ty: &Type) -> bool {
    matches!(ty, Type::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == "Option"))
}

/// Whether a `#[derive(..)]` of `attrs` lists `Deserialize`.
pub fn derives_deserialize(attrs: &[Attribute]) -> bool {
    attrs
        .iter()
        .filter(|a| a.path().is_ident("derive"))
        .any(|a| {
            let text = quote!(#a).to_string();
            text.split(|c: char| !c.is_alphanumeric() && c != '_')
                .any(|w| w == "Deserialize")
        })
}
