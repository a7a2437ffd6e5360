//! The parser: tokens to `COLUMN [~]OPERATOR VALUE` (with an optional `KIND:` prefix)
//! or `fully_annotated [by [...]]`, the value as written (one scalar, a list, or the two
//! bounds of `between`); the kind and the filter are left to the `build` module, which
//! also holds the shapes of values ([`Scalar`], [`Value`]) the parser hands it.
//!
//! Invariant: every error names the token it is about (or the end of the expression)
//! and what was expected there.

use std::ops::Range;

use galileo_export::filter::{Filter, FilterError, FilterKind, Operator};
use uuid::Uuid;

use super::build::{build, infer, Scalar, Value};
use super::lexer::{tokenize, Tok, Token};
use super::*;

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
            .expected("COLUMN OPERATOR VALUE, e.g. `metrics/duration_ns > 100`"));
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
                .expected("a column name first, e.g. `metrics/duration_ns > 100`"))
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

    let source = Source { expr };
    let kind = match prefix {
        Some(kind) => kind,
        None => infer(&source, op, insensitive, &value, op_token.span.clone())?,
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
        &source,
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
