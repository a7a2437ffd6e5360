//! The `--filter` expression language: one expression, one [`Filter`].
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

use std::fmt;
use std::ops::Range;

use chrono::DateTime;
use galileo_export::filter::{
    DateOperator, Filter, FilterError, FilterKind, Number, NumberOperator, Operator,
};
use uuid::Uuid;

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
    --filter 'latency_ms between 100 250'       number
    --filter 'latency_ms > 100'                 number
    --filter 'created_at >= 2026-01-01T00:00:00Z'
    --filter 'has_error = true'                 boolean
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
    ///   latency_ms => 100
    ///              ^^
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

// ---------------------------------------------------------------------------
// Tokens
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    /// A bare word (its text is the source slice).
    Word,
    /// A quoted string, escapes resolved.
    Quoted(String),
    /// `=`, `==`, `!=`, `>`, `>=`, `<`, `<=`.
    Symbol,
    LBracket,
    RBracket,
    Comma,
}

#[derive(Debug, Clone)]
struct Token {
    tok: Tok,
    /// The whole token, `~` included.
    span: Range<usize>,
    /// Whether the token starts with `~`.
    tilde: bool,
}

impl Token {
    /// The token's text: the source without a leading `~` (or the unescaped string).
    fn text<'a>(&'a self, expr: &'a str) -> &'a str {
        match &self.tok {
            Tok::Quoted(s) => s,
            _ => {
                let start = self.span.start + usize::from(self.tilde);
                &expr[start..self.span.end]
            }
        }
    }

    /// The token as written, `~` included.
    fn source<'a>(&self, expr: &'a str) -> &'a str {
        &expr[self.span.clone()]
    }
}

fn is_symbol_char(c: char) -> bool {
    matches!(c, '=' | '!' | '<' | '>')
}

fn is_word_char(c: char) -> bool {
    !(c.is_whitespace() || matches!(c, '"' | '\'' | '[' | ']' | ',') || is_symbol_char(c))
}

fn tokenize(expr: &str) -> Result<Vec<Token>, ParseError> {
    let mut tokens = Vec::new();
    let mut chars = expr.char_indices().peekable();
    while let Some(&(start, c)) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        let single = |tok| Token {
            tok,
            span: start..start + 1,
            tilde: false,
        };
        match c {
            '[' => {
                chars.next();
                tokens.push(single(Tok::LBracket));
                continue;
            }
            ']' => {
                chars.next();
                tokens.push(single(Tok::RBracket));
                continue;
            }
            ',' => {
                chars.next();
                tokens.push(single(Tok::Comma));
                continue;
            }
            '"' | '\'' => {
                chars.next();
                let text = quoted(expr, start, c, &mut chars)?;
                let end = chars.peek().map_or(expr.len(), |&(i, _)| i);
                tokens.push(Token {
                    tok: Tok::Quoted(text),
                    span: start..end,
                    tilde: false,
                });
                continue;
            }
            _ => {}
        }
        // A `~` sticks to the operator that follows it.
        let tilde = c == '~';
        if tilde {
            chars.next();
        }
        let body_start = chars.peek().map_or(expr.len(), |&(i, _)| i);
        let first = chars.peek().map(|&(_, c)| c);
        let tok = match first {
            Some(c) if is_symbol_char(c) => {
                while chars.next_if(|&(_, c)| is_symbol_char(c)).is_some() {}
                Tok::Symbol
            }
            Some(c) if is_word_char(c) => {
                while chars.next_if(|&(_, c)| is_word_char(c)).is_some() {}
                Tok::Word
            }
            _ => {
                return Err(ParseError::new(
                    expr,
                    start..start + 1,
                    "`~` must be followed by an operator",
                )
                .expected("e.g. ~contains, ~= or ~one_of"));
            }
        };
        let end = chars.peek().map_or(expr.len(), |&(i, _)| i);
        if tok == Tok::Symbol && from_symbol(&expr[body_start..end]).is_none() {
            return Err(ParseError::new(
                expr,
                start..end,
                format!("unknown operator `{}`", &expr[start..end]),
            )
            .expected(operators_expected()));
        }
        tokens.push(Token {
            tok,
            span: start..end,
            tilde,
        });
    }
    Ok(tokens)
}

/// Reads a quoted string after its opening quote (at byte `start`).
fn quoted(
    expr: &str,
    start: usize,
    quote: char,
    chars: &mut std::iter::Peekable<std::str::CharIndices<'_>>,
) -> Result<String, ParseError> {
    let mut text = String::new();
    while let Some((i, c)) = chars.next() {
        if c == quote {
            return Ok(text);
        }
        if c != '\\' {
            text.push(c);
            continue;
        }
        let bad = |end: usize| {
            ParseError::new(expr, i..end, "unknown escape in a quoted string")
                .expected("one of \\\" \\' \\\\ \\n \\t \\r \\u{HEX}")
        };
        let Some((j, e)) = chars.next() else {
            return Err(bad(expr.len()));
        };
        let end = j + e.len_utf8();
        match e {
            '"' | '\'' | '\\' => text.push(e),
            'n' => text.push('\n'),
            't' => text.push('\t'),
            'r' => text.push('\r'),
            'u' => {
                if chars.next_if(|&(_, c)| c == '{').is_none() {
                    return Err(bad(end));
                }
                let mut hex = String::new();
                let mut close = None;
                for (k, h) in chars.by_ref() {
                    if h == '}' {
                        close = Some(k + 1);
                        break;
                    }
                    hex.push(h);
                }
                let Some(close) = close else {
                    return Err(bad(expr.len()));
                };
                match u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                    Some(c) if hex.len() <= 6 => text.push(c),
                    _ => {
                        return Err(ParseError::new(
                            expr,
                            i..close,
                            format!("`\\u{{{hex}}}` is not a Unicode character"),
                        )
                        .expected("\\u{HEX} with 1 to 6 hex digits, e.g. \\u{e9}"))
                    }
                }
            }
            _ => return Err(bad(end)),
        }
    }
    Err(ParseError::new(
        expr,
        start..expr.len(),
        format!("unterminated string: no closing {quote}"),
    )
    .expected(format!("a closing {quote}")))
}

