//! Columns, filter evaluation, sorting and export planning.
//!
//! # Columns
//!
//! | column id | kind | notes |
//! |---|---|---|
//! | `id`, `session_id`, `trace_id`, `parent_id`, `project_id`, `log_stream_id` | id | `trace_id`/`parent_id` are null for sessions |
//! | `created_at`, `updated_at` | date | |
//! | `type`, `name`, `input`, `output` | text | |
//! | `user_metadata.user_id`, `.region`, `.model`, `.locale` | text | `locale` absent (null) on 1 record in 5 |
//! | `latency_ms`, `cost`, `status_code` | number | `cost` null for tool/retriever spans |
//! | `metrics.latency_ms`, `.cost`, `.num_input_tokens`, `.num_output_tokens`, `.num_total_tokens` | number | token counts/cost null for tool/retriever spans |
//! | `has_error` | boolean | |
//! | `tags` | collection | |
//! | `metrics`, `user_metadata` | object | CSV output only (rendered as JSON text) |
//!
//! # Filter semantics
//!
//! * SQL null semantics: a null value matches no operator (not even `ne` /
//!   `not_in`).
//! * `text` (also accepted on id columns, compared as the hyphenated lowercase
//!   string): `eq`/`ne` exact equality, `contains` substring, `one_of`/`not_in`
//!   membership; `case_sensitive: false` compares Unicode-lowercased strings.
//! * `number`: comparisons on `f64`; `between [lo, hi]` is inclusive on both
//!   ends (empty when `lo > hi`).
//! * `date`: comparisons at microsecond precision (values with more precision
//!   are truncated; naive datetimes are UTC).
//! * `id`: `eq`/`ne`/`one_of`/`not_in` on parsed UUIDs, `contains` is a
//!   case-insensitive substring match on the hyphenated form.
//! * `boolean`: `eq`/`ne`.
//! * `collection` (`tags`): `eq` — the tag set equals the value set (a string
//!   counts as a one-element set); `contains` — has every given tag; `one_of`
//!   — has at least one; `not_in` — has none. `case_sensitive` applies.
//! * `fully_annotated`: validated, then rejected with 400: the spec scopes it
//!   to annotation-queue searches, and an export request has no queue context.
//!
//! Filtering on a column of another kind, or on an unknown column, is a 400
//! `{"detail": "..."}`, as is sorting on `tags`/`metrics`/`user_metadata`.
//!
//! # Sorting
//!
//! Without `sort` (or with `created_at` descending) the export streams in
//! native order with no buffering; `created_at` ascending streams in reverse
//! index order, also unbuffered. Any other sort materialises
//! `(key, id, index)` for the matching records, sorts by key then by id, both
//! in the requested direction, with nulls last when ascending and first when
//! descending (PostgreSQL's default).

use std::borrow::Cow;
use std::cmp::Ordering;

use galileo_export::filter::{FilterKind, Operator};
use serde_json::json;
use uuid::Uuid;

use super::data::{
    user_id_str, write_cost, write_metrics, write_tags, write_timestamp, write_u64,
    write_user_metadata, Core, Dataset, RootType, Scratch, LOCALES, MODELS, REGIONS,
};
use super::validate::{ExportFormat, ExportRequest, FilterReq, NumOp};
use super::Rejection;

/// A known column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Column {
    Id,
    Type,
    SessionId,
    TraceId,
    ParentId,
    ProjectId,
    LogStreamId,
    CreatedAt,
    UpdatedAt,
    Name,
    Input,
    Output,
    Metrics,
    Metric(Metric),
    LatencyMs,
    Cost,
    StatusCode,
    HasError,
    Tags,
    UserMetadata,
    Meta(MetaKey),
}

/// A key of the `metrics` object.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Metric {
    LatencyMs,
    Cost,
    InputTokens,
    OutputTokens,
    TotalTokens,
}

/// A key of the `user_metadata` object.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum MetaKey {
    UserId,
    Region,
    Model,
    Locale,
}

/// The name of a column kind in messages: the filter kind that applies to it, or
/// `object` for the nested columns (`metrics`, `user_metadata`), which no filter takes.
fn kind_name(kind: Option<FilterKind>) -> &'static str {
    kind.map_or("object", FilterKind::as_str)
}

