//! The values filters compare with: [`Number`] (a JSON number exactly as
//! written), [`NumberValue`], [`TextValue`], [`IdValue`], and the RFC 3339 form
//! of dates.
//!
//! Invariants: an integer that fits `i64` is always [`Number::Int`]; integers stay
//! integers and floats stay floats on the wire; dates are written in UTC with a
//! `Z` suffix and as many fractional digits as needed.

use std::cmp::Ordering;
use std::fmt;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::ser::{SerializeSeq, Serializer};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[cfg(doc)]
use super::{CollectionFilter, CollectionFilterBuilder, IdFilter, NumberFilter, TextFilter};

/// A JSON number as the API receives it, exactly as written: integers stay
/// integers (`100`, and `12345678901234567890` beyond `i64` too, never a float),
/// floats stay floats (`100.0`).
///
/// Built with `From` from `i8`–`i64`, `u8`–`u64`, `isize`, `usize`, `f32` and
/// `f64`; an integer that fits `i64` is always [`Number::Int`].
///
/// ```
/// use galileo_export::filter::Number;
///
/// assert_eq!(Number::from(100), Number::Int(100));
/// assert_eq!(serde_json::to_string(&Number::from(100))?, "100");
/// assert_eq!(serde_json::to_string(&Number::from(0.5))?, "0.5");
/// assert_eq!(Number::from(12_345_678_901_234_567_890_u64), Number::UInt(12_345_678_901_234_567_890));
/// assert_eq!(serde_json::to_string(&Number::from(u64::MAX))?, "18446744073709551615");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Number {
    /// An integer, written without a fraction.
    Int(i64),
    /// An integer above `i64::MAX` (up to `u64::MAX`), written without a fraction.
    UInt(u64),
    /// A float, written with a fraction or exponent.
    Float(f64),
}

impl Number {
    /// Whether the number can be sent: integers always, floats unless NaN or infinite.
    pub fn is_finite(self) -> bool {
        match self {
            Number::Int(_) | Number::UInt(_) => true,
            Number::Float(x) => x.is_finite(),
        }
    }

    /// The number as an `f64` (integers beyond 2^53 lose precision).
    #[allow(clippy::cast_precision_loss)]
    pub fn as_f64(self) -> f64 {
        match self {
            Number::Int(i) => i as f64,
            Number::UInt(u) => u as f64,
            Number::Float(x) => x,
        }
    }

    /// The number as an integer, if it is one.
    fn as_integer(self) -> Option<i128> {
        match self {
            Number::Int(i) => Some(i128::from(i)),
            Number::UInt(u) => Some(i128::from(u)),
            Number::Float(_) => None,
        }
    }

    /// Compares by numeric value, exactly, also between an integer and a float.
    /// `None` if either is NaN.
    pub(super) fn numeric_cmp(self, other: Number) -> Option<Ordering> {
        match (self.as_integer(), other.as_integer(), self, other) {
            (Some(a), Some(b), _, _) => Some(a.cmp(&b)),
            (Some(a), None, _, Number::Float(b)) => int_float_cmp(a, b),
            (None, Some(b), Number::Float(a), _) => int_float_cmp(b, a).map(Ordering::reverse),
            (_, _, a, b) => a.as_f64().partial_cmp(&b.as_f64()),
        }
    }
}

/// Exact comparison of an integer (at most 64 bits wide) with an `f64`.
#[allow(clippy::cast_possible_truncation)]
fn int_float_cmp(a: i128, b: f64) -> Option<Ordering> {
    // 2^64 and -2^63 are exactly representable; every integer compared is within them.
    const TWO_64: f64 = 18_446_744_073_709_551_616.0;
    const MINUS_TWO_63: f64 = -9_223_372_036_854_775_808.0;
    if b.is_nan() {
        return None;
    }
    if b >= TWO_64 {
        return Some(Ordering::Less);
    }
    if b < MINUS_TWO_63 {
        return Some(Ordering::Greater);
    }
    let whole = b.trunc();
    // -2^63 <= whole < 2^64, so the cast is exact.
    let whole_int = whole as i128;
    match a.cmp(&whole_int) {
        Ordering::Equal => 0.0_f64.partial_cmp(&(b - whole)),
        unequal => Some(unequal),
    }
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Number::Int(i) => write!(f, "{i}"),
            Number::UInt(u) => write!(f, "{u}"),
            Number::Float(x) => write!(f, "{x:?}"),
        }
    }
}

impl From<u64> for Number {
    /// [`Number::Int`] when it fits `i64`, else [`Number::UInt`].
    fn from(value: u64) -> Self {
        i64::try_from(value).map_or(Number::UInt(value), Number::Int)
    }
}

impl From<usize> for Number {
    fn from(value: usize) -> Self {
        // usize is at most 64 bits wide on every target Rust supports.
        Number::from(value as u64)
    }
}

impl From<isize> for Number {
    fn from(value: isize) -> Self {
        Number::Int(value as i64)
    }
}

macro_rules! number_from {
    ($variant:ident as $target:ty: $($source:ty),+) => {
        $(
            impl From<$source> for Number {
                fn from(value: $source) -> Self {
                    Number::$variant(<$target>::from(value))
                }
            }
        )+
    };
}