// ---------------------------------------------------------------------------
// Values
// ---------------------------------------------------------------------------

/// One value as written.
#[derive(Debug, Clone)]
struct Scalar {
    text: String,
    quoted: bool,
    span: Range<usize>,
}

impl Scalar {
    fn bare(&self) -> Option<&str> {
        (!self.quoted).then_some(self.text.as_str())
    }
}

#[derive(Debug, Clone)]
enum Value {
    One(Scalar),
    List(Vec<Scalar>, Range<usize>),
    Two(Scalar, Scalar),
}

impl Value {
    fn span(&self) -> Range<usize> {
        match self {
            Value::One(s) => s.span.clone(),
            Value::List(_, span) => span.clone(),
            Value::Two(a, b) => a.span.start..b.span.end,
        }
    }
}

/// An integer (sent exactly as written: `i64` or `u64`) or a finite float, written as a
/// plain decimal number; `Some(Err(why))` for an integer beyond 64 bits, which cannot be
/// sent exactly (never rounded to a float in silence).
fn parse_number(text: &str) -> Option<Result<Number, String>> {
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    let plain = digits.starts_with(|c: char| c.is_ascii_digit() || c == '.')
        && digits
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-'));
    if !plain {
        return None;
    }
    if let Ok(i) = text.parse::<i64>() {
        return Some(Ok(Number::Int(i)));
    }
    if let Ok(u) = text.parse::<u64>() {
        return Some(Ok(Number::from(u)));
    }
    if !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()) {
        return Some(Err(format!(
            "`{text}` is an integer beyond 64 bits ({} to {}), which cannot be sent exactly",
            i64::MIN,
            u64::MAX
        )));
    }
    text.parse::<f64>()
        .ok()
        .filter(|x| x.is_finite())
        .map(|x| Ok(Number::Float(x)))
}

/// A UUID in its hyphenated form (the only form inferred as an id).
fn parse_hyphenated_uuid(text: &str) -> Option<Uuid> {
    if text.len() == 36 {
        Uuid::try_parse(text).ok()
    } else {
        None
    }
}

fn is_date(text: &str) -> bool {
    DateTime::parse_from_rfc3339(text).is_ok()
}

fn parse_bool(text: &str) -> Option<bool> {
    match text {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}

// ---------------------------------------------------------------------------
// Parser
// ---------------------------------------------------------------------------

struct Parser<'a> {
    expr: &'a str,
    tokens: Vec<Token>,
    pos: usize,
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos)
    }

    fn next(&mut self) -> Option<Token> {
        let token = self.tokens.get(self.pos).cloned();
        self.pos += usize::from(token.is_some());
        token
    }

    /// An empty span just past the end of the expression.
    fn end(&self) -> Range<usize> {
        self.expr.len()..self.expr.len()
    }

    fn error(&self, span: Range<usize>, message: impl Into<String>) -> ParseError {
        ParseError::new(self.expr, span, message)
    }

    fn scalar(&mut self, what: &str) -> Result<Scalar, ParseError> {
        match self.next() {
            Some(t @ Token { tok: Tok::Word, .. }) => Ok(Scalar {
                // A `~` in a value is part of the value.
                text: t.source(self.expr).to_string(),
                quoted: false,
                span: t.span,
            }),
            Some(Token {
                tok: Tok::Quoted(text),
                span,
                ..
            }) => Ok(Scalar {
                text,
                quoted: true,
                span,
            }),
            Some(t) => Err(self
                .error(
                    t.span.clone(),
                    format!("unexpected `{}`", t.source(self.expr)),
                )
                .expected(what.to_string())),
            None => Err(self
                .error(self.end(), "the expression ends too early")
                .expected(what.to_string())),
        }
    }

    /// A list, from its `[` to its `]`: the elements and the span of the whole list.
    fn list(&mut self) -> Result<(Vec<Scalar>, Range<usize>), ParseError> {
        let open = match self.next() {
            Some(t) if t.tok == Tok::LBracket => t.span,
            Some(t) => {
                return Err(self
                    .error(
                        t.span.clone(),
                        format!("unexpected `{}`", t.source(self.expr)),
                    )
                    .expected("a list like [a, \"b c\"]"))
            }
            None => {
                return Err(self
                    .error(self.end(), "the expression ends too early")
                    .expected("a list like [a, \"b c\"]"))
            }
        };
        let mut items = Vec::new();
        loop {
            if let Some(t) = self.peek() {
                if t.tok == Tok::RBracket {
                    let close = t.span.end;
                    self.pos += 1;
                    return Ok((items, open.start..close));
                }
            }
            items.push(self.scalar("a list element (a bare word or a quoted string) or `]`")?);
            match self.next() {
                Some(t) if t.tok == Tok::Comma => {}
                Some(t) if t.tok == Tok::RBracket => return Ok((items, open.start..t.span.end)),
                Some(t) => {
                    return Err(self
                        .error(
                            t.span.clone(),
                            format!("unexpected `{}` in a list", t.source(self.expr)),
                        )
                        .expected("`,` or `]`"))
                }
                None => {
                    return Err(self
                        .error(open.start..self.expr.len(), "unclosed list")
                        .expected("`]`"))
                }
            }
        }
    }

    fn value(&mut self, op: Operator, kind: Option<FilterKind>) -> Result<Value, ParseError> {
        let starts_list = self.peek().is_some_and(|t| t.tok == Tok::LBracket);
        match op {
            Operator::OneOf | Operator::NotIn => {
                if starts_list {
                    let (items, span) = self.list()?;
                    Ok(Value::List(items, span))
                } else {
                    let span = self.peek().map_or(self.end(), |t| t.span.clone());
                    Err(self
                        .error(span, format!("`{}` needs a list", op.as_str()))
                        .expected("a list like [a, \"b c\"]"))
                }
            }
            Operator::Between => {
                if starts_list {
                    let (items, span) = self.list()?;
                    match <[Scalar; 2]>::try_from(items) {
                        Ok([low, high]) => Ok(Value::Two(low, high)),
                        Err(_) => Err(self
                            .error(span, "`between` needs exactly two values")
                            .expected("LOW HIGH or [LOW, HIGH]")),
                    }
                } else {
                    let low = self.scalar("the low bound of `between` (LOW HIGH)")?;
                    let high = self.scalar("the high bound of `between` (LOW HIGH)")?;
                    Ok(Value::Two(low, high))
                }
            }
            Operator::Eq if starts_list && kind == Some(FilterKind::Collection) => {
                let (items, span) = self.list()?;
                Ok(Value::List(items, span))
            }
            _ => {
                if starts_list {
                    let span = self.peek().map_or(self.end(), |t| t.span.clone());
                    return Err(self
                        .error(
                            span,
                            format!("`{}` takes a single value, not a list", op.as_str()),
                        )
                        .expected(if op == Operator::Eq {
                            "a single value (use one_of for a list, or collection:COLUMN = [...])"
                        } else {
                            "a single value"
                        }));
                }
                self.scalar("a value (a bare word or a quoted string)")
                    .map(Value::One)
            }
        }
    }
}