/// Default CSV columns (= JSONL key order).
pub(crate) const DEFAULT_COLUMNS: [(&str, Column); 19] = [
    ("id", Column::Id),
    ("type", Column::Type),
    ("session_id", Column::SessionId),
    ("trace_id", Column::TraceId),
    ("parent_id", Column::ParentId),
    ("project_id", Column::ProjectId),
    ("log_stream_id", Column::LogStreamId),
    ("created_at", Column::CreatedAt),
    ("updated_at", Column::UpdatedAt),
    ("name", Column::Name),
    ("input", Column::Input),
    ("output", Column::Output),
    ("metrics", Column::Metrics),
    ("latency_ms", Column::LatencyMs),
    ("cost", Column::Cost),
    ("status_code", Column::StatusCode),
    ("has_error", Column::HasError),
    ("tags", Column::Tags),
    ("user_metadata", Column::UserMetadata),
];

impl Column {
    pub fn parse(s: &str) -> Option<Column> {
        if let Some((_, c)) = DEFAULT_COLUMNS.iter().find(|(n, _)| *n == s) {
            return Some(*c);
        }
        if let Some(m) = s.strip_prefix("metrics.") {
            return Some(Column::Metric(match m {
                "latency_ms" => Metric::LatencyMs,
                "cost" => Metric::Cost,
                "num_input_tokens" => Metric::InputTokens,
                "num_output_tokens" => Metric::OutputTokens,
                "num_total_tokens" => Metric::TotalTokens,
                _ => return None,
            }));
        }
        if let Some(k) = s.strip_prefix("user_metadata.") {
            return Some(Column::Meta(match k {
                "user_id" => MetaKey::UserId,
                "region" => MetaKey::Region,
                "model" => MetaKey::Model,
                "locale" => MetaKey::Locale,
                _ => return None,
            }));
        }
        None
    }

    /// The kind of filter that applies to the column; `None` for an object column.
    pub fn kind(self) -> Option<FilterKind> {
        Some(match self {
            Column::Id
            | Column::SessionId
            | Column::TraceId
            | Column::ParentId
            | Column::ProjectId
            | Column::LogStreamId => FilterKind::Id,
            Column::CreatedAt | Column::UpdatedAt => FilterKind::Date,
            Column::Type | Column::Name | Column::Input | Column::Output | Column::Meta(_) => {
                FilterKind::Text
            }
            Column::Metric(_) | Column::LatencyMs | Column::Cost | Column::StatusCode => {
                FilterKind::Number
            }
            Column::HasError => FilterKind::Boolean,
            Column::Tags => FilterKind::Collection,
            Column::Metrics | Column::UserMetadata => return None,
        })
    }

    fn needs_text(self) -> bool {
        matches!(self, Column::Input | Column::Output)
    }
}

fn uuid_of(col: Column, c: &Core, ds: &Dataset) -> Option<Uuid> {
    match col {
        Column::Id => Some(c.id),
        Column::SessionId => Some(c.session_id),
        Column::TraceId => c.trace_id,
        Column::ParentId => c.parent_id,
        Column::ProjectId => Some(ds.project_id()),
        Column::LogStreamId => Some(ds.log_stream_id()),
        _ => None,
    }
}

/// String value of a text (or id) column; `None` when null.
fn text_of<'a>(col: Column, s: &'a Scratch, ds: &Dataset) -> Option<Cow<'a, str>> {
    let c = &s.core;
    match col {
        Column::Type => Some(Cow::Borrowed(c.kind)),
        Column::Name => Some(Cow::Borrowed(c.name)),
        Column::Input => Some(Cow::Borrowed(s.texts.input.as_str())),
        Column::Output => Some(Cow::Borrowed(s.texts.output.as_str())),
        Column::Meta(MetaKey::UserId) => {
            let b = user_id_str(c);
            Some(Cow::Owned(String::from_utf8_lossy(&b).into_owned()))
        }
        Column::Meta(MetaKey::Region) => Some(Cow::Borrowed(REGIONS[c.region as usize])),
        Column::Meta(MetaKey::Model) => Some(Cow::Borrowed(MODELS[c.model as usize])),
        Column::Meta(MetaKey::Locale) => c.locale.map(|l| Cow::Borrowed(LOCALES[l as usize])),
        _ => uuid_of(col, c, ds).map(|u| Cow::Owned(u.hyphenated().to_string())),
    }
}

