//! The chunk queue of the CSV and line decoders: the chunk being read and those
//! pushed after it, in order, and the last byte pushed.
//!
//! Invariants: only the current chunk can be empty (an empty chunk is never
//! queued); chunks come out in the order they were pushed; the last byte is that
//! of the last non-empty chunk pushed, so a decoder can tell whether the input
//! ended on a line break.

use std::collections::VecDeque;

use bytes::Bytes;

/// The chunks a decoder was given and has not read yet.
#[derive(Debug, Default)]
pub(super) struct Chunks {
    /// Unread rest of the current chunk.
    pub(super) current: Bytes,
    /// Chunks pushed before `current` was drained.
    queued: VecDeque<Bytes>,
    /// The last byte pushed.
    last: Option<u8>,
}

impl Chunks {
    /// Queues `chunk` (an empty one is dropped).
    pub(super) fn push(&mut self, chunk: Bytes) {
        let Some(&last) = chunk.last() else {
            return;
        };
        self.last = Some(last);
        if self.current.is_empty() && self.queued.is_empty() {
            self.current = chunk;
        } else {
            self.queued.push_back(chunk);
        }
    }

    /// Makes the next queued chunk current once the current one is read:
    /// `false` when nothing is left to read.
    pub(super) fn refill(&mut self) -> bool {
        if self.current.is_empty() {
            match self.queued.pop_front() {
                Some(chunk) => self.current = chunk,
                None => return false,
            }
        }
        true
    }

    /// Nothing is left to read.
    pub(super) fn is_empty(&self) -> bool {
        self.current.is_empty() && self.queued.is_empty()
    }

    /// The input so far ends with a byte, and it is none of `breaks`.
    pub(super) fn ends_without(&self, breaks: &[u8]) -> bool {
        matches!(self.last, Some(b) if !breaks.contains(&b))
    }
}
