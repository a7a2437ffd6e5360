//! Tokens of a `--filter` expression: bare words, quoted strings (escapes resolved),
//! the comparison symbols, brackets and commas, each with its byte span in the
//! expression and whether it starts with `~`.
//!
//! Invariant: every token's span is a range of the expression on character boundaries,
//! so an error can point at it; an unterminated string or a bad escape is an error at
//! the offending bytes, never a token.

use std::ops::Range;

use super::{from_symbol, operators_expected, ParseError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Tok {
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
pub(super) struct Token {
    pub(super) tok: Tok,
    /// The whole token, `~` included.
    pub(super) span: Range<usize>,
    /// Whether the token starts with `~`.
    pub(super) tilde: bool,
}

impl Token {
    /// The token's text: the source without a leading `~` (or the unescaped string).
    pub(super) fn text<'a>(&'a self, expr: &'a str) -> &'a str {
        match &self.tok {
            Tok::Quoted(s) => s,
            _ => {
                let start = self.span.start + usize::from(self.tilde);
                &expr[start..self.span.end]
            }
        }
    }

    /// The token as written, `~` included.
    pub(super) fn source<'a>(&self, expr: &'a str) -> &'a str {
        &expr[self.span.clone()]
    }
}

fn is_symbol_char(c: char) -> bool {
    matches!(c, '=' | '!' | '<' | '>')
}

fn is_word_char(c: char) -> bool {
    !(c.is_whitespace() || matches!(c, '"' | '\'' | '[' | ']' | ',') || is_symbol_char(c))
}

pub(super) fn tokenize(expr: &str) -> Result<Vec<Token>, ParseError> {
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
