//! CSV framing: tracks record boundaries by a scan of quotes and line breaks (RFC 4180),
//! holds every record to the size limit, checks that the body ends after a record, and,
//! for incremental exports, looks at rows one by one through [`super::csv_keys`].

use std::collections::VecDeque;

use bytes::{Bytes, BytesMut};

use super::boundary::{Boundary, NewestRun};
use super::csv_keys::{CsvKeys, RowDecision};
use super::FrameError;

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
    pub(super) boundaries: u64,
    last: Option<u8>,
    first_checked: bool,
    /// Incremental exports: the rows' keys (see [`super::csv_keys`]).
    keys: Option<Box<CsvKeys>>,
    /// The start of a row that began in an earlier chunk, held back while rows are
    /// looked at one by one.
    partial: BytesMut,
    /// Rows not handed on because the checkpoint the export started after names them.
    dropped: u64,
}

impl CsvFraming {
    /// Keep the next checkpoint through `keys` (which may drop rows a checkpoint names).
    pub(super) fn keep_checkpoint(&mut self, keys: CsvKeys) {
        self.keys = Some(Box::new(keys));
    }

    /// See [`JsonLinesFraming::checkpoint_books`](super::JsonLinesFraming::checkpoint_books).
    pub(super) fn checkpoint_books(&self) -> Option<(&NewestRun, Option<&Boundary>)> {
        let keys = self.keys.as_ref()?;
        Some((&keys.newest, keys.exclude.as_ref()))
    }

    /// Rows handed on (after the header, without those a checkpoint dropped).
    pub(super) fn records(&self) -> u64 {
        self.boundaries.saturating_sub(1 + self.dropped)
    }

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

    pub(super) fn push(
        &mut self,
        chunk: Bytes,
        out: &mut VecDeque<Bytes>,
    ) -> Result<(), FrameError> {
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

    pub(super) fn finish(&mut self, out: &mut VecDeque<Bytes>) -> Result<(), FrameError> {
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
