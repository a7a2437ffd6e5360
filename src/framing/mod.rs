//! Framing of an export body between the transport and its consumer: the one layer that
//! knows where records end, counts lines and records, and checks what is handed on.
//!
//! - **JSON Lines** is handed on *line aligned*: only bytes up to the last `\n` seen go
//!   out; a partial line is held back (as chunk slices, copied only when it ends) until
//!   its end arrives, at most [`max_record_size`](crate::ExportBuilder::max_record_size)
//!   bytes of it. A cut therefore never leaves half a record downstream. The first record
//!   must be a JSON object (an HTML page or a JSON error object is not an export). At the
//!   end of the body a last line without `\n` is accepted when it is one complete JSON
//!   value (JSON is self-delimiting); an incomplete one means the body was cut.
//! - **Counting**: framing is the one layer that counts records (non-blank JSON Lines
//!   lines, CSV rows after the header) and lines; the counts go to the export's progress
//!   and into the errors that end it, so they are exact whoever consumes the body.
//! - **Line check** ([`LineCheck`], the stage after framing when the consumer takes raw
//!   bytes; a record decoder checks lines itself): every JSON Lines line is one JSON
//!   object (a record) in valid UTF-8, by the rules and with the errors of the record
//!   decoders (a validating parse that builds nothing). It runs on the
//!   consumer's side of the read-ahead channel, so on two cores it overlaps with reading
//!   the network instead of adding to it. A bad line is an error with its line number,
//!   after the lines before it.
//! - **Resume bookkeeping** (JSON Lines): the `created_at` of the last record delivered,
//!   and the identities (the `id`'s JSON text, or the whole line for a record without
//!   `id`) of every record delivered at that timestamp. After a resume, records at or
//!   after the boundary whose identity was delivered are skipped, whatever order the
//!   server gives records that share a timestamp. Only the trailing run of equal
//!   timestamps of each block is parsed, so the cost is a few keys per network chunk.
//! - **CSV checkpoints** ([`csv_keys`]): in the native order, the header and the leading
//!   run of rows are parsed for the next checkpoint; after a checkpoint, every row's
//!   `created_at` too, and the rows it names are dropped (rows are then handed on whole,
//!   a partial one held back).
//! - **CSV** is otherwise handed on as it arrives, while a scan of quotes and line breaks
//!   tracks record boundaries (RFC 4180: a line break inside quotes is data). A CSV row
//!   is not self-delimiting (a cut `a,b` looks complete), so the body must end after a
//!   line break outside quotes (or a last lone `\r`); anything else means it was cut.

use std::collections::VecDeque;

use bytes::{Bytes, BytesMut};
use chrono::{DateTime, Utc};
use serde::de::IgnoredAny;
use serde_json::value::RawValue;

use crate::checkpoint::{parse_timestamp, Checkpoint, Identities, Identity};
use crate::records::{
    check_object, json_error, CheckedRow, CsvDecoder, RecordDecoder, RecordError,
};

mod csv_keys;

use csv_keys::{CsvKeys, RowDecision};

/// Why framing stopped the export.
#[derive(Debug)]
pub(crate) enum FrameError {
    /// A record is larger than the limit; `line` is where it starts.
    TooLarge { line: u64 },
    /// What arrived is not an export of the requested format.
    NotAnExport { reason: String, excerpt: String },
    /// The body ended inside a record.
    Cut(String),
    /// An incremental export's answer lacks what a checkpoint needs (a `created_at`
    /// column, an `id` column, a record's timestamp).
    NoCheckpoint(String),
}

/// The framing of one export, by format.
#[derive(Debug)]
pub(crate) enum Framing {
    JsonLines(Box<JsonLinesFraming>),
    Csv(CsvFraming),
    /// A format this crate does not know: handed on unchecked.
    Opaque,
}

impl Framing {
    /// The framing of `format`. `resume`: keep the resume boundary (JSON Lines);
    /// `incremental`: keep the next checkpoint (JSON Lines and CSV in the native order),
    /// after the given one, whose records are not handed on again. `required`: the
    /// export is one of an incremental series, so an answer that cannot give a
    /// checkpoint (no `created_at`/`id` column, a first record without a timestamp) is an
    /// error instead of an export without one.
    pub(crate) fn new(
        format: &crate::request::ExportFormat,
        resume: bool,
        incremental: Option<Option<&Checkpoint>>,
        required: bool,
        max_record: u64,
    ) -> Self {
        let required = required || incremental.is_some_and(|after| after.is_some());
        if format.is_json_lines() {
            let mut framing = JsonLinesFraming::new(resume, max_record);
            if let Some(after) = incremental {
                framing.newest = Some(NewestRun::default());
                framing.exclude = after.map(Boundary::from_checkpoint);
                framing.exclude_left = framing.exclude.clone();
                framing.required = required;
            }
            Framing::JsonLines(Box::new(framing))
        } else if format.is_csv() {
            let mut framing = CsvFraming::new(max_record);
            if let Some(after) = incremental {
                framing.keys = Some(Box::new(CsvKeys::new(
                    after.map(Boundary::from_checkpoint),
                    required,
                )));
            }
            Framing::Csv(framing)
        } else {
            Framing::Opaque
        }
    }

    pub(crate) fn push(
        &mut self,
        chunk: Bytes,
        out: &mut VecDeque<Bytes>,
    ) -> Result<(), FrameError> {
        match self {
            Framing::JsonLines(f) => f.push(chunk, out),
            Framing::Csv(f) => f.push(chunk, out),
            Framing::Opaque => {
                out.push_back(chunk);
                Ok(())
            }
        }
    }