/// Parse one `--filter` expression.
pub fn parse(expr: &str) -> Result<Filter, ParseError> {
    let tokens = tokenize(expr)?;
    let mut p = Parser {
        expr,
        tokens,
        pos: 0,
    };

    // Column, with its optional kind prefix.
    let Some(first) = p.next() else {
        return Err(p
            .error(p.end(), "the expression is empty")
            .expected("COLUMN OPERATOR VALUE, e.g. `latency_ms > 100`"));
    };
    let (prefix, column) = match &first.tok {
        Tok::Quoted(text) => (None, text.clone()),
        Tok::Word if !first.tilde => {
            let word = first.text(expr);
            if word == "fully_annotated" {
                return fully_annotated(&mut p);
            }
            match word.split_once(':') {
                Some((prefix, column)) => {
                    let prefix_span = first.span.start..first.span.start + prefix.len();
                    let Some(kind) = from_prefix(prefix) else {
                        return Err(p
                            .error(prefix_span, format!("unknown kind `{prefix}`"))
                            .expected(format!(
                                "one of {} before `:` (quote a column whose name has a `:`)",
                                kinds_expected()
                            )));
                    };
                    if column.is_empty() {
                        return Err(p
                            .error(
                                first.span.end..first.span.end,
                                format!("no column after `{prefix}:`"),
                            )
                            .expected("a column, e.g. `collection:tags`"));
                    }
                    (Some(kind), column.to_string())
                }
                None => (None, word.to_string()),
            }
        }
        _ => {
            return Err(p
                .error(
                    first.span.clone(),
                    format!("unexpected `{}`", first.source(expr)),
                )
                .expected("a column name first, e.g. `latency_ms > 100`"))
        }
    };
    if column.is_empty() {
        return Err(p
            .error(first.span.clone(), "the column is empty")
            .expected("a column name"));
    }

    // Operator, with its optional `~`.
    let Some(op_token) = p.next() else {
        return Err(p
            .error(p.end(), "no operator after the column")
            .expected(operators_expected()));
    };
    let op = match op_token.tok {
        Tok::Word => Operator::from_name(op_token.text(expr)),
        Tok::Symbol => from_symbol(op_token.text(expr)),
        _ => None,
    };
    let Some(op) = op else {
        return Err(p
            .error(
                op_token.span.clone(),
                format!("unknown operator `{}`", op_token.source(expr)),
            )
            .expected(operators_expected()));
    };
    let insensitive = op_token.tilde;
    if insensitive
        && matches!(
            op,
            Operator::Gt | Operator::Gte | Operator::Lt | Operator::Lte | Operator::Between
        )
    {
        return Err(p
            .error(
                op_token.span.clone(),
                format!("`~` does not apply to `{}`", op.as_str()),
            )
            .expected(format!("~ only before {}", case_insensitive_operators())));
    }

    let value = p.value(op, prefix)?;
    if let Some(extra) = p.next() {
        return Err(p
            .error(
                extra.span.start..expr.len(),
                format!("unexpected `{}` after the value", extra.source(expr)),
            )
            .expected(match value {
                Value::One(_) => "the end of the expression (quote a value that has spaces)",
                _ => "the end of the expression",
            }));
    }

    let kind = match prefix {
        Some(kind) => kind,
        None => infer(&p, op, insensitive, &value, op_token.span.clone())?,
    };
    if insensitive && !kind.has_case_sensitive() {
        return Err(p
            .error(
                op_token.span.clone(),
                format!("`~` does not apply to {} filters", kind.as_str()),
            )
            .expected("~ only on text and collection filters"));
    }
    let filter = build(
        &p,
        kind,
        &column,
        op,
        insensitive,
        &value,
        op_token.span.clone(),
    )?;
    filter.validate().map_err(|e| {
        let span = match e {
            FilterError::EmptyColumnId { .. } => first.span.clone(),
            _ => value.span(),
        };
        p.error(span, e.to_string())
    })?;
    Ok(filter)
}

