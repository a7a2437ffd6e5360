//! Columns, filter evaluation, sorting and export planning (the CSV cells in `cells`).
//!
//! # Columns
//!
//! The column ids are Galileo's (its `available_columns` vocabulary, as the newer
//! spec's examples list them): the records' top-level fields, and `metrics/<key>`.
//!
//! | column id | kind | notes |
//! |---|---|---|
//! | `id`, `session_id`, `trace_id`, `parent_id`, `project_id`, `run_id` | id | `trace_id` null for sessions; `parent_id` spans only |
//! | `created_at`, `updated_at` | date | `updated_at` null on 1 record in 25 |
//! | `type`, `name`, `input`, `output`, `external_id`, `dataset_input`, `dataset_output`, `progress_message`, `error_message` | text | `input` / `output` match the record's text wherever its shape puts it; an `output` that is `null` or a control result has none |
//! | `model`, `finish_reason`, `tools` (LLM spans), `agent_type` (agent spans), `tool_call_id` (tool spans), `agent_name`, `check_stage`, `applies_to`, `evaluator_name`, `selector_path` (control spans) | text | null on records of other kinds |
//! | `status_code`, `step_number`, `temperature`, `control_id` | number | `status_code` null on some records |
//! | `metrics/duration_ns`, `metrics/num_input_tokens`, `metrics/num_output_tokens`, `metrics/num_total_tokens`, `metrics/time_to_first_token_ns`, `metrics/cost` | number | keys of `metrics`; tokens and cost on LLM spans, traces and sessions |
//! | `metrics/toxicity`, `metrics/bleu`, `metrics/completeness_gpt`, `metrics/context_adherence`, `metrics/correctness`, `metrics/tool_selection_quality`, `metrics/agentic_session_success` | number | the `metric_info` result's `value` when it succeeded (or rolled up); null otherwise |
//! | `has_children`, `is_complete` | boolean | |
//! | `tags` | collection | |
//! | every other field (`user_metadata`, `metrics`, `metric_info`, `annotations`, `files`, …) | object | CSV output only (rendered as JSON text) |
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
//! `{"detail": "..."}`, as is sorting on `tags` or an object column.
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
    extra, has_field, metric_score, output_is_null, Core, Dataset, Field, RootType, Scratch,
    METRIC_NAMES, NUMERIC_METRICS,
};
use super::validate::{ExportFormat, ExportRequest, FilterReq, NumOp};

mod cells;
use super::Rejection;
pub(crate) use cells::{columns_need_text, write_cell, write_csv_field};

/// A known column: a top-level field of the records, or a metric (`metrics/<key>`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Column {
    Field(Field),
    Metric(Metric),
}

/// A metric column, `metrics/<key>`: a key of the `metrics` object, or a numeric
/// scorer of `metric_info` (its value when it succeeded).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Metric {
    DurationNs,
    InputTokens,
    OutputTokens,
    TotalTokens,
    TimeToFirstTokenNs,
    Cost,
    /// An index into [`METRIC_NAMES`] below [`NUMERIC_METRICS`].
    Score(u8),
}

/// The keys of the `metrics` object that are columns.
const METRIC_KEYS: [(&str, Metric); 6] = [
    ("duration_ns", Metric::DurationNs),
    ("num_input_tokens", Metric::InputTokens),
    ("num_output_tokens", Metric::OutputTokens),
    ("num_total_tokens", Metric::TotalTokens),
    ("time_to_first_token_ns", Metric::TimeToFirstTokenNs),
    ("cost", Metric::Cost),
];

/// The name of a column kind in messages: the filter kind that applies to it, or
/// `object` for the nested columns (`metrics`, `user_metadata`, …), which no filter takes.
fn kind_name(kind: Option<FilterKind>) -> &'static str {
    kind.map_or("object", FilterKind::as_str)
}

/// Default CSV columns.
pub(crate) const DEFAULT_COLUMNS: [Field; 17] = [
    Field::Id,
    Field::Type,
    Field::Name,
    Field::Input,
    Field::Output,
    Field::CreatedAt,
    Field::UpdatedAt,
    Field::SessionId,
    Field::TraceId,
    Field::ParentId,
    Field::ProjectId,
    Field::RunId,
    Field::StatusCode,
    Field::Tags,
    Field::UserMetadata,
    Field::Metrics,
    Field::MetricInfo,
];

impl Column {
    pub fn parse(s: &str) -> Option<Column> {
        if let Some(m) = s.strip_prefix("metrics/") {
            if let Some((_, k)) = METRIC_KEYS.iter().find(|(n, _)| *n == m) {
                return Some(Column::Metric(*k));
            }
            let score = METRIC_NAMES[..NUMERIC_METRICS]
                .iter()
                .position(|n| *n == m)?;
            return Some(Column::Metric(Metric::Score(score as u8)));
        }
        Field::parse(s).map(Column::Field)
    }

    /// The kind of filter that applies to the column (the `filter_type` Galileo's
    /// `available_columns` gives it); `None` for an object column.
    pub fn kind(self) -> Option<FilterKind> {
        let f = match self {
            Column::Metric(_) => return Some(FilterKind::Number),
            Column::Field(f) => f,
        };
        Some(match f {
            Field::Id
            | Field::SessionId
            | Field::TraceId
            | Field::ParentId
            | Field::ProjectId
            | Field::RunId => FilterKind::Id,
            Field::CreatedAt | Field::UpdatedAt => FilterKind::Date,
            Field::Type
            | Field::Name
            | Field::Input
            | Field::Output
            | Field::ExternalId
            | Field::DatasetInput
            | Field::DatasetOutput
            | Field::ProgressMessage
            | Field::ErrorMessage
            | Field::AgentType
            | Field::Tools
            | Field::Model
            | Field::FinishReason
            | Field::ToolCallId
            | Field::AgentName
            | Field::CheckStage
            | Field::AppliesTo
            | Field::EvaluatorName
            | Field::SelectorPath => FilterKind::Text,
            Field::StatusCode | Field::StepNumber | Field::Temperature | Field::ControlId => {
                FilterKind::Number
            }
            Field::HasChildren | Field::IsComplete => FilterKind::Boolean,
            Field::Tags => FilterKind::Collection,
            _ => return None,
        })
    }