number_from!(Int as i64: i8, i16, i32, i64, u8, u16, u32);
number_from!(Float as f64: f32, f64);

impl Serialize for Number {
    /// Fails for NaN and infinities rather than writing `null`.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match *self {
            Number::Int(i) => serializer.serialize_i64(i),
            Number::UInt(u) => serializer.serialize_u64(u),
            Number::Float(x) if x.is_finite() => serializer.serialize_f64(x),
            Number::Float(x) => Err(serde::ser::Error::custom(format_args!(
                "{x:?} is not a finite number and cannot be sent"
            ))),
        }
    }
}

impl<'de> Deserialize<'de> for Number {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(NumberVisitor)
    }
}

pub(super) struct NumberVisitor;

impl Visitor<'_> for NumberVisitor {
    type Value = Number;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a number")
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Number, E> {
        Ok(Number::Int(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Number, E> {
        Ok(Number::from(v))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Number, E> {
        Ok(Number::Float(v))
    }
}

/// The value of a [`NumberFilter`].
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum NumberValue {
    /// One number, for every operator but `between`.
    Single(Number),
    /// Inclusive bounds for `between`, written as `[low, high]`.
    Range {
        /// Lower bound.
        low: Number,
        /// Upper bound.
        high: Number,
    },
}

impl Serialize for NumberValue {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            NumberValue::Single(n) => n.serialize(serializer),
            NumberValue::Range { low, high } => {
                let mut seq = serializer.serialize_seq(Some(2))?;
                seq.serialize_element(low)?;
                seq.serialize_element(high)?;
                seq.end()
            }
        }
    }
}

/// The value of a [`TextFilter`] or [`CollectionFilter`]: one string or a
/// list of strings.
///
/// Converts from `&str`, `String`, `Vec<String>`, `Vec<&str>` and arrays of
/// either, which is what [`CollectionFilterBuilder::eq`] takes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TextValue {
    /// A single string.
    Single(String),
    /// A list of strings.
    List(Vec<String>),
}

impl TextValue {
    /// The string, if this is a single string.
    pub fn as_single(&self) -> Option<&str> {
        match self {
            TextValue::Single(s) => Some(s),
            TextValue::List(_) => None,
        }
    }

    /// The list, if this is a list.
    pub fn as_list(&self) -> Option<&[String]> {
        match self {
            TextValue::Single(_) => None,
            TextValue::List(list) => Some(list),
        }
    }
}

impl From<&str> for TextValue {
    fn from(value: &str) -> Self {
        TextValue::Single(value.to_owned())
    }
}

impl From<String> for TextValue {
    fn from(value: String) -> Self {
        TextValue::Single(value)
    }
}

impl From<Vec<String>> for TextValue {
    fn from(value: Vec<String>) -> Self {
        TextValue::List(value)
    }
}

impl From<Vec<&str>> for TextValue {
    fn from(value: Vec<&str>) -> Self {
        TextValue::List(value.into_iter().map(str::to_owned).collect())
    }
}

impl<const N: usize> From<[&str; N]> for TextValue {
    fn from(value: [&str; N]) -> Self {
        TextValue::List(value.into_iter().map(str::to_owned).collect())
    }
}

impl<const N: usize> From<[String; N]> for TextValue {
    fn from(value: [String; N]) -> Self {
        TextValue::List(value.into())
    }
}

impl Serialize for TextValue {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            TextValue::Single(s) => serializer.serialize_str(s),
            TextValue::List(list) => list.serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for TextValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(TextValueVisitor)
    }
}

struct TextValueVisitor;

impl<'de> Visitor<'de> for TextValueVisitor {
    type Value = TextValue;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string or an array of strings")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<TextValue, E> {
        Ok(TextValue::Single(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<TextValue, E> {
        Ok(TextValue::Single(v))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<TextValue, A::Error> {
        let mut list = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
        while let Some(item) = seq.next_element::<String>()? {
            list.push(item);
        }
        Ok(TextValue::List(list))
    }
}

/// The value of an [`IdFilter`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum IdValue {
    /// One UUID, for `eq` and `ne`.
    Uuid(Uuid),
    /// A list of UUIDs, for `one_of` and `not_in`.
    Uuids(Vec<Uuid>),
    /// A text fragment of an id, for `contains`.
    Fragment(String),
}

impl Serialize for IdValue {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            IdValue::Uuid(id) => id.serialize(serializer),
            IdValue::Uuids(ids) => ids.serialize(serializer),
            IdValue::Fragment(text) => serializer.serialize_str(text),
        }
    }
}

/// Writes a date-time as RFC 3339 in UTC with a `Z` suffix and as many
/// fractional digits as needed (0, 3, 6 or 9).
pub(super) fn format_date(value: &DateTime<Utc>) -> String {
    value.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// Reads RFC 3339 text (any offset) as a date-time in UTC.
pub(super) fn parse_date(text: &str) -> Result<DateTime<Utc>, chrono::ParseError> {
    DateTime::parse_from_rfc3339(text).map(|dt| dt.with_timezone(&Utc))
}
