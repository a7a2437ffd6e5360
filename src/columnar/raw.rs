//! Values read as their raw JSON text ([`RawValue`]) and classified from it, so nothing
//! is lost on the way: a number keeps its text until it is known to fit a column exactly
//! (integers beyond 64 bits, `1e400`), and nesting of any depth is skipped over without
//! recursion (`serde_json` scans a raw value with a loop, not with the recursion its
//! tree parser limits to 128 levels).

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserializer as _, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;

/// What a raw JSON value is, by its first byte.
pub(crate) enum Kind<'a> {
    Null,
    Bool(bool),
    /// The number's text (valid JSON: the scan checked it).
    Number(&'a str),
    /// A string, with its quotes and escapes.
    Str(&'a str),
    Object,
    Array,
}

/// The kind of a raw value (whose text `serde_json` has already checked).
pub(crate) fn kind(raw: &RawValue) -> Kind<'_> {
    let text = raw.get();
    match text.as_bytes().first() {
        Some(b'n') => Kind::Null,
        Some(b't') => Kind::Bool(true),
        Some(b'f') => Kind::Bool(false),
        Some(b'"') => Kind::Str(text),
        Some(b'{') => Kind::Object,
        Some(b'[') => Kind::Array,
        _ => Kind::Number(text),
    }
}

/// A JSON number, classified from its text without rounding.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Number {
    /// An integer (no fraction, no exponent) that fits an `i64`.
    Int(i64),
    /// An integer beyond 64 bits: only its text holds it.
    BigInt,
    /// A number with a fraction or an exponent: the correctly rounded `f64` of its text.
    Float(f64),
    /// A number with a fraction or an exponent beyond `f64` (`1e400`).
    OutOfRange,
}

/// Classify a JSON number's text (`str::parse::<f64>` rounds correctly).
pub(crate) fn number(text: &str) -> Number {
    if text.bytes().any(|b| matches!(b, b'.' | b'e' | b'E')) {
        match text.parse::<f64>() {
            Ok(v) if v.is_finite() => Number::Float(v),
            _ => Number::OutOfRange,
        }
    } else {
        match text.parse::<i64>() {
            Ok(v) => Number::Int(v),
            Err(_) => Number::BigInt,
        }
    }
}

/// A JSON string's value (quotes and escapes resolved; borrowed when it has no escapes).
pub(crate) fn string(quoted: &str) -> Result<Cow<'_, str>, serde_json::Error> {
    let inner = quoted.strip_prefix('"').and_then(|s| s.strip_suffix('"'));
    if let Some(inner) = inner.filter(|s| !s.contains('\\')) {
        return Ok(Cow::Borrowed(inner));
    }
    serde_json::from_str::<String>(quoted).map(Cow::Owned)
}

/// An object key, borrowed from the input when it has no escapes.
pub(crate) struct Key<'de>(pub(crate) Cow<'de, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object key")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
        }
        d.deserialize_str(KeyVisitor)
    }
}

/// The entries of an object, each value as raw text.
pub(crate) type Entries<'a> = Vec<(Cow<'a, str>, &'a RawValue)>;

struct EntriesVisitor;

impl<'de> Visitor<'de> for EntriesVisitor {
    type Value = Entries<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a record (a JSON object)")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Entries<'de>, A::Error> {
        let mut entries = Vec::new();
        while let Some(Key(key)) = map.next_key::<Key<'de>>()? {
            let value: &'de RawValue = map.next_value()?;
            entries.push((key, value));
        }
        Ok(entries)
    }
}

struct ItemsVisitor;

impl<'de> Visitor<'de> for ItemsVisitor {
    type Value = Vec<&'de RawValue>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON array")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<&'de RawValue>, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<&'de RawValue>()? {
            items.push(item);
        }
        Ok(items)
    }
}

/// Calls a function with each entry of an object as it is read.
struct EachEntry<F>(F);