/// The kind of an expression without a prefix.
fn infer(
    p: &Parser<'_>,
    op: Operator,
    insensitive: bool,
    value: &Value,
    op_span: Range<usize>,
) -> Result<FilterKind, ParseError> {
    if insensitive {
        return Ok(FilterKind::Text);
    }
    Ok(match (op, value) {
        (Operator::Between, _) => FilterKind::Number,
        (Operator::Gt | Operator::Gte | Operator::Lt | Operator::Lte, Value::One(v)) => {
            if parse_number(&v.text).is_some() {
                FilterKind::Number
            } else if is_date(&v.text) {
                FilterKind::Date
            } else {
                return Err(p
                    .error(
                        v.span.clone(),
                        format!("`{}` is neither a number nor a date-time", v.text),
                    )
                    .expected(format!(
                        "a number or an RFC 3339 date-time (e.g. 2026-01-01T00:00:00Z) after `{}`",
                        &p.expr[op_span]
                    )));
            }
        }
        (Operator::Eq | Operator::Ne, Value::One(v)) => match v.bare() {
            Some(t) if parse_bool(t).is_some() => FilterKind::Boolean,
            Some(t) if parse_hyphenated_uuid(t).is_some() => FilterKind::Id,
            Some(t) if parse_number(t).is_some() => FilterKind::Number,
            Some(t) if is_date(t) => FilterKind::Date,
            _ => FilterKind::Text,
        },
        (Operator::Contains, Value::One(v)) => match v.bare() {
            Some(t) if parse_hyphenated_uuid(t).is_some() => FilterKind::Id,
            _ => FilterKind::Text,
        },
        (Operator::OneOf | Operator::NotIn, Value::List(items, _)) => {
            let all_ids = !items.is_empty()
                && items
                    .iter()
                    .all(|v| v.bare().is_some_and(|t| parse_hyphenated_uuid(t).is_some()));
            if all_ids {
                FilterKind::Id
            } else {
                FilterKind::Text
            }
        }
        // The parser only produces the shapes above.
        _ => FilterKind::Text,
    })
}

fn build(
    p: &Parser<'_>,
    kind: FilterKind,
    column: &str,
    op: Operator,
    insensitive: bool,
    value: &Value,
    op_span: Range<usize>,
) -> Result<Filter, ParseError> {
    let unsupported = || {
        p.error(
            op_span.clone(),
            format!(
                "{} filters have no `{}` operator",
                kind.as_str(),
                op.as_str()
            ),
        )
        .expected(kind_operators(kind))
    };
    let texts = |items: &[Scalar]| items.iter().map(|s| s.text.clone()).collect::<Vec<_>>();
    let uuid = |s: &Scalar| {
        Uuid::try_parse(&s.text).map_err(|e| {
            p.error(s.span.clone(), format!("`{}` is not a UUID ({e})", s.text))
                .expected("a UUID like 6f1c2b9e-1d2f-4c3b-9a8e-7d6c5b4a3f21")
        })
    };
    let number = |s: &Scalar| {
        match parse_number(&s.text) {
        Some(Ok(n)) => Ok(n),
        Some(Err(why)) => Err(p.error(s.span.clone(), why).expected(
            "an integer of at most 64 bits, or a float (e.g. 1.2e20) to compare with the nearest double",
        )),
        None => Err(p
            .error(s.span.clone(), format!("`{}` is not a number", s.text))
            .expected("a number like 100, -2.5 or 1e3")),
    }
    };

    let filter: Filter = match (kind, op, value) {
        (FilterKind::Text, _, _) => {
            let b = Filter::text(column).case_sensitive(!insensitive);
            match (op, value) {
                (Operator::Eq, Value::One(v)) => b.eq(v.text.clone()).into(),
                (Operator::Ne, Value::One(v)) => b.ne(v.text.clone()).into(),
                (Operator::Contains, Value::One(v)) => b.contains(v.text.clone()).into(),
                (Operator::OneOf, Value::List(items, _)) => b.one_of(texts(items)).into(),
                (Operator::NotIn, Value::List(items, _)) => b.not_in(texts(items)).into(),
                _ => return Err(unsupported()),
            }
        }
        (FilterKind::Collection, _, _) => {
            let b = Filter::collection(column).case_sensitive(!insensitive);
            match (op, value) {
                (Operator::Eq, Value::One(v)) => b.eq(v.text.clone()).into(),
                (Operator::Eq, Value::List(items, _)) => b.eq(texts(items)).into(),
                (Operator::Contains, Value::One(v)) => b.contains(v.text.clone()).into(),
                (Operator::OneOf, Value::List(items, _)) => b.one_of(texts(items)).into(),
                (Operator::NotIn, Value::List(items, _)) => b.not_in(texts(items)).into(),
                _ => return Err(unsupported()),
            }
        }
        (FilterKind::Number, Operator::Between, Value::Two(low, high)) => Filter::number(column)
            .between(number(low)?, number(high)?)
            .into(),
        (FilterKind::Number, _, Value::One(v)) => {
            // `between` takes two values: a single one never builds a `between`.
            let Some(operator) =
                NumberOperator::from_operator(op).filter(|o| *o != NumberOperator::Between)
            else {
                return Err(unsupported());
            };
            Filter::number(column).compare(operator, number(v)?).into()
        }
        (FilterKind::Date, _, Value::One(v)) => {
            let Some(operator) = DateOperator::from_operator(op) else {
                return Err(unsupported());
            };
            Filter::date(column)
                .parse(operator, &v.text)
                .map_err(|_| {
                    p.error(
                        v.span.clone(),
                        format!("`{}` is not an RFC 3339 date-time", v.text),
                    )
                    .expected("a date-time with a time and an offset, e.g. 2026-01-01T00:00:00Z")
                })?
                .into()
        }
        (FilterKind::Id, Operator::Eq, Value::One(v)) => Filter::id(column).eq(uuid(v)?).into(),
        (FilterKind::Id, Operator::Ne, Value::One(v)) => Filter::id(column).ne(uuid(v)?).into(),
        (FilterKind::Id, Operator::Contains, Value::One(v)) => {
            Filter::id(column).contains(v.text.clone()).into()
        }
        (FilterKind::Id, Operator::OneOf, Value::List(items, _)) => Filter::id(column)
            .one_of(items.iter().map(uuid).collect::<Result<Vec<_>, _>>()?)
            .into(),
        (FilterKind::Id, Operator::NotIn, Value::List(items, _)) => Filter::id(column)
            .not_in(items.iter().map(uuid).collect::<Result<Vec<_>, _>>()?)
            .into(),
        (FilterKind::Boolean, Operator::Eq | Operator::Ne, Value::One(v)) => {
            let Some(b) = parse_bool(&v.text) else {
                return Err(p
                    .error(v.span.clone(), format!("`{}` is not a boolean", v.text))
                    .expected("true or false"));
            };
            let builder = Filter::boolean(column);
            if op == Operator::Eq {
                builder.eq(b).into()
            } else {
                builder.ne(b).into()
            }
        }
        _ => return Err(unsupported()),
    };
    Ok(filter)
}

