//! The `--filter` expression language: one expression, one [`Filter`](galileo_export::Filter).
//!
//! ```text
//! expr     := [kind ':'] column ['~'] operator value
//!           | 'fully_annotated' ['by' list]
//! kind     := text | number | date | id | boolean | collection
//! operator := = | == | != | > | >= | < | <=
//!           | eq | ne | gt | gte | lt | lte | between | contains | one_of | not_in
//! value    := scalar | list | scalar scalar            (the last only for between)
//! scalar   := bare word | "quoted" | 'quoted'
//! list     := '[' [scalar (',' scalar)* [',']] ']'
//! ```
//!
//! Without a `kind:` prefix the kind is inferred from the operator and the value (see
//! [`GRAMMAR`], which is also the `--help` text). Every error points at the offending
//! token of the expression.
//!
//! The stages: [`lexer`] (tokens with their spans), [`parser`] (the expression's shape),
//! [`build`] (the kind and the typed [`Filter`](galileo_export::Filter)); here the
//! vocabulary they share (symbols, kinds, the operators each kind allows) and
//! [`ParseError`].

mod build;
mod lexer;
mod parser;
#[cfg(test)]
mod tests;

use std::fmt;
use std::ops::Range;

use galileo_export::filter::{FilterKind, Operator};

pub use parser::parse;

/// The grammar as shown by `--help` (and in the README).
pub const GRAMMAR: &str = "\
FILTER EXPRESSIONS (--filter, repeatable; a record must match all of them):

    [KIND:]COLUMN [~]OPERATOR VALUE
    fully_annotated [by [USER_ID, ...]]

  OPERATOR   = (or ==)  !=  >  >=  <  <=
             eq  ne  gt  gte  lt  lte  between  contains  one_of  not_in
             A leading ~ (e.g. ~contains, ~=) makes a text or collection filter
             case-insensitive.
  VALUE      a bare word (no spaces and none of  \" ' [ ] , = ! < > ),
             a quoted string \"...\" or '...' (escapes: \\\" \\' \\\\ \\n \\t \\r \\u{1F600}),
             or a list [a, \"b c\", ...]. between takes two values: LOW HIGH or [LOW, HIGH].

  KIND (without a prefix, inferred from the operator and the value):
    ~OPERATOR                       text (case-insensitive)
    between                         number
    >, >=, <, <=                    number if the value is a number, date if it is an
                                    RFC 3339 date-time (2026-01-01T00:00:00Z), else an error
    =, !=                           a bare true/false: boolean; a bare UUID: id;
                                    a bare number: number; a bare RFC 3339 date-time: date;
                                    anything else, and every quoted value: text
    contains                        a bare UUID: id; anything else: text
    one_of, not_in                  a list of bare UUIDs only: id; any other list: text
  A prefix text: number: date: id: boolean: collection: sets the kind instead.
  Collections (e.g. tags) always need the prefix: collection:tags contains prod.
  fully_annotated is reserved: it is the fully_annotated filter, not a column.

  EXAMPLES
    --filter 'input contains \"refund\"'          text, case-sensitive
    --filter 'input ~contains Refund'           text, case-insensitive
    --filter 'metrics/duration_ns between 100 250'       number
    --filter 'metrics/duration_ns > 100'                 number
    --filter 'created_at >= 2026-01-01T00:00:00Z'
    --filter 'is_complete = true'                 boolean
    --filter 'trace_id = 6f1c2b9e-1d2f-4c3b-9a8e-7d6c5b4a3f21'
    --filter 'input not_in [\"a\", \"b\"]'          text
    --filter 'collection:tags one_of [prod, beta]'
    --filter 'text:status_code = 200'           text \"200\", not the number 200
    --filter 'fully_annotated by [0b8a7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d]'
";

/// The symbols an expression may write instead of an operator's name; the first symbol
/// of an operator is the one shown in messages.
const SYMBOLS: &[(&str, Operator)] = &[
    ("=", Operator::Eq),
    ("==", Operator::Eq),
    ("!=", Operator::Ne),
    (">", Operator::Gt),
    (">=", Operator::Gte),
    ("<", Operator::Lt),
    ("<=", Operator::Lte),
];

fn from_symbol(symbol: &str) -> Option<Operator> {
    SYMBOLS
        .iter()
        .find(|(s, _)| *s == symbol)
        .map(|&(_, op)| op)
}

/// The symbol shown for `op`, if it has one.
fn symbol(op: Operator) -> Option<&'static str> {
    SYMBOLS.iter().find(|(_, o)| *o == op).map(|&(s, _)| s)
}

/// `a, b or c`.
fn either(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// What an unknown operator is met with: every symbol and every name.
fn operators_expected() -> String {
    let mut words: Vec<&str> = Vec::new();
    for &(s, op) in SYMBOLS {
        if symbol(op) == Some(s) {
            words.push(s);
        }
    }
    words.extend(Operator::ALL.iter().map(|op| op.as_str()));
    format!(
        "an operator: {} (a leading ~ makes text and collection filters case-insensitive)",
        words.join(" ")
    )
}

/// The kinds a `KIND:` prefix may name: every kind but `fully_annotated` (a filter of
/// its own syntax), in the order `--help` lists them.
const PREFIX_KINDS: [FilterKind; 6] = [
    FilterKind::Text,
    FilterKind::Number,
    FilterKind::Date,
    FilterKind::Id,
    FilterKind::Boolean,
    FilterKind::Collection,
];

fn kinds_expected() -> String {
    either(&PREFIX_KINDS.map(|k| k.as_str().to_string()))
}

fn from_prefix(prefix: &str) -> Option<FilterKind> {
    PREFIX_KINDS.into_iter().find(|k| k.as_str() == prefix)
}

/// The operators `kind` allows, with their symbols: `eq (=), ne (!=), contains, …`.
fn kind_operators(kind: FilterKind) -> String {
    let names: Vec<String> = Operator::ALL
        .iter()
        .filter(|op| kind.allows(**op))
        .map(|&op| match symbol(op) {
            Some(s) => format!("{op} ({s})"),
            None => op.to_string(),
        })
        .collect();
    either(&names)
}

/// The operators `~` applies to (those of text and collection filters), with symbols.
fn case_insensitive_operators() -> String {
    let names: Vec<String> = Operator::ALL
        .iter()
        .filter(|op| FilterKind::Text.allows(**op) || FilterKind::Collection.allows(**op))
        .map(|&op| match symbol(op) {
            Some(s) => format!("{op} ({s})"),
            None => op.to_string(),
        })
        .collect();
    either(&names)
}

/// The expression being read, for errors that point into it.
struct Source<'a> {
    expr: &'a str,
}

impl Source<'_> {
    /// An error about the bytes `span` of the expression.
    fn error(&self, span: Range<usize>, message: impl Into<String>) -> ParseError {
        ParseError::new(self.expr, span, message)
    }
}