    fn needs_text(self) -> bool {
        matches!(self, Column::Field(Field::Input | Field::Output))
    }
}

/// The JSON the record holds for `f` (empty when it leaves the field out, or the
/// field belongs to another kind of record).
fn render<'b>(f: Field, s: &Scratch, ds: &Dataset, buf: &'b mut Vec<u8>) -> &'b [u8] {
    buf.clear();
    if has_field(s.core.kind, f) && !ds.write_field(f, &s.core, &s.texts, buf) {
        buf.clear();
    }
    buf
}

fn uuid_of(col: Column, c: &Core, ds: &Dataset) -> Option<Uuid> {
    match col {
        Column::Field(Field::Id) => Some(c.id),
        Column::Field(Field::SessionId) => Some(c.session_id),
        Column::Field(Field::TraceId) => c.trace_id,
        Column::Field(Field::ParentId) => c.parent_id,
        Column::Field(Field::ProjectId) => Some(ds.project_id()),
        Column::Field(Field::RunId) => Some(ds.log_stream_id()),
        _ => None,
    }
}

/// String value of a text (or id) column; `None` when null or absent.
fn text_of<'a>(col: Column, s: &'a Scratch, ds: &Dataset) -> Option<Cow<'a, str>> {
    let c = &s.core;
    match col {
        Column::Field(Field::Type) => Some(Cow::Borrowed(c.kind.as_str())),
        Column::Field(Field::Name) => Some(Cow::Borrowed(c.name)),
        Column::Field(Field::Input) => Some(Cow::Borrowed(s.texts.input.as_str())),
        Column::Field(Field::Output) if output_is_null(c) => None,
        Column::Field(Field::Output) => Some(Cow::Borrowed(s.texts.output.as_str())),
        Column::Field(f) if col.kind() == Some(FilterKind::Text) => {
            let mut buf = Vec::new();
            let raw = render(f, s, ds, &mut buf);
            match raw.first() {
                None | Some(b'n') => None,
                Some(b'"') => serde_json::from_slice::<String>(raw).ok().map(Cow::Owned),
                // An object or list (`tools`) filters as its JSON text.
                Some(_) => Some(Cow::Owned(String::from_utf8_lossy(raw).into_owned())),
            }
        }
        _ => uuid_of(col, c, ds).map(|u| Cow::Owned(u.hyphenated().to_string())),
    }
}

fn num_of(col: Column, s: &Scratch, ds: &Dataset) -> Option<f64> {
    let c = &s.core;
    match col {
        Column::Metric(Metric::DurationNs) => Some(c.duration_ns as f64),
        Column::Metric(Metric::InputTokens) => c.tokens.map(|t| t.0 as f64),
        Column::Metric(Metric::OutputTokens) => c.tokens.map(|t| t.1 as f64),
        Column::Metric(Metric::TotalTokens) => c.tokens.map(|t| (t.0 + t.1) as f64),
        Column::Metric(Metric::TimeToFirstTokenNs) => c.ttft_ns.map(|t| t as f64),
        Column::Metric(Metric::Cost) => c.cost(),
        Column::Metric(Metric::Score(m)) => metric_score(ds.seed(), c, m as usize),
        Column::Field(f) => {
            let mut buf = Vec::new();
            serde_json::from_slice::<f64>(render(f, s, ds, &mut buf)).ok()
        }
    }
}

fn bool_of(col: Column, s: &Scratch) -> Option<bool> {
    match col {
        Column::Field(Field::IsComplete) => Some(s.core.is_complete),
        Column::Field(Field::HasChildren) => s.core.has_children,
        _ => None,
    }
}

fn time_of(col: Column, c: &Core) -> Option<i64> {
    match col {
        Column::Field(Field::UpdatedAt) if c.has(extra::UPDATED_NULL) => None,
        Column::Field(Field::UpdatedAt) => Some(c.updated_us),
        _ => Some(c.created_us),
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
        col: Column,
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
                let Some(v) = time_of(*col, c) else {
                    return false;
                };
                cmp(*op, v.cmp(t))
            }
            Pred::Number { col, op } => {
                let Some(v) = num_of(*col, s, ds) else {
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
            Pred::Bool { col, eq, value } => match bool_of(*col, s) {
                Some(v) => (v == *value) == *eq,
                None => false,
            },
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
        Some(FilterKind::Date) => time_of(col, &s.core).map_or(Key::Null, Key::Time),
        Some(FilterKind::Number) => num_of(col, s, ds).map_or(Key::Null, Key::Num),
        Some(FilterKind::Boolean) => bool_of(col, s).map_or(Key::Null, Key::Bool),
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
                (Column::Field(Field::CreatedAt), false) => Order::Native,
                (Column::Field(Field::CreatedAt), true) => Order::Reverse,
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
            .map(|f| (f.name().to_string(), Column::Field(*f)))
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
        FilterReq::Boolean { eq, value, .. } => Pred::Bool { col, eq, value },
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