    pub(crate) fn finish(&mut self, out: &mut VecDeque<Bytes>) -> Result<(), FrameError> {
        match self {
            Framing::JsonLines(f) => f.finish(out),
            Framing::Csv(f) => f.finish(out),
            Framing::Opaque => Ok(()),
        }
    }

    /// The connection broke: forget a partial record held back.
    pub(crate) fn interrupted(&mut self) {
        if let Framing::JsonLines(f) = self {
            f.pending.clear();
            f.pending_len = 0;
        }
    }

    /// Where a resumed request must start: the `created_at` of the last record handed
    /// on. From now on, records at or after it that were handed on are skipped. `None`
    /// when there is nothing to resume from (not JSON Lines, no timestamp seen).
    pub(crate) fn resume_point(&mut self) -> Option<DateTime<Utc>> {
        match self {
            Framing::JsonLines(f) => {
                let at = f.tail.as_ref()?.created_at;
                f.skip = f.tail.clone();
                // The resumed answer sends the records the checkpoint names again.
                f.exclude_left = f.exclude.clone();
                Some(at)
            }
            _ => None,
        }
    }

    /// The checkpoint after what was handed on (see [`Checkpoint`]): the newest
    /// timestamp and who was delivered at it, merged with the checkpoint this export
    /// started after. `None` when not kept, or when nothing was ever delivered.
    pub(crate) fn checkpoint(&self) -> Option<Checkpoint> {
        let (newest, exclude) = match self {
            Framing::JsonLines(f) => (f.newest.as_ref()?, f.exclude.as_ref()),
            Framing::Csv(f) => {
                let keys = f.keys.as_ref()?;
                (&keys.newest, keys.exclude.as_ref())
            }
            Framing::Opaque => return None,
        };
        let boundary = match (newest.run.as_ref(), exclude) {
            (Some(new), Some(old)) if new.created_at == old.created_at => {
                // Copies delivered by earlier exports, plus those delivered now.
                let mut seen = old.seen.clone();
                seen.extend(new.seen.clone());
                Boundary {
                    created_at: new.created_at,
                    seen,
                }
            }
            (Some(new), Some(old)) if new.created_at < old.created_at => old.clone(),
            (Some(new), _) => new.clone(),
            (None, Some(old)) => old.clone(),
            (None, None) => return None,
        };
        Some(boundary.into_checkpoint())
    }

    /// Records handed on so far; `None` for a format this crate does not know.
    pub(crate) fn records(&self) -> Option<u64> {
        match self {
            Framing::JsonLines(f) => Some(f.records),
            Framing::Csv(f) => Some(f.boundaries.saturating_sub(1 + f.dropped)),
            Framing::Opaque => None,
        }
    }
}

/// Where a resumed export continues: the `created_at` of the last record delivered,
/// and who was delivered at that timestamp, with their copies.
#[derive(Debug, Clone)]
pub(crate) struct Boundary {
    pub(crate) created_at: DateTime<Utc>,
    seen: Identities,
}

impl Boundary {
    fn from_checkpoint(checkpoint: &Checkpoint) -> Self {
        Boundary {
            created_at: checkpoint.created_at(),
            seen: checkpoint.identities(),
        }
    }

    fn into_checkpoint(self) -> Checkpoint {
        Checkpoint::new(self.created_at, &self.seen)
    }

    /// One more record delivered: at the boundary's timestamp (or without one), it joins
    /// the run; at another, it starts a new boundary.
    fn follow(boundary: &mut Option<Boundary>, key: RecordKey) {
        match (boundary.as_mut(), key.created_at) {
            (Some(b), None) => b.seen.add(key.identity),
            (Some(b), Some(t)) if b.created_at == t => b.seen.add(key.identity),
            (_, Some(t)) => {
                *boundary = Some(Boundary {
                    created_at: t,
                    seen: Identities::of(key.identity),
                })
            }
            (None, None) => {}
        }
    }
}

/// The leading run of an export in the native order: the newest timestamp and who was
/// handed on at it (`done` once an older record was seen).
#[derive(Debug, Default)]
struct NewestRun {
    run: Option<Boundary>,
    done: bool,
}

/// Follow the leading run through a record handed on at `created_at`.
fn note_newest(newest: &mut NewestRun, created_at: DateTime<Utc>, identity: Identity) {
    match &mut newest.run {
        None => {
            newest.run = Some(Boundary {
                created_at,
                seen: Identities::of(identity),
            })
        }
        Some(run) if run.created_at == created_at => run.seen.add(identity),
        Some(_) => newest.done = true,
    }
}

/// Take one delivered copy of a record out of `left` (the part of a boundary not met
/// again yet): whether the record was delivered before. Once past the boundary's
/// timestamp (an older record, in the native order), nothing further was: `left` ends.
fn delivered(left: &mut Option<Boundary>, key: &RecordKey) -> bool {
    let Some(boundary) = left.as_mut() else {
        return false;
    };
    match key.created_at {
        Some(t) if t < boundary.created_at => {
            *left = None;
            false
        }
        Some(t) if t > boundary.created_at => false,
        _ => boundary.seen.take(&key.identity),
    }
}

#[derive(serde::Deserialize)]
struct KeyFields<'a> {
    #[serde(borrow, default)]
    created_at: Option<&'a RawValue>,
    #[serde(borrow, default)]
    id: Option<&'a RawValue>,
}

/// A record's place in the native order and who it is.
#[derive(Debug, Clone)]
pub(crate) struct RecordKey {
    /// Its `created_at`, if it has one that reads as a time.
    pub(crate) created_at: Option<DateTime<Utc>>,
    pub(crate) identity: Identity,
}

