//! JSON Lines framing: hands the body on line aligned (a partial line held back until
//! its end, at most the record size limit), checks the first record, counts records and
//! lines, and keeps the books of resume and incremental exports (see the parent module's
//! docs and [`super::boundary`]).

use std::collections::VecDeque;

use bytes::{Bytes, BytesMut};
use chrono::{DateTime, Utc};
use serde::de::IgnoredAny;

use crate::checkpoint::Identities;

use super::boundary::{delivered, key_of, note_newest, Boundary, NewestRun, RecordKey};
use super::check::first_record;
use super::lines::{first_over, is_blank, ranges, trim};
use super::FrameError;

/// JSON Lines framing (see the module docs).
#[derive(Debug)]
pub(crate) struct JsonLinesFraming {
    /// Keep the resume boundary.
    track: bool,
    /// Records (non-blank lines) handed on.
    pub(super) records: u64,
    /// Bytes handed on.
    offset: u64,
    max_record: u64,
    pending: Vec<Bytes>,
    pending_len: u64,
    /// Line breaks handed on.
    pub(super) lines: u64,
    first_checked: bool,
    /// The resume boundary: the last timestamp handed on and who was, with copies.
    pub(super) tail: Option<Boundary>,
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
    /// A checkpoint must come out of this export (see [`super::Framing::new`]).
    required: bool,
}

impl JsonLinesFraming {
    /// Keep the next checkpoint, after `exclude` (whose records are not handed on
    /// again); `required`: an answer that cannot give one is an error.
    pub(super) fn keep_checkpoint(&mut self, exclude: Option<Boundary>, required: bool) {
        self.newest = Some(NewestRun::default());
        self.exclude_left = exclude.clone();
        self.exclude = exclude;
        self.required = required;
    }

    /// The connection broke: forget a partial record held back.
    pub(super) fn interrupted(&mut self) {
        self.pending.clear();
        self.pending_len = 0;
    }

    /// See [`Framing::resume_point`](super::Framing::resume_point).
    pub(super) fn resume_point(&mut self) -> Option<DateTime<Utc>> {
        let at = self.tail.as_ref()?.created_at;
        self.skip = self.tail.clone();
        // The resumed answer sends the records the checkpoint names again.
        self.exclude_left = self.exclude.clone();
        Some(at)
    }

    /// The books of the next checkpoint: the leading run, and the checkpoint this export
    /// started after. `None` when no checkpoint is kept.
    pub(super) fn checkpoint_books(&self) -> Option<(&NewestRun, Option<&Boundary>)> {
        Some((self.newest.as_ref()?, self.exclude.as_ref()))
    }

    /// Records (non-blank lines) handed on.
    pub(super) fn records(&self) -> u64 {
        self.records
    }

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

    pub(super) fn push(
        &mut self,
        chunk: Bytes,
        out: &mut VecDeque<Bytes>,
    ) -> Result<(), FrameError> {
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

    pub(super) fn finish(&mut self, out: &mut VecDeque<Bytes>) -> Result<(), FrameError> {
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
        let mut run = 0; // start of the lines not yet handed on
        for (start, end) in ranges(&block) {
            let content = trim(&block[start..end]);
            let key = (keyed && !is_blank(content)).then(|| key_of(content));
            if key.as_ref().is_some_and(|key| self.delivered_before(key)) {
                if run < start {
                    out.push_back(block.slice(run..start));
                }
                run = end;
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