fn num_of(col: Column, c: &Core) -> Option<f64> {
    match col {
        Column::LatencyMs | Column::Metric(Metric::LatencyMs) => Some(c.latency_ms as f64),
        Column::Cost | Column::Metric(Metric::Cost) => c.cost(),
        Column::StatusCode => Some(c.status_code as f64),
        Column::Metric(Metric::InputTokens) => c.tokens.map(|t| t.0 as f64),
        Column::Metric(Metric::OutputTokens) => c.tokens.map(|t| t.1 as f64),
        Column::Metric(Metric::TotalTokens) => c.tokens.map(|t| (t.0 + t.1) as f64),
        _ => None,
    }
}

fn time_of(col: Column, c: &Core) -> i64 {
    match col {
        Column::UpdatedAt => c.updated_us,
        _ => c.created_us,
    }
}

/// A compiled filter.
#[derive(Clone, Debug)]
pub(crate) enum Pred {
    Text {
        col: Column,
        op: Operator,
        values: Vec<String>,
        case_sensitive: bool,
    },
    Id {
        col: Column,
        op: Operator,
        ids: Vec<Uuid>,
        needle: String,
    },
    Date {
        col: Column,
        op: Operator,
        t: i64,
    },
    Number {
        col: Column,
        op: NumOp,
    },
    Bool {
        eq: bool,
        value: bool,
    },
    Collection {
        op: Operator,
        values: Vec<String>,
        case_sensitive: bool,
    },
}

impl Pred {
    fn needs_text(&self) -> bool {
        match self {
            Pred::Text { col, .. } => col.needs_text(),
            _ => false,
        }
    }

    fn eval(&self, s: &Scratch, ds: &Dataset) -> bool {
        let c = &s.core;
        match self {
            Pred::Text {
                col,
                op,
                values,
                case_sensitive,
            } => {
                let Some(v) = text_of(*col, s, ds) else {
                    return false;
                };
                let v: Cow<'_, str> = if *case_sensitive {
                    v
                } else {
                    Cow::Owned(v.to_lowercase())
                };
                set_match(*op, &v, values)
            }
            Pred::Id {
                col,
                op,
                ids,
                needle,
            } => {
                let Some(u) = uuid_of(*col, c, ds) else {
                    return false;
                };
                match op {
                    Operator::Eq | Operator::OneOf => ids.contains(&u),
                    Operator::Ne | Operator::NotIn => !ids.contains(&u),
                    Operator::Contains => u.hyphenated().to_string().contains(needle.as_str()),
                    // Validation lets no other operator through.
                    _ => false,
                }
            }
            Pred::Date { col, op, t } => {
                let v = time_of(*col, c);
                cmp(*op, v.cmp(t))
            }
            Pred::Number { col, op } => {
                let Some(v) = num_of(*col, c) else {
                    return false;
                };
                match op {
                    NumOp::Cmp(o, x) => match v.partial_cmp(x) {
                        Some(ord) => cmp(*o, ord),
                        None => false,
                    },
                    NumOp::Between(lo, hi) => v >= *lo && v <= *hi,
                }
            }
            Pred::Bool { eq, value, .. } => (c.has_error == *value) == *eq,
            Pred::Collection {
                op,
                values,
                case_sensitive,
                ..
            } => {
                let norm = |t: &str| -> String {
                    if *case_sensitive {
                        t.to_string()
                    } else {
                        t.to_lowercase()
                    }
                };
                let tags: Vec<String> = c.tag_iter().map(norm).collect();
                match op {
                    Operator::Eq => {
                        let mut want: Vec<&str> = values.iter().map(String::as_str).collect();
                        want.sort_unstable();
                        want.dedup();
                        let mut have: Vec<&str> = tags.iter().map(String::as_str).collect();
                        have.sort_unstable();
                        have == want
                    }
                    Operator::Contains => values.iter().all(|v| tags.contains(v)),
                    Operator::OneOf => values.iter().any(|v| tags.contains(v)),
                    Operator::NotIn | Operator::Ne => !values.iter().any(|v| tags.contains(v)),
                    _ => false,
                }
            }
        }
    }
}