/// The key of a JSON Lines record: its `created_at` (see
/// [`parse_timestamp`](crate::checkpoint::parse_timestamp)) and its identity (the
/// `id`'s value, else the whole line).
fn key_of(line: &[u8]) -> RecordKey {
    let Ok(fields) = serde_json::from_slice::<KeyFields<'_>>(line) else {
        return RecordKey {
            created_at: None,
            identity: Identity::of_record(line),
        };
    };
    let created_at = fields
        .created_at
        .and_then(|raw| serde_json::from_str::<String>(raw.get()).ok())
        .and_then(|text| parse_timestamp(&text));
    let identity = fields
        .id
        .and_then(|id| Identity::from_json_id(id.get()))
        .unwrap_or_else(|| Identity::of_record(line));
    RecordKey {
        created_at,
        identity,
    }
}

/// JSON Lines framing (see the module docs).
#[derive(Debug)]
pub(crate) struct JsonLinesFraming {
    /// Keep the resume boundary.
    track: bool,
    /// Records (non-blank lines) handed on.
    records: u64,
    /// Bytes handed on.
    offset: u64,
    max_record: u64,
    pending: Vec<Bytes>,
    pending_len: u64,
    /// Line breaks handed on.
    lines: u64,
    first_checked: bool,
    /// The resume boundary: the last timestamp handed on and who was, with copies.
    tail: Option<Boundary>,
    /// After a resume: the copies at the boundary not met again yet.
    skip: Option<Boundary>,
    /// The next checkpoint, when kept.
    newest: Option<NewestRun>,
    /// The checkpoint this export started after: records at its timestamp that it
    /// names were delivered by an earlier export.
    exclude: Option<Boundary>,
    /// The copies `exclude` names that this export has not met yet (dropped when met);
    /// `None` once past its timestamp.
    exclude_left: Option<Boundary>,
    /// A checkpoint must come out of this export (see [`Framing::new`]).
    required: bool,
}

impl JsonLinesFraming {
    pub(crate) fn new(track: bool, max_record: u64) -> Self {
        Self {
            track,
            records: 0,
            offset: 0,
            max_record,
            pending: Vec::new(),
            pending_len: 0,
            lines: 0,
            first_checked: false,
            tail: None,
            skip: None,
            newest: None,
            exclude: None,
            exclude_left: None,
            required: false,
        }
    }

    /// Follow the leading run of timestamps (for the next checkpoint) through a record
    /// handed on. A required checkpoint needs a timestamp on the first record.
    fn note_newest(&mut self, key: &RecordKey) -> Result<(), FrameError> {
        let Some(newest) = self.newest.as_mut() else {
            return Ok(());
        };
        if newest.done {
            return Ok(());
        }
        match key.created_at {
            Some(t) => note_newest(newest, t, key.identity.clone()),
            None if self.required && newest.run.is_none() => {
                return Err(FrameError::NoCheckpoint(format!(
                    "the record at line {} has no `created_at` that reads as a time, so no \
                     checkpoint can say where this export stopped",
                    self.lines
                )))
            }
            None => {} // no timestamp: no place in a checkpoint
        }
        Ok(())
    }

    /// Whether a record was delivered before: by this export before a cut (after a
    /// resume), or by an earlier export (the checkpoint it started after). Each
    /// delivered copy is recognised once.
    fn delivered_before(&mut self, key: &RecordKey) -> bool {
        if let Some(skip) = self.skip.as_mut() {
            match key.created_at {
                // Newer than the boundary: delivered before the cut.
                Some(t) if t > skip.created_at => return true,
                Some(t) if t < skip.created_at => self.skip = None,
                _ => {
                    if skip.seen.take(&key.identity) {
                        return true;
                    }
                }
            }
        }
        delivered(&mut self.exclude_left, key)
    }

    fn following_newest(&self) -> bool {
        self.newest.as_ref().is_some_and(|n| !n.done)
    }

    fn too_large(&self) -> FrameError {
        FrameError::TooLarge {
            line: self.lines + 1,
        }
    }

    fn push(&mut self, chunk: Bytes, out: &mut VecDeque<Bytes>) -> Result<(), FrameError> {
        let Some(last) = memchr::memrchr(b'\n', &chunk) else {
            self.pending_len += chunk.len() as u64;
            if self.pending_len > self.max_record {
                return Err(self.too_large());
            }
            self.pending.push(chunk);
            return Ok(());
        };
        let mut lines = chunk.slice(..=last);
        if !self.pending.is_empty() {
            // The held-back start of a line ends in this chunk: join it (one copy).
            let first_end = memchr::memchr(b'\n', &lines).unwrap_or(last);
            if self.pending_len + first_end as u64 > self.max_record {
                return Err(self.too_large());
            }
            let mut joined = BytesMut::with_capacity(self.pending_len as usize + first_end + 1);
            for piece in self.pending.drain(..) {
                joined.extend_from_slice(&piece);
            }
            joined.extend_from_slice(&lines[..=first_end]);
            self.pending_len = 0;
            self.block(joined.freeze(), out)?;
            lines = lines.slice(first_end + 1..);
        }
        if !lines.is_empty() {
            self.block(lines, out)?;
        }
        let rest = chunk.slice(last + 1..);
        if !rest.is_empty() {
            self.pending_len = rest.len() as u64;
            if self.pending_len > self.max_record {
                return Err(self.too_large());
            }
            self.pending.push(rest);
        }
        Ok(())
    }