impl<'de, F> Visitor<'de> for EachEntry<F>
where
    F: FnMut(Cow<'de, str>, &'de RawValue) -> Result<(), String>,
{
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a record (a JSON object)")
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<(), A::Error> {
        while let Some(Key(key)) = map.next_key::<Key<'de>>()? {
            let value: &'de RawValue = map.next_value()?;
            (self.0)(key, value).map_err(de::Error::custom)?;
        }
        Ok(())
    }
}

/// Call `each` with every entry of one JSON Lines record as it is read (no list of the
/// entries is built: a record may have a million keys): an error (with its position)
/// unless the line is exactly one JSON object. On an error, `each` may have seen some
/// of the entries.
pub(crate) fn each_entry<'a>(
    line: &'a [u8],
    each: impl FnMut(Cow<'a, str>, &'a RawValue) -> Result<(), String>,
) -> Result<(), serde_json::Error> {
    let mut de = serde_json::Deserializer::from_slice(line);
    (&mut de).deserialize_map(EachEntry(each))?;
    de.end()
}

/// The entries of a raw object (its text was checked when it was read).
pub(crate) fn entries(raw: &RawValue) -> Result<Entries<'_>, serde_json::Error> {
    serde_json::Deserializer::from_str(raw.get()).deserialize_map(EntriesVisitor)
}

/// The items of a raw array (its text was checked when it was read).
pub(crate) fn items(raw: &RawValue) -> Result<Vec<&RawValue>, serde_json::Error> {
    serde_json::Deserializer::from_str(raw.get()).deserialize_seq(ItemsVisitor)
}

/// The instant of an RFC 3339 date-time in nanoseconds since the epoch, when it holds it
/// exactly: at most nine fractional digits (chrono would drop the rest) and within the
/// range of an `i64` of nanoseconds (years 1677–2262).
pub(crate) fn timestamp_nanos(text: &str) -> Option<i64> {
    let t = chrono::DateTime::parse_from_rfc3339(text).ok()?;
    if let Some(dot) = text.find('.') {
        let digits = text[dot + 1..]
            .bytes()
            .take_while(u8::is_ascii_digit)
            .count();
        if digits > 9 {
            return None;
        }
    }
    t.timestamp_nanos_opt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_classified_from_their_text() {
        assert_eq!(number("12"), Number::Int(12));
        assert_eq!(number("-9223372036854775808"), Number::Int(i64::MIN));
        assert_eq!(number("-9223372036854775809"), Number::BigInt);
        assert_eq!(number("18446744073709551616"), Number::BigInt);
        assert_eq!(
            number("0.9452706955539223"),
            Number::Float(0.9452706955539223)
        );
        assert_eq!(
            number("-7322045297955127.0"),
            Number::Float(-7322045297955127.0)
        );
        assert_eq!(number("1e400"), Number::OutOfRange);
        assert_eq!(number("-1E400"), Number::OutOfRange);
        assert_eq!(number("1e-400"), Number::Float(0.0));
    }

    #[test]
    fn timestamps_hold_nanoseconds_and_refuse_what_would_be_cut() {
        assert_eq!(
            timestamp_nanos("2026-01-01T00:00:00.123456789Z"),
            Some(1_767_225_600_123_456_789)
        );
        assert_eq!(
            timestamp_nanos("2026-01-01T02:00:00.5+02:00"),
            Some(1_767_225_600_500_000_000)
        );
        assert_eq!(timestamp_nanos("2026-01-01T00:00:00.1234567891Z"), None);
        assert_eq!(timestamp_nanos("2263-01-01T00:00:00Z"), None);
        assert_eq!(timestamp_nanos("2026-01-01 soon"), None);
    }

    #[test]
    fn strings_resolve_escapes() {
        assert_eq!(string(r#""plain""#).unwrap(), "plain");
        assert_eq!(string(r#""a\/b \u00e9""#).unwrap(), "a/b é");
        assert_eq!(string(r#""""#).unwrap(), "");
    }
}