fn cmp(op: Operator, ord: Ordering) -> bool {
    match op {
        Operator::Eq => ord == Ordering::Equal,
        Operator::Ne => ord != Ordering::Equal,
        Operator::Gt => ord == Ordering::Greater,
        Operator::Gte => ord != Ordering::Less,
        Operator::Lt => ord == Ordering::Less,
        Operator::Lte => ord != Ordering::Greater,
        // Validation lets no other operator through.
        _ => false,
    }
}

fn set_match(op: Operator, v: &str, values: &[String]) -> bool {
    match op {
        Operator::Eq => values.first().is_some_and(|x| x == v),
        Operator::Ne => values.first().is_some_and(|x| x != v),
        Operator::Contains => values.first().is_some_and(|x| v.contains(x.as_str())),
        Operator::OneOf => values.iter().any(|x| x == v),
        Operator::NotIn => !values.iter().any(|x| x == v),
        _ => false,
    }
}

/// Record order of an export.
#[derive(Clone, Debug)]
pub(crate) enum Order {
    /// Index order (created_at desc, id desc): streamed, filtered on the fly.
    Native,
    /// Reverse index order (created_at asc, id asc): streamed, filtered on the fly.
    Reverse,
    /// A custom sort: the matching indices, in output order (already filtered).
    Sorted(std::sync::Arc<Vec<u64>>),
    /// A custom sort not materialised yet.
    Pending(Column, bool),
}

/// Everything needed to stream one export.
#[derive(Clone, Debug)]
pub(crate) struct Plan {
    pub root: RootType,
    pub format: ExportFormat,
    pub redact: bool,
    pub preds: Vec<Pred>,
    pub needs_text: bool,
    pub order: Order,
    /// CSV columns: (header, column).
    pub columns: Vec<(String, Column)>,
    pub file_name: Option<String>,
    pub len: u64,
}

impl Plan {
    /// True for an unfiltered export in native order (cacheable).
    pub fn is_plain_native(&self) -> bool {
        self.preds.is_empty() && matches!(self.order, Order::Native)
    }

    /// The `pos`-th candidate index and whether it still needs filtering.
    #[inline]
    pub fn candidate(&self, pos: u64) -> Option<(u64, bool)> {
        match &self.order {
            Order::Native => (pos < self.len).then_some((pos, !self.preds.is_empty())),
            Order::Reverse => {
                (pos < self.len).then(|| (self.len - 1 - pos, !self.preds.is_empty()))
            }
            Order::Sorted(v) => v.get(pos as usize).map(|&i| (i, false)),
            Order::Pending(..) => None,
        }
    }

    /// Generates the core (and texts when filters need them) of `index` and
    /// evaluates the filters.
    #[inline]
    pub fn load_and_match(&self, ds: &Dataset, s: &mut Scratch, index: u64, filter: bool) -> bool {
        ds.core_into(self.root, index, s);
        if !filter {
            return true;
        }
        if self.needs_text {
            ds.texts_into(s, self.redact);
        }
        self.preds.iter().all(|p| p.eval(s, ds))
    }

    /// How many records the export selects (what the count operations answer).
    pub fn count(&self, ds: &Dataset) -> u64 {
        if self.preds.is_empty() {
            return self.len;
        }
        let mut s = Scratch::default();
        (0..self.len)
            .filter(|&i| self.load_and_match(ds, &mut s, i, true))
            .count() as u64
    }

    /// Materialises a pending custom sort (CPU-bound: run it off the reactor).
    pub fn materialize(&mut self, ds: &Dataset) {
        let Order::Pending(col, ascending) = self.order else {
            return;
        };
        let mut s = Scratch::default();
        let mut rows: Vec<(Key, Uuid, u64)> = Vec::new();
        let want_text = col.needs_text() || self.needs_text;
        for i in 0..self.len {
            ds.core_into(self.root, i, &mut s);
            if want_text {
                ds.texts_into(&mut s, self.redact);
            }
            if !self.preds.iter().all(|p| p.eval(&s, ds)) {
                continue;
            }
            rows.push((key_of(col, &s, ds), s.core.id, i));
        }
        rows.sort_unstable_by(|a, b| {
            let ord = a.0.cmp_nulls_last(&b.0).then_with(|| a.1.cmp(&b.1));
            if ascending {
                ord
            } else {
                ord.reverse()
            }
        });
        self.order = Order::Sorted(std::sync::Arc::new(rows.into_iter().map(|r| r.2).collect()));
    }
}