    fn finish(&mut self, out: &mut VecDeque<Bytes>) -> Result<(), FrameError> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let mut joined = BytesMut::with_capacity(self.pending_len as usize);
        for piece in self.pending.drain(..) {
            joined.extend_from_slice(&piece);
        }
        self.pending_len = 0;
        let tail = joined.freeze();
        let content = trim(&tail);
        if content.iter().all(u8::is_ascii_whitespace) {
            out.push_back(tail);
            return Ok(());
        }
        // A last line without `\n` is a record only if its JSON is complete.
        if let Ok(text) = std::str::from_utf8(content) {
            if let Err(e) = serde_json::from_str::<IgnoredAny>(text) {
                if e.is_eof() {
                    return Err(FrameError::Cut(format!(
                        "the body ended inside the record at line {} ({} bytes of it arrived, no line break)",
                        self.lines + 1,
                        content.len()
                    )));
                }
            }
        }
        let key = self.keyed().then(|| key_of(content));
        if key.as_ref().is_some_and(|key| self.delivered_before(key)) {
            return Ok(());
        }
        let start = self.lines;
        self.line(content, content, tail.len())?;
        if let Some(key) = key {
            self.note_newest(&key)?;
            if self.track {
                Boundary::follow(&mut self.tail, key);
            }
        }
        // `line()` counted a line break that is not there.
        self.lines = start;
        out.push_back(tail);
        Ok(())
    }

    /// Whether records must be looked at one by one (their keys parsed).
    fn keyed(&self) -> bool {
        self.track || self.newest.is_some() || self.skip.is_some() || self.exclude_left.is_some()
    }

    /// Whole lines (`block` ends with `\n`), checked and handed on.
    fn block(&mut self, block: Bytes, out: &mut VecDeque<Bytes>) -> Result<(), FrameError> {
        // Every record is held to the size limit, also one that arrived in one read: the
        // lines before the first one over it are handed on, then the error.
        if block.len() as u64 > self.max_record {
            if let Some(start) = first_over(&block, self.max_record) {
                if start > 0 {
                    self.block(block.slice(..start), out)?;
                }
                return Err(self.too_large());
            }
        }
        if self.first_checked && self.skip.is_none() && self.exclude_left.is_none() {
            // Nothing to drop (checked downstream): count the records.
            let mut start = 0;
            for end in memchr::memchr_iter(b'\n', &block) {
                self.lines += 1;
                let content = trim(&block[start..end + 1]);
                if !is_blank(content) {
                    self.records += 1;
                    if self.following_newest() {
                        let key = key_of(content);
                        self.note_newest(&key)?;
                    }
                }
                start = end + 1;
            }
            self.offset += block.len() as u64;
            if self.track {
                self.track_block(&block);
            }
            out.push_back(block);
            return Ok(());
        }
        // Line by line: the first record is checked, records delivered before dropped.
        let keyed = self.keyed();
        let mut start = 0;
        let mut run = 0; // start of the lines not yet handed on
        while start < block.len() {
            let end = memchr::memchr(b'\n', &block[start..]).map_or(block.len(), |i| start + i + 1);
            let content = trim(&block[start..end]);
            let key = (keyed && !is_blank(content)).then(|| key_of(content));
            if key.as_ref().is_some_and(|key| self.delivered_before(key)) {
                if run < start {
                    out.push_back(block.slice(run..start));
                }
                run = end;
                start = end;
                continue;
            }
            let checked =
                self.line(content, &block[start..], end - start)
                    .and_then(|()| match key {
                        Some(key) => {
                            self.note_newest(&key)?;
                            if self.track {
                                Boundary::follow(&mut self.tail, key);
                            }
                            Ok(())
                        }
                        None => Ok(()),
                    });
            if let Err(e) = checked {
                // The lines before the bad one are handed on first.
                if run < start {
                    out.push_back(block.slice(run..start));
                }
                return Err(e);
            }
            start = end;
        }
        if run < block.len() {
            out.push_back(block.slice(run..));
        }
        Ok(())
    }

    /// Account for one line handed on (`content` without its line break, `len` bytes
    /// with it; `from_here` the body from its start, for an excerpt).
    fn line(&mut self, content: &[u8], from_here: &[u8], len: usize) -> Result<(), FrameError> {
        self.lines += 1;
        if !content.is_empty() && !self.first_checked {
            self.first_checked = true;
            first_record(content, from_here)?;
        }
        if !is_blank(content) {
            self.records += 1;
        }
        self.offset += len as u64;
        Ok(())
    }

    /// Update the boundary from the trailing run of equal timestamps of `block` (all of
    /// it handed on).
    fn track_block(&mut self, block: &[u8]) {
        let mut end = block.len();
        let mut run = Identities::default();
        let mut run_at: Option<DateTime<Utc>> = None;
        let mut whole_block = true;
        while end > 0 {
            let body_end = if block[end - 1] == b'\n' {
                end - 1
            } else {
                end
            };
            let start = memchr::memrchr(b'\n', &block[..body_end]).map_or(0, |i| i + 1);
            let content = trim(&block[start..end]);
            if is_blank(content) {
                end = start;
                continue;
            }
            let key = key_of(content);
            match (key.created_at, run_at) {
                (Some(t), None) => {
                    run_at = Some(t);
                    run.add(key.identity);
                }
                (Some(t), Some(at)) if t == at => run.add(key.identity),
                (Some(_), Some(_)) => {
                    whole_block = false;
                    break;
                }
                // No timestamp: it goes with the run around it.
                (None, _) => run.add(key.identity),
            }
            end = start;
        }
        match (run_at, &mut self.tail) {
            (None, Some(tail)) => tail.seen.extend(run),
            (None, None) => {}
            (Some(at), Some(tail)) if whole_block && tail.created_at == at => tail.seen.extend(run),
            (Some(at), _) => {
                self.tail = Some(Boundary {
                    created_at: at,
                    seen: run,
                })
            }
        }
    }
}