/// `fully_annotated [by [USER_ID, ...]]`, after the leading word.
fn fully_annotated(p: &mut Parser<'_>) -> Result<Filter, ParseError> {
    let Some(by) = p.next() else {
        return Ok(Filter::fully_annotated().into());
    };
    if !(by.tok == Tok::Word && !by.tilde && by.text(p.expr) == "by") {
        return Err(p
            .error(
                by.span.clone(),
                format!("unexpected `{}` after fully_annotated", by.source(p.expr)),
            )
            .expected("nothing, or `by [USER_ID, ...]`"));
    }
    if !p.peek().is_some_and(|t| t.tok == Tok::LBracket) {
        let span = p.peek().map_or(p.end(), |t| t.span.clone());
        return Err(p
            .error(span, "`by` needs a list of user ids")
            .expected("a list of UUIDs like [0b8a7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d]"));
    }
    let (items, span) = p.list()?;
    if let Some(extra) = p.next() {
        return Err(p
            .error(
                extra.span.start..p.expr.len(),
                format!("unexpected `{}` after the list", extra.source(p.expr)),
            )
            .expected("the end of the expression"));
    }
    let mut ids = Vec::with_capacity(items.len());
    for item in &items {
        let id = Uuid::try_parse(&item.text).map_err(|e| {
            p.error(
                item.span.clone(),
                format!("`{}` is not a UUID ({e})", item.text),
            )
            .expected("user ids as version-4 UUIDs")
        })?;
        ids.push(id);
    }
    let filter: Filter = Filter::fully_annotated().by_users(ids).into();
    filter.validate().map_err(|e| {
        let span = match &e {
            FilterError::UserIdNotV4 { user_id } => items
                .iter()
                .find(|s| Uuid::try_parse(&s.text).ok() == Some(*user_id))
                .map_or(span.clone(), |s| s.span.clone()),
            _ => span.clone(),
        };
        p.error(span, e.to_string())
    })?;
    Ok(filter)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value as Json};

    fn json_of(expr: &str) -> Json {
        match parse(expr) {
            Ok(filter) => serde_json::to_value(filter).expect("filters serialize"),
            Err(e) => panic!("`{expr}` did not parse:\n{e}"),
        }
    }

    fn err(expr: &str) -> ParseError {
        match parse(expr) {
            Ok(filter) => panic!("`{expr}` parsed as {filter:?}"),
            Err(e) => e,
        }
    }

    /// The caret line of an error, as displayed.
    fn caret(e: &ParseError) -> String {
        e.to_string().lines().nth(2).unwrap_or_default().to_string()
    }

    const U1: &str = "6f1c2b9e-1d2f-4c3b-9a8e-7d6c5b4a3f21";
    const U2: &str = "0b8a7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d";

    #[test]
    fn text_forms() {
        assert_eq!(
            json_of(r#"input contains "refund""#),
            json!({"type": "text", "column_id": "input", "operator": "contains", "value": "refund", "case_sensitive": true})
        );
        assert_eq!(
            json_of(r#"input ~contains "Refund""#),
            json!({"type": "text", "column_id": "input", "operator": "contains", "value": "Refund", "case_sensitive": false})
        );
        assert_eq!(
            json_of("input ~contains Refund"),
            json!({"type": "text", "column_id": "input", "operator": "contains", "value": "Refund", "case_sensitive": false})
        );
        assert_eq!(
            json_of(r#"input not_in ["a", "b"]"#),
            json!({"type": "text", "column_id": "input", "operator": "not_in", "value": ["a", "b"], "case_sensitive": true})
        );
        assert_eq!(
            json_of("user_metadata.model one_of [gpt-4o, \"claude 3\",]"),
            json!({"type": "text", "column_id": "user_metadata.model", "operator": "one_of", "value": ["gpt-4o", "claude 3"], "case_sensitive": true})
        );
        assert_eq!(
            json_of("name ~= Chat"),
            json!({"type": "text", "column_id": "name", "operator": "eq", "value": "Chat", "case_sensitive": false})
        );
        assert_eq!(
            json_of("name ~ne chat"),
            json!({"type": "text", "column_id": "name", "operator": "ne", "value": "chat", "case_sensitive": false})
        );
        assert_eq!(json_of("name ~one_of [a]")["case_sensitive"], json!(false));
        assert_eq!(json_of("name != llm")["operator"], json!("ne"));
        // Quoted values are text, whatever they look like.
        assert_eq!(
            json_of(r#"input = "true""#),
            json!({"type": "text", "column_id": "input", "operator": "eq", "value": "true", "case_sensitive": true})
        );
        assert_eq!(json_of("input = '42'")["type"], json!("text"));
        // A date without a time is not a date-time: text.
        assert_eq!(json_of("day = 2026-01-01")["type"], json!("text"));
    }

    #[test]
    fn quoted_strings_and_escapes() {
        assert_eq!(
            json_of(r#"input contains "say \"hi\"\n\t\\ \u{e9}""#)["value"],
            json!("say \"hi\"\n\t\\ \u{e9}")
        );
        assert_eq!(json_of(r"input contains 'it\'s'")["value"], json!("it's"));
        assert_eq!(
            json_of(r#"input contains 'a "b" c'"#)["value"],
            json!("a \"b\" c")
        );
        assert_eq!(
            json_of(r#"input contains "a, [b] = c""#)["value"],
            json!("a, [b] = c")
        );
        // A quoted column.
        assert_eq!(json_of(r#""odd:col" = x"#)["column_id"], json!("odd:col"));
    }

    #[test]
    fn number_forms() {
        assert_eq!(
            json_of("latency_ms between 100 250"),
            json!({"type": "number", "column_id": "latency_ms", "operator": "between", "value": [100, 250]})
        );
        assert_eq!(
            json_of("latency_ms between [100, 250.5]"),
            json!({"type": "number", "column_id": "latency_ms", "operator": "between", "value": [100, 250.5]})
        );
        assert_eq!(
            json_of("latency_ms > 100"),
            json!({"type": "number", "column_id": "latency_ms", "operator": "gt", "value": 100})
        );
        assert_eq!(json_of("latency_ms>100")["operator"], json!("gt"));
        for (op, wire) in [
            ("=", "eq"),
            ("==", "eq"),
            ("!=", "ne"),
            (">", "gt"),
            (">=", "gte"),
            ("<", "lt"),
            ("<=", "lte"),
            ("eq", "eq"),
            ("ne", "ne"),
            ("gt", "gt"),
            ("gte", "gte"),
            ("lt", "lt"),
            ("lte", "lte"),
        ] {
            assert_eq!(
                json_of(&format!("cost {op} -0.5")),
                json!({"type": "number", "column_id": "cost", "operator": wire, "value": -0.5}),
                "{op}"
            );
        }
        assert_eq!(json_of("cost = 1e3")["value"], json!(1000.0));
        assert_eq!(json_of("number:status_code = \"200\"")["value"], json!(200));
        // Words that Rust would parse as floats are not numbers.
        assert_eq!(json_of("name = inf")["type"], json!("text"));
        assert_eq!(json_of("name = NaN")["type"], json!("text"));
    }

    #[test]
    fn date_forms() {
        assert_eq!(
            json_of("created_at >= 2026-01-01T00:00:00Z"),
            json!({"type": "date", "column_id": "created_at", "operator": "gte", "value": "2026-01-01T00:00:00Z"})
        );
        assert_eq!(
            json_of("created_at < 2026-01-01T02:00:00+02:00")["value"],
            json!("2026-01-01T00:00:00Z")
        );
        assert_eq!(
            json_of("created_at = 2026-01-01T00:00:00.5Z")["operator"],
            json!("eq")
        );
        assert_eq!(
            json_of(r#"date:updated_at lte "2026-03-04T05:06:07Z""#),
            json!({"type": "date", "column_id": "updated_at", "operator": "lte", "value": "2026-03-04T05:06:07Z"})
        );
        assert_eq!(
            json_of(r#"created_at > "2026-01-01T00:00:00Z""#)["type"],
            json!("date")
        );
    }

    #[test]
    fn id_forms() {
        assert_eq!(
            json_of(&format!("trace_id = {U1}")),
            json!({"type": "id", "column_id": "trace_id", "operator": "eq", "value": U1})
        );
        assert_eq!(
            json_of(&format!("trace_id != {U1}"))["operator"],
            json!("ne")
        );
        assert_eq!(
            json_of(&format!("id one_of [{U1}, {U2}]")),
            json!({"type": "id", "column_id": "id", "operator": "one_of", "value": [U1, U2]})
        );
        assert_eq!(
            json_of(&format!("id not_in [{U1}]")),
            json!({"type": "id", "column_id": "id", "operator": "not_in", "value": [U1]})
        );
        assert_eq!(
            json_of(&format!("trace_id contains {U1}")),
            json!({"type": "id", "column_id": "trace_id", "operator": "contains", "value": U1})
        );
        assert_eq!(
            json_of("id:trace_id contains 6f1c"),
            json!({"type": "id", "column_id": "trace_id", "operator": "contains", "value": "6f1c"})
        );
        // Upper case and the simple form parse with the prefix and are sent hyphenated.
        assert_eq!(
            json_of(&format!("id:trace_id = {}", U1.to_uppercase()))["value"],
            json!(U1)
        );
        // Without the prefix, a fragment is text and a mixed list is text.
        assert_eq!(
            json_of("trace_id contains 6f1c"),
            json!({"type": "text", "column_id": "trace_id", "operator": "contains", "value": "6f1c", "case_sensitive": true})
        );
        assert_eq!(
            json_of(&format!("id one_of [{U1}, \"{U2}\"]"))["type"],
            json!("text")
        );
        assert_eq!(
            json_of(&format!("trace_id = \"{U1}\""))["type"],
            json!("text")
        );
    }

    #[test]
    fn boolean_forms() {
        assert_eq!(
            json_of("has_error = true"),
            json!({"type": "boolean", "column_id": "has_error", "operator": "eq", "value": true})
        );
        assert_eq!(
            json_of("has_error ne false"),
            json!({"type": "boolean", "column_id": "has_error", "operator": "ne", "value": false})
        );
        assert_eq!(
            json_of("boolean:has_error = \"true\"")["value"],
            json!(true)
        );
    }

    #[test]
    fn collection_forms() {
        assert_eq!(
            json_of("collection:tags contains prod"),
            json!({"type": "collection", "column_id": "tags", "operator": "contains", "value": "prod", "case_sensitive": true})
        );
        assert_eq!(
            json_of("collection:tags ~contains Prod"),
            json!({"type": "collection", "column_id": "tags", "operator": "contains", "value": "Prod", "case_sensitive": false})
        );
        assert_eq!(
            json_of("collection:tags one_of [prod, beta]"),
            json!({"type": "collection", "column_id": "tags", "operator": "one_of", "value": ["prod", "beta"], "case_sensitive": true})
        );
        assert_eq!(
            json_of("collection:tags ~not_in [a]"),
            json!({"type": "collection", "column_id": "tags", "operator": "not_in", "value": ["a"], "case_sensitive": false})
        );
        assert_eq!(
            json_of("collection:tags = [a, b]"),
            json!({"type": "collection", "column_id": "tags", "operator": "eq", "value": ["a", "b"], "case_sensitive": true})
        );
        assert_eq!(
            json_of("collection:tags eq a"),
            json!({"type": "collection", "column_id": "tags", "operator": "eq", "value": "a", "case_sensitive": true})
        );
        // Without the prefix, tags is not special.
        assert_eq!(json_of("tags one_of [prod, beta]")["type"], json!("text"));
    }

    #[test]
    fn text_prefix_keeps_values_verbatim() {
        assert_eq!(
            json_of("text:status_code = 200"),
            json!({"type": "text", "column_id": "status_code", "operator": "eq", "value": "200", "case_sensitive": true})
        );
        assert_eq!(json_of("text:flag = true")["value"], json!("true"));
        assert_eq!(
            json_of(&format!("text:trace_id = {U1}"))["type"],
            json!("text")
        );
    }

    #[test]
    fn fully_annotated_forms() {
        assert_eq!(
            json_of("fully_annotated"),
            json!({"type": "fully_annotated", "column_id": "fully_annotated"})
        );
        let v4a = "9b2e5f4c-3f1a-4d6e-8c7b-1a2b3c4d5e6f";
        let v4b = "1c9d8e7f-6a5b-4c3d-9e2f-0a1b2c3d4e5f";
        assert_eq!(
            json_of(&format!("fully_annotated by [{v4a}, {v4b}]")),
            json!({"type": "fully_annotated", "column_id": "fully_annotated", "user_ids": [v4a, v4b]})
        );
        // A non-v4 user id is pointed at.
        let v1 = "c232ab00-9414-11ec-b3c8-9f6bdeced846";
        let expr = format!("fully_annotated by [{v4a}, {v1}]");
        let e = err(&expr);
        let at = expr.find(v1).unwrap_or_default();
        assert_eq!(e.span(), at..at + v1.len());
        assert!(e.message().contains("version-4"), "{e}");
        let e = err("fully_annotated = true");
        assert_eq!(e.span(), 16..17);
        let e = err("fully_annotated by []");
        assert!(e.message().contains("must not be empty"), "{e}");
    }

    /// The messages made from the library's filter vocabulary.
    #[test]
    fn vocabulary_messages() {
        assert_eq!(
            kinds_expected(),
            "text, number, date, id, boolean or collection"
        );
        let expected = [
            (
                FilterKind::Text,
                "eq (=), ne (!=), contains, one_of or not_in",
            ),
            (
                FilterKind::Number,
                "eq (=), ne (!=), gt (>), gte (>=), lt (<), lte (<=) or between",
            ),
            (
                FilterKind::Date,
                "eq (=), ne (!=), gt (>), gte (>=), lt (<) or lte (<=)",
            ),
            (
                FilterKind::Id,
                "eq (=), ne (!=), contains, one_of or not_in",
            ),
            (FilterKind::Boolean, "eq (=) or ne (!=)"),
            (FilterKind::Collection, "eq (=), contains, one_of or not_in"),
        ];
        for (kind, operators) in expected {
            assert_eq!(kind_operators(kind), operators, "{kind}");
            assert_eq!(from_prefix(kind.as_str()), Some(kind));
        }
        assert_eq!(from_prefix("fully_annotated"), None);
        assert_eq!(
            case_insensitive_operators(),
            "eq (=), ne (!=), contains, one_of or not_in"
        );
        // Every operator the library knows can be written, by name or symbol.
        for &op in Operator::ALL {
            assert_eq!(Operator::from_name(op.as_str()), Some(op));
        }
        for (symbol, op) in [
            ("=", Operator::Eq),
            ("==", Operator::Eq),
            ("<=", Operator::Lte),
        ] {
            assert_eq!(from_symbol(symbol), Some(op));
        }
    }

    #[test]
    fn errors_point_at_the_token() {
        let e = err("latency_ms => 100");
        assert_eq!(e.message(), "unknown operator `=>`");
        assert_eq!(e.span(), 11..13);
        assert_eq!(
            e.to_string(),
            format!(
                "invalid filter: unknown operator `=>`\n  latency_ms => 100\n             ^^\n  expected an operator: = != > >= < <= eq ne gt gte lt lte between contains one_of not_in (a leading ~ makes text and collection filters case-insensitive)"
            )
        );

        let e = err("latency_ms biggerthan 100");
        assert_eq!(e.span(), 11..21);
        assert_eq!(caret(&e), format!("  {}{}", " ".repeat(11), "^".repeat(10)));

        let e = err("latency_ms");
        assert_eq!(e.message(), "no operator after the column");
        assert_eq!(e.span(), 10..10);
        assert_eq!(caret(&e), format!("  {}^", " ".repeat(10)));

        let e = err("latency_ms >");
        assert_eq!(e.message(), "the expression ends too early");
        assert_eq!(e.span(), 12..12);

        let e = err("latency_ms > fast");
        assert_eq!(e.span(), 13..17);
        assert!(e.to_string().contains("RFC 3339"), "{e}");

        let e = err("created_at >= 2026-01-01");
        assert_eq!(e.span(), 14..24);

        let e = err("latency_ms between 100");
        assert_eq!(e.span(), 22..22);

        let e = err("latency_ms between 250 100");
        assert_eq!(e.span(), 19..26);
        assert!(e.message().contains("low <= high"), "{e}");

        let e = err("latency_ms between [1, 2, 3]");
        assert_eq!(e.span(), 19..28);

        let e = err("input contains refund policy");
        assert_eq!(e.span(), 22..28);
        assert!(e.to_string().contains("quote a value"), "{e}");

        let e = err("input contains \"refund");
        assert_eq!(e.message(), "unterminated string: no closing \"");
        assert_eq!(e.span(), 15..22);

        let e = err(r#"input contains "a\qb""#);
        assert_eq!(e.span(), 17..19);

        let e = err("tags one_of prod");
        assert_eq!(e.span(), 12..16);
        assert!(e.message().contains("needs a list"), "{e}");

        let e = err("tags one_of [prod beta]");
        assert_eq!(e.span(), 18..22);

        let e = err("tags one_of [prod, beta");
        assert_eq!(e.message(), "unclosed list");

        let e = err("tags one_of []");
        assert!(e.message().contains("non-empty list"), "{e}");
        assert_eq!(e.span(), 12..14);

        let e = err("input = [a, b]");
        assert_eq!(e.span(), 8..9);

        let e = err("kind:tags contains x");
        assert_eq!(e.message(), "unknown kind `kind`");
        assert_eq!(e.span(), 0..4);

        let e = err("collection: contains x");
        assert_eq!(e.span(), 11..11);

        let e = err("latency_ms ~> 100");
        assert_eq!(e.span(), 11..13);

        // `~` makes the filter text, so `~=` with a number is a text filter...
        assert_eq!(json_of("latency_ms ~= 100")["value"], json!("100"));
        // ...and an error with a number prefix.
        let e = err("number:latency_ms ~= 100");
        assert_eq!(e.span(), 18..20);
        assert!(e.message().contains("does not apply to number"), "{e}");

        let e = err("number:latency_ms contains 1");
        assert_eq!(e.span(), 18..26);
        assert!(
            e.message().contains("number filters have no `contains`"),
            "{e}"
        );

        let e = err("number:latency_ms = abc");
        assert_eq!(e.span(), 20..23);

        let e = err("boolean:has_error = yes");
        assert_eq!(e.span(), 20..23);

        let e = err("date:created_at = yesterday");
        assert_eq!(e.span(), 18..27);

        let e = err("id:trace_id = 6f1c");
        assert_eq!(e.span(), 14..18);

        let e = err("collection:tags != a");
        assert!(e.message().contains("no `ne`"), "{e}");

        let e = err("has_error = true ~");
        assert_eq!(e.span(), 17..18);

        let e = err("input ! x");
        assert_eq!(e.span(), 6..7);

        let e = err("= 3");
        assert_eq!(e.span(), 0..1);

        let e = err("");
        assert_eq!(e.message(), "the expression is empty");
        let e = err("   ");
        assert_eq!(e.span(), 3..3);
    }

    #[test]
    fn caret_counts_characters_not_bytes() {
        let e = err("entrée => x");
        assert_eq!(e.span(), 8..10);
        assert_eq!(caret(&e), format!("  {}^^", " ".repeat(7)));
    }
}