/// A sort key.
#[derive(Clone, Debug)]
enum Key {
    Null,
    Num(f64),
    Time(i64),
    Bool(bool),
    Uuid(Uuid),
    Str(Box<str>),
}

impl Key {
    /// Total order with null greater than everything (so nulls come last
    /// ascending and first descending).
    fn cmp_nulls_last(&self, other: &Key) -> Ordering {
        match (self, other) {
            (Key::Null, Key::Null) => Ordering::Equal,
            (Key::Null, _) => Ordering::Greater,
            (_, Key::Null) => Ordering::Less,
            (Key::Num(a), Key::Num(b)) => a.total_cmp(b),
            (Key::Time(a), Key::Time(b)) => a.cmp(b),
            (Key::Bool(a), Key::Bool(b)) => a.cmp(b),
            (Key::Uuid(a), Key::Uuid(b)) => a.cmp(b),
            (Key::Str(a), Key::Str(b)) => a.cmp(b),
            _ => Ordering::Equal,
        }
    }
}

fn key_of(col: Column, s: &Scratch, ds: &Dataset) -> Key {
    match col.kind() {
        Some(FilterKind::Id) => uuid_of(col, &s.core, ds).map_or(Key::Null, Key::Uuid),
        Some(FilterKind::Date) => Key::Time(time_of(col, &s.core)),
        Some(FilterKind::Number) => num_of(col, &s.core).map_or(Key::Null, Key::Num),
        Some(FilterKind::Boolean) => Key::Bool(s.core.has_error),
        Some(FilterKind::Text) => text_of(col, s, ds).map_or(Key::Null, |t| Key::Str(t.into())),
        _ => Key::Null,
    }
}

fn bad_request(detail: String) -> Rejection {
    Rejection {
        status: 400,
        body: json!({ "detail": detail }),
    }
}

fn resolve(name: &str, root: RootType) -> Result<Column, Rejection> {
    Column::parse(name).ok_or_else(|| {
        bad_request(format!(
            "Column '{name}' does not exist for root type '{root}'"
        ))
    })
}

/// Checks that a filter of kind `filter` applies to `col`: a column of the same kind, or
/// also of kind `also` (text filters apply to id columns).
fn expect_kind(
    col: Column,
    name: &str,
    filter: FilterKind,
    also: Option<FilterKind>,
) -> Result<(), Rejection> {
    let kind = col.kind();
    if kind == Some(filter) || (also.is_some() && kind == also) {
        Ok(())
    } else {
        Err(bad_request(format!(
            "Filter of type '{filter}' cannot be applied to column '{name}' (a {} column)",
            kind_name(kind)
        )))
    }
}

/// Turns a schema-valid request into a plan (400 for unknown columns, kind
/// mismatches, unsortable columns and `fully_annotated`; 404 for a run that
/// is not this data set's log stream).
pub(crate) fn plan(ds: &Dataset, req: ExportRequest) -> Result<Plan, Rejection> {
    let (field, run) = req.run;
    if run != ds.log_stream_id() {
        return Err(Rejection {
            status: 404,
            body: json!({ "detail": format!("{} {run} not found", field.label()) }),
        });
    }
    let root = req.root;
    let preds = req
        .filters
        .into_iter()
        .map(|f| pred(f, root))
        .collect::<Result<Vec<_>, _>>()?;
    let order = match req.sort {
        None => Order::Native,
        Some(sort) => {
            let col = resolve(&sort.column_id, root)?;
            if matches!(col.kind(), Some(FilterKind::Collection) | None) {
                return Err(bad_request(format!(
                    "Cannot sort by column '{}' (a {} column)",
                    sort.column_id,
                    kind_name(col.kind())
                )));
            }
            match (col, sort.ascending) {
                (Column::CreatedAt, false) => Order::Native,
                (Column::CreatedAt, true) => Order::Reverse,
                (col, asc) => Order::Pending(col, asc),
            }
        }
    };
    let columns = match (req.format, req.column_ids) {
        (ExportFormat::Csv, Some(ids)) => {
            let mut cols = Vec::with_capacity(ids.len());
            for id in ids {
                let col = resolve(&id, root)?;
                cols.push((id, col));
            }
            cols
        }
        (ExportFormat::Csv, None) => DEFAULT_COLUMNS
            .iter()
            .map(|(n, c)| (n.to_string(), *c))
            .collect(),
        (ExportFormat::Jsonl, _) => Vec::new(),
    };
    let needs_text = preds.iter().any(Pred::needs_text);
    Ok(Plan {
        root,
        format: req.format,
        redact: req.redact,
        preds,
        needs_text,
        order,
        columns,
        file_name: req.file_name,
        len: ds.len(root),
    })
}