/// Where the first line of `block` longer than `max` bytes (before its `\n`) starts.
fn first_over(block: &[u8], max: u64) -> Option<usize> {
    let mut start = 0;
    for end in memchr::memchr_iter(b'\n', block).chain(std::iter::once(block.len())) {
        if (end - start) as u64 > max {
            return Some(start);
        }
        start = end + 1;
        if start >= block.len() {
            break;
        }
    }
    None
}

/// A line's content without `\n` or `\r\n`.
fn trim(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// The line check of a raw-byte consumer (see the module docs): every line of the
/// line-aligned chunks it is given must be one JSON object in valid UTF-8. Blank lines
/// pass.
#[derive(Debug, Default)]
pub(crate) struct LineCheck {
    /// Lines checked.
    lines: u64,
    /// Bytes checked.
    offset: u64,
}

impl LineCheck {
    /// Check a chunk of whole lines (its last line may lack its `\n` at the end of the
    /// body), or say how long the whole lines before the first bad one are, and why it is
    /// bad.
    pub(crate) fn check(&mut self, chunk: &[u8]) -> Result<(), (usize, RecordError)> {
        let mut start = 0;
        while start < chunk.len() {
            let end = memchr::memchr(b'\n', &chunk[start..]).map_or(chunk.len(), |i| start + i + 1);
            let content = trim(&chunk[start..end]);
            self.lines += 1;
            if !is_blank(content) {
                validate(content, self.lines, self.offset).map_err(|e| (start, e))?;
            }
            self.offset += (end - start) as u64;
            start = end;
        }
        Ok(())
    }
}

/// The row check of a raw-byte consumer of a CSV export: every record is decoded by the
/// rules of [`csv_rows`](crate::ExportBuilder::csv_rows) (valid UTF-8, as many fields as
/// the header) and dropped, so the byte paths refuse what the row path refuses, with the
/// same error and line.
#[derive(Debug, Default)]
pub(crate) struct CsvCheck {
    decoder: CsvDecoder<CheckedRow>,
    /// Bytes checked before the current chunk.
    offset: u64,
}

impl CsvCheck {
    /// Check a chunk, or say how many of its bytes come before the first bad record (whose
    /// start may lie in an earlier chunk: then 0), and why it is bad.
    pub(crate) fn check(&mut self, chunk: &Bytes) -> Result<(), (usize, RecordError)> {
        let start = self.offset;
        self.offset += chunk.len() as u64;
        self.decoder.push(chunk.clone());
        self.drain(start)
    }

    /// The body ended: check its last record.
    pub(crate) fn finish(&mut self) -> Result<(), RecordError> {
        self.decoder.finish();
        self.drain(self.offset).map_err(|(_, e)| e)
    }

    fn drain(&mut self, chunk_start: u64) -> Result<(), (usize, RecordError)> {
        loop {
            let record_start = self.decoder.counters().bytes;
            match self.decoder.next_record() {
                None => return Ok(()),
                Some(Ok(CheckedRow)) => {}
                // Cut records are framing's to report (as a cut).
                Some(Err(RecordError::Truncated { .. })) => return Ok(()),
                Some(Err(e)) => {
                    let valid = record_start.saturating_sub(chunk_start);
                    return Err((usize::try_from(valid).unwrap_or(0), e));
                }
            }
        }
    }
}

/// A line with nothing but whitespace (not a record).
fn is_blank(line: &[u8]) -> bool {
    line.first().is_none_or(u8::is_ascii_whitespace) && line.iter().all(u8::is_ascii_whitespace)
}

/// One JSON object in valid UTF-8 (a validating parse that builds nothing), checked by
/// the same rules and reported with the same errors as a record decoder's.
fn validate(content: &[u8], line: u64, offset: u64) -> Result<(), RecordError> {
    let text = simdutf8::compat::from_utf8(content).map_err(|e| RecordError::InvalidUtf8 {
        line,
        offset: Some(offset + e.valid_up_to() as u64),
    })?;
    check_object(text)
        .and_then(|()| serde_json::from_str::<IgnoredAny>(text))
        .map_err(|source| json_error(source, text, line, offset, true))?;
    Ok(())
}

/// The first record must be a JSON object that is not an error object. `from_here` is
/// the body from the line on, for the excerpt. Malformed JSON is left to the line check
/// or the decoder downstream, which report it with its line number.
fn first_record(content: &[u8], from_here: &[u8]) -> Result<(), FrameError> {
    let not_an_export = |reason: &str| FrameError::NotAnExport {
        reason: reason.to_string(),
        excerpt: crate::error::excerpt(from_here),
    };
    let start = content
        .strip_prefix(b"\xEF\xBB\xBF")
        .unwrap_or(content)
        .iter()
        .find(|b| !b.is_ascii_whitespace());
    if start == Some(&b'<') {
        return Err(not_an_export("it is an HTML or XML document"));
    }
    let parsed = simdutf8::basic::from_utf8(content)
        .ok()
        .and_then(|text| serde_json::from_str::<serde_json::Value>(text).ok());
    match parsed {
        Some(serde_json::Value::Object(map)) => {
            let error_keys = ["detail", "error", "errors"];
            if !map.contains_key("id") && error_keys.iter().any(|k| map.contains_key(*k)) {
                return Err(not_an_export(
                    "the first line is an error object, not a record",
                ));
            }
            Ok(())
        }
        Some(_) => Err(not_an_export(
            "the first line is a JSON value that is not an object, not a record",
        )),
        None => Ok(()),
    }
}

/// CSV framing (see the module docs).
#[derive(Debug)]
pub(crate) struct CsvFraming {
    max_record: u64,
    in_quotes: bool,
    /// Bytes of the record being read.
    record_len: u64,
    /// Line breaks seen.
    lines: u64,
    /// Line where the record being read starts.
    record_line: u64,
    /// Record boundaries (line breaks outside quotes) seen.
    boundaries: u64,
    last: Option<u8>,
    first_checked: bool,
    /// Incremental exports: the rows' keys (see [`csv_keys`]).
    keys: Option<Box<CsvKeys>>,
    /// The start of a row that began in an earlier chunk, held back while rows are
    /// looked at one by one.
    partial: BytesMut,
    /// Rows not handed on because the checkpoint the export started after names them.
    dropped: u64,
}

impl CsvFraming {
    pub(crate) fn new(max_record: u64) -> Self {
        Self {
            max_record,
            in_quotes: false,
            record_len: 0,
            lines: 0,
            record_line: 1,
            boundaries: 0,
            last: None,
            first_checked: false,
            keys: None,
            partial: BytesMut::new(),
            dropped: 0,
        }
    }

    /// Hand on the rows of `chunk` that end in it (rows `ends` says end there), one by
    /// one through the keys: a row the checkpoint names is dropped, the rest go on in
    /// runs; the start of an unfinished row is held back.
    fn keyed(
        &mut self,
        chunk: &Bytes,
        ends: &[usize],
        out: &mut VecDeque<Bytes>,
    ) -> Result<(), FrameError> {
        let Some(keys) = self.keys.as_mut() else {
            out.push_back(chunk.clone());
            return Ok(());
        };
        let not_an_export = |reason: String, excerpt: &[u8]| FrameError::NotAnExport {
            reason,
            excerpt: crate::error::excerpt(excerpt),
        };
        let mut start = 0;
        let mut run = 0;
        for &end in ends {
            if !self.partial.is_empty() {
                self.partial.extend_from_slice(&chunk[..end]);
                let row = self.partial.split().freeze();
                match keys.row(&row).map_err(|r| not_an_export(r, &row))? {
                    RowDecision::Keep => out.push_back(row),
                    RowDecision::Drop => self.dropped += 1,
                }
                run = end;
            } else if keys
                .row(&chunk[start..end])
                .map_err(|r| not_an_export(r, chunk))?
                == RowDecision::Drop
            {
                if run < start {
                    out.push_back(chunk.slice(run..start));
                }
                self.dropped += 1;
                run = end;
            }
            start = end;
        }
        if run < start {
            out.push_back(chunk.slice(run..start));
        }
        self.partial.extend_from_slice(&chunk[start..]);
        Ok(())
    }

    fn push(&mut self, chunk: Bytes, out: &mut VecDeque<Bytes>) -> Result<(), FrameError> {
        if !self.first_checked {
            let content = chunk.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&chunk);
            if let Some(&first) = content.iter().find(|b| !b.is_ascii_whitespace()) {
                self.first_checked = true;
                let reason = match first {
                    b'<' => Some("it is an HTML or XML document"),
                    b'{' | b'[' => Some("it is JSON"),
                    _ => None,
                };
                if let Some(reason) = reason {
                    return Err(FrameError::NotAnExport {
                        reason: reason.into(),
                        excerpt: crate::error::excerpt(&chunk),
                    });
                }
            }
        }
        // Every record is held to the size limit, also one that arrived in one read: the
        // rows before the first one over it are handed on, then the error.
        if chunk.len() as u64 + self.record_len > self.max_record {
            if let Some(start) = self.first_over(&chunk) {
                if start > 0 {
                    self.push(chunk.slice(..start), out)?;
                }
                return Err(FrameError::TooLarge {
                    line: self.record_line,
                });
            }
        }
        // Rows are looked at one by one only while the keys need them (the header and
        // the leading run, or every row after a checkpoint).
        let keyed = !self.partial.is_empty() || self.keys.as_ref().is_some_and(|k| k.active());
        let mut row_ends = Vec::new();
        let mut boundary_end = None;
        for i in memchr::memchr2_iter(b'"', b'\n', &chunk) {
            if chunk[i] == b'"' {
                self.in_quotes = !self.in_quotes;
            } else {
                self.lines += 1;
                if !self.in_quotes {
                    self.boundaries += 1;
                    self.record_line = self.lines + 1;
                    boundary_end = Some(i + 1);
                    if keyed {
                        row_ends.push(i + 1);
                    }
                }
            }
        }
        self.record_len = match boundary_end {
            Some(end) => (chunk.len() - end) as u64,
            None => self.record_len + chunk.len() as u64,
        };
        if self.record_len > self.max_record {
            return Err(FrameError::TooLarge {
                line: self.record_line,
            });
        }
        self.last = chunk.last().copied().or(self.last);
        if keyed {
            return self.keyed(&chunk, &row_ends, out);
        }
        out.push_back(chunk);
        Ok(())
    }

    /// Where the first record of `chunk` longer than the limit starts (the record read
    /// so far continues at 0), scanning as [`push`](Self::push) does without changing
    /// anything.
    fn first_over(&self, chunk: &[u8]) -> Option<usize> {
        let mut in_quotes = self.in_quotes;
        let mut start = 0;
        let mut carried = self.record_len;
        for i in memchr::memchr2_iter(b'"', b'\n', chunk) {
            if chunk[i] == b'"' {
                in_quotes = !in_quotes;
            } else if !in_quotes {
                if carried + (i - start) as u64 > self.max_record {
                    return Some(start);
                }
                start = i + 1;
                carried = 0;
            }
        }
        (carried + (chunk.len() - start) as u64 > self.max_record).then_some(start)
    }

    fn finish(&mut self, out: &mut VecDeque<Bytes>) -> Result<(), FrameError> {
        if self.in_quotes {
            return Err(FrameError::Cut(format!(
                "the body ended inside a quoted CSV field (the record starting at line {})",
                self.record_line
            )));
        }
        if matches!(self.last, Some(b) if b != b'\n' && b != b'\r') {
            return Err(FrameError::Cut(format!(
                "the body ended inside the CSV record at line {} (no final line break)",
                self.record_line
            )));
        }
        if self.last == Some(b'\r') {
            // A last row ended by a lone `\r` is complete: count it.
            self.boundaries += 1;
        }
        if !self.partial.is_empty() {
            // That row, held back while rows were looked at, goes on too.
            let row = self.partial.split().freeze();
            self.keyed(&row, &[row.len()], out)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run_json(chunks: &[&[u8]]) -> (Vec<u8>, Result<(), FrameError>) {
        let mut f = JsonLinesFraming::new(true, 1 << 20);
        let mut out = VecDeque::new();
        for c in chunks {
            if let Err(e) = f.push(Bytes::copy_from_slice(c), &mut out) {
                return (out.concat(), Err(e));
            }
        }
        let end = f.finish(&mut out);
        (out.iter().flat_map(|b| b.to_vec()).collect(), end)
    }

    trait Concat {
        fn concat(&self) -> Vec<u8>;
    }
    impl Concat for VecDeque<Bytes> {
        fn concat(&self) -> Vec<u8> {
            self.iter().flat_map(|b| b.to_vec()).collect()
        }
    }

    #[test]
    fn lines_pass_whole_and_partial_lines_wait() {
        let (out, end) = run_json(&[b"{\"id\":1}\n{\"id\"", b":2}\n"]);
        assert_eq!(out, b"{\"id\":1}\n{\"id\":2}\n");
        assert!(end.is_ok());
    }

    #[test]
    fn an_incomplete_last_line_is_a_cut_and_a_complete_one_a_record() {
        let (out, end) = run_json(&[b"{\"id\":1}\n{\"id\":"]);
        assert_eq!(out, b"{\"id\":1}\n");
        assert!(matches!(end, Err(FrameError::Cut(m)) if m.contains("line 2")));
        let (out, end) = run_json(&[b"{\"id\":1}\n{\"id\":2}"]);
        assert_eq!(out, b"{\"id\":1}\n{\"id\":2}");
        assert!(end.is_ok());
    }

    #[test]
    fn malformed_lines_are_errors_with_their_number() {
        let mut check = LineCheck::default();
        assert!(check.check(b"{\"id\":1}\n\n").is_ok());
        match check.check(b"{\"id\":2}\n{\"id\" 3}\n") {
            Err((valid, RecordError::Json { line, offset, .. })) => {
                // The whole lines before the bad one may be handed on.
                assert_eq!((valid, line, offset), (9, 4, 19));
            }
            other => panic!("{other:?}"),
        }
        let mut check = LineCheck::default();
        assert!(matches!(
            check.check(b"{\"id\":1}\n{\"x\":\"\xff\"}"),
            Err((
                9,
                RecordError::InvalidUtf8 {
                    line: 2,
                    offset: Some(15)
                }
            ))
        ));
    }

    #[test]
    fn records_are_counted_with_and_without_resume_tracking() {
        for track in [false, true] {
            let mut f = JsonLinesFraming::new(track, 1 << 20);
            let mut out = VecDeque::new();
            f.push(Bytes::from_static(b"{\"id\":1}\n \r\n{\"id\""), &mut out)
                .unwrap();
            f.push(Bytes::from_static(b":2}\n\n{\"id\":3}"), &mut out)
                .unwrap();
            f.finish(&mut out).unwrap();
            assert_eq!((f.records, f.lines), (3, 4), "track = {track}");
        }
        let mut f = Framing::Csv(CsvFraming::new(1 << 20));
        let mut out = VecDeque::new();
        f.push(Bytes::from_static(b"id,text\n1,\"a\nb\"\n2,c\n"), &mut out)
            .unwrap();
        assert_eq!(f.records(), Some(2));
        assert_eq!(Framing::Opaque.records(), None);
    }

    #[test]
    fn error_objects_and_html_are_not_exports() {
        for body in [
            &b"{\"detail\":\"Not authenticated\"}\n"[..],
            b"<html><body>502</body></html>\n",
            b"[1,2]\n",
        ] {
            let (_, end) = run_json(&[body]);
            assert!(
                matches!(end, Err(FrameError::NotAnExport { .. })),
                "{body:?}"
            );
        }
    }

    #[test]
    fn the_boundary_holds_every_id_at_the_last_timestamp() {
        let mut f = JsonLinesFraming::new(true, 1 << 20);
        let mut out = VecDeque::new();
        let lines = b"{\"id\":\"a\",\"created_at\":\"2026-01-01T00:00:03Z\"}\n\
                      {\"id\":\"c\",\"created_at\":\"2026-01-01T00:00:02Z\"}\n\
                      {\"id\":\"b\",\"created_at\":\"2026-01-01T00:00:02+00:00\"}\n";
        f.push(Bytes::from_static(lines), &mut out).unwrap();
        f.push(
            Bytes::from_static(b"{\"id\":7,\"created_at\":\"2026-01-01T00:00:02Z\"}\n"),
            &mut out,
        )
        .unwrap();
        let b = f.tail.clone().unwrap();
        assert_eq!(b.created_at.to_rfc3339(), "2026-01-01T00:00:02+00:00");
        assert_eq!(b.into_checkpoint().ids(), ["7", "b", "c"]);
    }

    #[test]
    fn csv_must_end_outside_quotes_after_a_line_break() {
        let mut f = CsvFraming::new(1 << 20);
        let mut out = VecDeque::new();
        f.push(Bytes::from_static(b"id,text\n1,\"a\nb\"\n2,c\n"), &mut out)
            .unwrap();
        assert!(f.finish(&mut out).is_ok());
        assert_eq!(f.boundaries, 3);
        let mut f = CsvFraming::new(1 << 20);
        f.push(Bytes::from_static(b"id,text\n1,\"a\n"), &mut out)
            .unwrap();
        assert!(matches!(f.finish(&mut out), Err(FrameError::Cut(m)) if m.contains("quoted")));
        let mut f = CsvFraming::new(1 << 20);
        f.push(Bytes::from_static(b"id,text\n1,ab"), &mut out)
            .unwrap();
        assert!(matches!(f.finish(&mut out), Err(FrameError::Cut(m)) if m.contains("line 2")));
    }

    #[test]
    fn records_over_the_limit_stop_the_export() {
        let mut f = JsonLinesFraming::new(false, 10);
        let mut out = VecDeque::new();
        f.push(Bytes::from_static(b"{\"id\":1}\n{\"id\":"), &mut out)
            .unwrap();
        let e = f.push(Bytes::from_static(b"\"0123456789\""), &mut out);
        assert!(matches!(e, Err(FrameError::TooLarge { line: 2 })));
        let mut f = CsvFraming::new(10);
        let e = f.push(Bytes::from_static(b"a\n\"0123456789abc"), &mut out);
        assert!(matches!(e, Err(FrameError::TooLarge { line: 2 })));
    }

    /// A record over the limit is refused also when it arrives whole in one read (and
    /// when it spans reads and ends in the next one), after the records before it; one
    /// exactly at the limit passes. The same at every split of the body.
    #[test]
    fn every_record_is_held_to_the_limit_at_any_chunk_split() {
        let json: &[u8] = b"{\"a\":1}\n{\"b\":22}\n{\"c\":\"0123456789\"}\n{\"d\":4}\n";
        let csv: &[u8] = b"id,t\n1,ab\n2,\"x\ny\"\n3,0123456789\n4,d\n";
        for split in 0..=json.len() {
            let mut f = JsonLinesFraming::new(false, 9);
            let mut out = VecDeque::new();
            let mut result = Ok(());
            for part in [&json[..split], &json[split..]] {
                if !part.is_empty() && result.is_ok() {
                    result = f.push(Bytes::copy_from_slice(part), &mut out);
                }
            }
            assert!(
                matches!(result, Err(FrameError::TooLarge { line: 3 })),
                "split {split}: {result:?}"
            );
            assert_eq!(out.concat(), b"{\"a\":1}\n{\"b\":22}\n", "split {split}");
        }
        for split in 0..=csv.len() {
            let mut f = CsvFraming::new(8);
            let mut out = VecDeque::new();
            let mut result = Ok(());
            for part in [&csv[..split], &csv[split..]] {
                if !part.is_empty() && result.is_ok() {
                    result = f.push(Bytes::copy_from_slice(part), &mut out);
                }
            }
            assert!(
                matches!(result, Err(FrameError::TooLarge { line: 5 })),
                "split {split}: {result:?}"
            );
            // CSV goes on as it arrives: the rows before, then at most the start of the
            // one over the limit (never its end).
            let got = out.concat();
            let rows: &[u8] = b"id,t\n1,ab\n2,\"x\ny\"\n";
            assert!(got.starts_with(rows), "split {split}");
            assert!(
                b"3,0123456789".starts_with(&got[rows.len()..]),
                "split {split}"
            );
        }
    }

    /// A CSV export after a checkpoint, split into chunks at every place: the rows the
    /// checkpoint names are dropped, everything else arrives byte for byte, the counts
    /// and the next checkpoint are the same whatever the split.
    #[test]
    fn csv_rows_a_checkpoint_names_are_dropped_at_any_chunk_split() {
        let body: &[u8] = b"id,created_at,note\r\n\
            n1,2026-03-01T12:00:09Z,\"new, \"\"quoted\"\"\nrow\"\r\n\
            n2,2026-03-01T12:00:09Z,x\r\n\
            old1,2026-03-01T12:00:05Z,dropped\r\n\
            n3,2026-03-01T12:00:05Z,\"kept\nthough at the same time\"\r\n\
            old2,2026-03-01T12:00:05Z,dropped\r";
        let expected: &[u8] = b"id,created_at,note\r\n\
            n1,2026-03-01T12:00:09Z,\"new, \"\"quoted\"\"\nrow\"\r\n\
            n2,2026-03-01T12:00:09Z,x\r\n\
            n3,2026-03-01T12:00:05Z,\"kept\nthough at the same time\"\r\n";
        let mut seen = Identities::default();
        seen.add(Identity::Id("old1".into()));
        seen.add(Identity::Id("old2".into()));
        let checkpoint = Checkpoint::new("2026-03-01T12:00:05Z".parse().expect("time"), &seen);
        let csv = crate::request::ExportFormat::Csv;
        for split in 0..=body.len() {
            let mut framing = Framing::new(&csv, false, Some(Some(&checkpoint)), true, 1 << 20);
            let mut out = VecDeque::new();
            for part in [&body[..split], &body[split..]] {
                if !part.is_empty() {
                    framing
                        .push(Bytes::copy_from_slice(part), &mut out)
                        .expect("framed");
                }
            }
            framing.finish(&mut out).expect("complete");
            let got: Vec<u8> = out.iter().flat_map(|b| b.to_vec()).collect();
            assert_eq!(
                String::from_utf8_lossy(&got),
                String::from_utf8_lossy(expected),
                "split at {split}"
            );
            assert_eq!(framing.records(), Some(3), "split at {split}");
            let next = framing.checkpoint().expect("a checkpoint");
            assert_eq!(next.created_at().to_rfc3339(), "2026-03-01T12:00:09+00:00");
            assert_eq!(next.ids(), ["n1", "n2"], "split at {split}");
        }
    }
}