/// A bad `--filter` expression: what is wrong, where (a byte range of the
/// expression), and what was expected there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    expr: String,
    span: Range<usize>,
    message: String,
    expected: Option<String>,
}

impl ParseError {
    fn new(expr: &str, span: Range<usize>, message: impl Into<String>) -> Self {
        Self {
            expr: expr.to_string(),
            span,
            message: message.into(),
            expected: None,
        }
    }

    fn expected(mut self, expected: impl Into<String>) -> Self {
        self.expected = Some(expected.into());
        self
    }

    /// What is wrong (one line, without the expression).
    #[cfg(test)]
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The byte range of the offending token.
    #[cfg(test)]
    pub fn span(&self) -> Range<usize> {
        self.span.clone()
    }
}

impl fmt::Display for ParseError {
    /// ```text
    /// invalid filter: unknown operator `=>`
    ///   metrics/duration_ns => 100
    ///                       ^^
    ///   expected an operator: = != > ...
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Control characters (tabs, newlines) would break the caret's alignment.
        let shown: String = self
            .expr
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        let start = self.span.start.min(self.expr.len());
        let end = self.span.end.clamp(start, self.expr.len());
        let column = self.expr.get(..start).map_or(0, |s| s.chars().count());
        let width = self
            .expr
            .get(start..end)
            .map_or(0, |s| s.chars().count())
            .max(1);
        write!(
            f,
            "invalid filter: {}\n  {}\n  {}{}",
            self.message,
            shown,
            " ".repeat(column),
            "^".repeat(width)
        )?;
        if let Some(expected) = &self.expected {
            write!(f, "\n  expected {expected}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ParseError {}