/// The predicate of one filter: its column resolved and checked against the filter's
/// kind (text filters also apply to id columns).
fn pred(f: FilterReq, root: RootType) -> Result<Pred, Rejection> {
    let Some((name, kind)) = f.column() else {
        return Err(fully_annotated());
    };
    let col = resolve(name, root)?;
    let also = (kind == FilterKind::Text).then_some(FilterKind::Id);
    expect_kind(col, name, kind, also)?;
    Ok(match f {
        FilterReq::FullyAnnotated => return Err(fully_annotated()),
        FilterReq::Id {
            op, ids, needle, ..
        } => Pred::Id {
            col,
            op,
            ids,
            needle: needle.to_lowercase(),
        },
        FilterReq::Date { op, value_us, .. } => Pred::Date {
            col,
            op,
            t: value_us,
        },
        FilterReq::Number { op, .. } => Pred::Number { col, op },
        // `has_error` is the only boolean column.
        FilterReq::Boolean { eq, value, .. } => Pred::Bool { eq, value },
        // `tags` is the only collection column.
        FilterReq::Collection {
            op,
            values,
            case_sensitive,
            ..
        } => Pred::Collection {
            op,
            values: fold(values, case_sensitive),
            case_sensitive,
        },
        FilterReq::Text {
            op,
            values,
            case_sensitive,
            ..
        } => Pred::Text {
            col,
            op,
            values: fold(values, case_sensitive),
            case_sensitive,
        },
    })
}

/// The 400 of a `fully_annotated` filter.
fn fully_annotated() -> Rejection {
    bad_request(
        "The fully_annotated filter requires an annotation queue context, which export_records does not provide"
            .to_string(),
    )
}

fn fold(values: Vec<String>, case_sensitive: bool) -> Vec<String> {
    if case_sensitive {
        values
    } else {
        values.into_iter().map(|v| v.to_lowercase()).collect()
    }
}

/// Appends the raw (unquoted) CSV text of one cell: strings verbatim, numbers
/// and booleans as JSON scalars, objects/arrays as compact JSON, null empty.
pub(crate) fn write_cell(col: Column, s: &Scratch, ds: &Dataset, out: &mut Vec<u8>) {
    let c = &s.core;
    match col {
        Column::Id
        | Column::SessionId
        | Column::TraceId
        | Column::ParentId
        | Column::ProjectId
        | Column::LogStreamId => {
            if let Some(u) = uuid_of(col, c, ds) {
                let mut buf = [0u8; 36];
                u.hyphenated().encode_lower(&mut buf);
                out.extend_from_slice(&buf);
            }
        }
        Column::CreatedAt => write_timestamp(out, c.created_us),
        Column::UpdatedAt => write_timestamp(out, c.updated_us),
        Column::Type => out.extend_from_slice(c.kind.as_bytes()),
        Column::Name => out.extend_from_slice(c.name.as_bytes()),
        Column::Input => out.extend_from_slice(s.texts.input.as_bytes()),
        Column::Output => out.extend_from_slice(s.texts.output.as_bytes()),
        Column::Metrics => write_metrics(out, c),
        Column::UserMetadata => write_user_metadata(out, c),
        Column::Tags => write_tags(out, c),
        Column::HasError => out.extend_from_slice(if c.has_error { b"true" } else { b"false" }),
        Column::Cost | Column::Metric(Metric::Cost) => {
            if let Some(m) = c.cost_micros {
                write_cost(out, m);
            }
        }
        Column::LatencyMs
        | Column::StatusCode
        | Column::Metric(Metric::LatencyMs)
        | Column::Metric(Metric::InputTokens)
        | Column::Metric(Metric::OutputTokens)
        | Column::Metric(Metric::TotalTokens) => {
            if let Some(v) = num_of(col, c) {
                write_u64(out, v as u64);
            }
        }
        Column::Meta(_) => {
            if let Some(t) = text_of(col, s, ds) {
                out.extend_from_slice(t.as_bytes());
            }
        }
    }
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
