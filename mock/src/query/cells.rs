//! CSV cells of the export: one column of one record as the raw text of a CSV field,
//! and that text quoted as CSV wants it.

use super::{num_of, render, Column, Metric};
use crate::data::{write_cost, write_timestamp, write_u64, Dataset, Field, Scratch};

/// Appends the raw (unquoted) CSV text of one cell: strings verbatim, numbers
/// and booleans as JSON scalars, objects/arrays as compact JSON, null (or a field
/// the record does not have) empty.
pub(crate) fn write_cell(col: Column, s: &mut Scratch, ds: &Dataset, out: &mut Vec<u8>) {
    let c = &s.core;
    let f = match col {
        Column::Metric(Metric::Cost) => {
            if let Some(m) = c.cost_micros {
                write_cost(out, m);
            }
            return;
        }
        Column::Metric(Metric::Score(_)) => {
            if let Some(v) = num_of(col, s, ds) {
                let start = out.len();
                let _ = std::io::Write::write_fmt(out, format_args!("{v}"));
                if !out[start..].contains(&b'.') {
                    out.extend_from_slice(b".0");
                }
            }
            return;
        }
        Column::Metric(_) => {
            if let Some(v) = num_of(col, s, ds) {
                write_u64(out, v as u64);
            }
            return;
        }
        Column::Field(Field::CreatedAt) => {
            write_timestamp(out, c.created_us);
            return;
        }
        Column::Field(f) => f,
    };
    let mut buf = std::mem::take(&mut s.buf);
    let raw = render(f, s, ds, &mut buf);
    match raw.first() {
        None => {}
        Some(b'n') if raw == b"null" => {}
        Some(b'"') => match f {
            // Plain text: the texts themselves (no JSON round trip for the long fields).
            Field::Input => out.extend_from_slice(s.texts.input.as_bytes()),
            Field::Output => out.extend_from_slice(s.texts.output.as_bytes()),
            _ => match serde_json::from_slice::<String>(raw) {
                Ok(text) => out.extend_from_slice(text.as_bytes()),
                Err(_) => out.extend_from_slice(raw),
            },
        },
        Some(_) => out.extend_from_slice(raw),
    }
    s.buf = buf;
}

/// True if a CSV plan's columns need the texts.
pub(crate) fn columns_need_text(cols: &[(String, Column)]) -> bool {
    cols.iter().any(|(_, c)| c.needs_text())
}

/// Appends `raw` as one CSV field, quoted (RFC 4180, Python's
/// `QUOTE_MINIMAL`) when it contains a comma, a double quote, CR or LF.
pub(crate) fn write_csv_field(out: &mut Vec<u8>, raw: &[u8]) {
    let needs_quotes = raw
        .iter()
        .any(|&b| b == b',' || b == b'"' || b == b'\n' || b == b'\r');
    if !needs_quotes {
        out.extend_from_slice(raw);
        return;
    }
    out.push(b'"');
    let mut start = 0;
    for (i, &b) in raw.iter().enumerate() {
        if b == b'"' {
            out.extend_from_slice(&raw[start..=i]);
            out.push(b'"');
            start = i + 1;
        }
    }
    out.extend_from_slice(&raw[start..]);
    out.push(b'"');
}
