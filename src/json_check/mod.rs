//! A fast JSON validator for the checked byte paths: says whether a line is exactly one
//! JSON object (RFC 8259, with whitespace around it), building nothing.
//!
//! It answers one question quickly — "certainly valid?" — and leaves every other answer
//! to `serde_json`: a caller that gets `false` runs the parse it ran before (a
//! `serde_json` parse into `IgnoredAny`), which accepts or reports the line exactly as it
//! always did. So errors (message, line, column, excerpt) are unchanged by construction,
//! and this module only has to never accept what `serde_json` refuses. It accepts
//! exactly what `serde_json::from_str::<IgnoredAny>` accepts for a text whose first
//! non-whitespace byte is `{` (the invariant test checks both directions), except that
//! it gives up on nesting deeper than [`MAX_DEPTH`] (then `serde_json`, which has no
//! limit when it skips a value, decides).
//!
//! The grammar is checked on bytes; UTF-8 is the caller's to check (with `simdutf8`, on a
//! whole block of lines at once where it can): bytes of 0x80 and above are only valid
//! inside strings, where this module lets them through. Like `serde_json` when it skips
//! a string, it accepts any `\uXXXX` escape, lone surrogates included, and numbers of
//! any size: it checks their grammar, not their value.

mod scan;
#[cfg(test)]
mod tests;

/// The deepest nesting of arrays and objects the validator follows; deeper lines go to
/// `serde_json`.
pub(crate) const MAX_DEPTH: usize = 256;

/// Whether `text` is certainly one JSON object with nothing but JSON whitespace around
/// it (see the module docs). `false` means "ask `serde_json`", not necessarily "invalid".
pub(crate) fn is_object(text: &[u8]) -> bool {
    let start = skip_ws(text, 0);
    if text.get(start) != Some(&b'{') {
        return false;
    }
    Validator {
        text,
        stack: Stack::default(),
    }
    .document(start)
    .is_some()
}

/// The nesting of the value being read: one bit per level, set for an object.
#[derive(Default)]
struct Stack {
    bits: [u64; MAX_DEPTH / 64],
    depth: usize,
}

impl Stack {
    #[inline]
    fn push(&mut self, object: bool) -> Option<()> {
        if self.depth == MAX_DEPTH {
            return None;
        }
        let (word, bit) = (self.depth / 64, self.depth % 64);
        if object {
            self.bits[word] |= 1 << bit;
        } else {
            self.bits[word] &= !(1 << bit);
        }
        self.depth += 1;
        Some(())
    }

    /// Whether the innermost open value is an object (`None` at the top level).
    #[inline]
    fn top_is_object(&self) -> Option<bool> {
        let top = self.depth.checked_sub(1)?;
        Some(self.bits[top / 64] & (1 << (top % 64)) != 0)
    }
}

struct Validator<'a> {
    text: &'a [u8],
    stack: Stack,
}

impl Validator<'_> {
    /// The whole text from the value at `at` (not whitespace) on; `None` if it is not
    /// certainly valid.
    fn document(&mut self, mut at: usize) -> Option<()> {
        let text = self.text;
        'value: loop {
            // `at` is where a value starts.
            match *text.get(at)? {
                b'{' => {
                    at = skip_ws(text, at + 1);
                    if text.get(at) == Some(&b'}') {
                        at += 1;
                    } else {
                        self.stack.push(true)?;
                        at = self.key(at)?;
                        continue 'value;
                    }
                }
                b'[' => {
                    at = skip_ws(text, at + 1);
                    if text.get(at) == Some(&b']') {
                        at += 1;
                    } else {
                        self.stack.push(false)?;
                        continue 'value;
                    }
                }
                b'"' => at = string(text, at + 1)?,
                b'-' | b'0'..=b'9' => at = number(text, at)?,
                b't' => at = literal(text, at, b"true")?,
                b'f' => at = literal(text, at, b"false")?,
                b'n' => at = literal(text, at, b"null")?,
                _ => return None,
            }
            // A value ended before `at`: what follows it in its array or object.
            loop {
                at = skip_ws(text, at);
                let Some(object) = self.stack.top_is_object() else {
                    return (at == text.len()).then_some(());
                };
                match (*text.get(at)?, object) {
                    (b',', true) => {
                        at = self.key(skip_ws(text, at + 1))?;
                        continue 'value;
                    }
                    (b',', false) => {
                        at = skip_ws(text, at + 1);
                        continue 'value;
                    }
                    (b'}', true) | (b']', false) => {
                        self.stack.depth -= 1;
                        at += 1;
                    }
                    _ => return None,
                }
            }
        }
    }

    /// A key and its colon from `at` (not whitespace): where its value starts.
    #[inline(always)]
    fn key(&self, at: usize) -> Option<usize> {
        let text = self.text;
        if text.get(at) != Some(&b'"') {
            return None;
        }
        let at = skip_ws(text, string(text, at + 1)?);
        if text.get(at) != Some(&b':') {
            return None;
        }
        Some(skip_ws(text, at + 1))
    }
}

/// The first index from `at` on that is not JSON whitespace (or the length).
#[inline(always)]
fn skip_ws(text: &[u8], mut at: usize) -> usize {
    while let Some(b' ' | b'\t' | b'\n' | b'\r') = text.get(at) {
        at += 1;
    }
    at
}

/// A string whose opening quote is just before `at`: the index after its closing quote.
#[inline(always)]
fn string(text: &[u8], mut at: usize) -> Option<usize> {
    loop {
        at += scan::string_special(text.get(at..)?);
        match *text.get(at)? {
            b'"' => return Some(at + 1),
            b'\\' => at = escape(text, at + 1)?,
            _ => return None,
        }
    }
}

/// An escape whose backslash is just before `at`: the index after it.
#[inline(always)]
fn escape(text: &[u8], at: usize) -> Option<usize> {
    match *text.get(at)? {
        b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => Some(at + 1),
        b'u' => {
            let hex = text.get(at + 1..at + 5)?;
            hex.iter().all(u8::is_ascii_hexdigit).then_some(at + 5)
        }
        _ => None,
    }
}

/// A number from `at`: `-`? (`0` | [1-9][0-9]*) (`.` [0-9]+)? ([eE] [+-]? [0-9]+)?;
/// the index after it.
#[inline(always)]
fn number(text: &[u8], mut at: usize) -> Option<usize> {
    if text.get(at) == Some(&b'-') {
        at += 1;
    }
    match *text.get(at)? {
        b'0' => at += 1,
        b'1'..=b'9' => at = digits(text, at + 1),
        _ => return None,
    }
    if text.get(at) == Some(&b'.') {
        let end = digits(text, at + 1);
        if end == at + 1 {
            return None;
        }
        at = end;
    }
    if let Some(b'e' | b'E') = text.get(at) {
        at += 1;
        if let Some(b'+' | b'-') = text.get(at) {
            at += 1;
        }
        let end = digits(text, at);
        if end == at {
            return None;
        }
        at = end;
    }
    Some(at)
}

/// The first index from `at` on that is not an ASCII digit.
#[inline(always)]
fn digits(text: &[u8], mut at: usize) -> usize {
    while text.get(at).is_some_and(u8::is_ascii_digit) {
        at += 1;
    }
    at
}

/// `word` at `at`: the index after it.
#[inline(always)]
fn literal(text: &[u8], at: usize, word: &[u8]) -> Option<usize> {
    (text.get(at..at + word.len())? == word).then_some(at + word.len())
}
