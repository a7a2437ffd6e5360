//! JSON Lines framing: splitting chunks on `\n`.

use bytes::{Bytes, BytesMut};

use super::chunks::Chunks;
use super::{Counters, Eof, RecordDecoder, RecordError};

/// One line of input, without its line break, as framed by [`LineFramer`].
///
/// A line that lies inside one chunk is a zero-copy slice of that chunk; only a
/// line spanning chunks was assembled in a buffer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    bytes: Bytes,
    number: u64,
    offset: u64,
    terminated: bool,
}

impl Line {
    /// The line's content, without `\n` or `\r\n`.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The line's content as a shared [`Bytes`] handle.
    pub fn bytes(&self) -> &Bytes {
        &self.bytes
    }

    /// Gives up the line's content.
    pub fn into_bytes(self) -> Bytes {
        self.bytes
    }

    /// The 1-based line number (empty lines are counted).
    pub fn number(&self) -> u64 {
        self.number
    }

    /// The byte offset of the line's first byte in the whole input.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// `false` for a last line that ended with the input rather than with `\n`.
    pub fn has_line_break(&self) -> bool {
        self.terminated
    }
}

/// Frames a chunked byte stream into lines on `\n`: the first stage of
/// [`JsonLinesDecoder`](super::JsonLinesDecoder).
///
/// * Only `\n` breaks a line: U+2028, U+2029, U+0085 and form feeds are data.
/// * A `\r` before the `\n` is removed (CRLF input).
/// * Blank lines (empty, or nothing but ASCII whitespace) are skipped, but
///   still counted in line numbers.
/// * A last line without `\n` is still yielded, once [`finish`] is called.
/// * No length limit: a 50 MB line is fine.
///
/// Memory: the current chunk plus the start of at most one line that spans
/// chunks (assembled in a reusable buffer).
///
/// [`finish`]: RecordDecoder::finish
///
/// ```
/// use bytes::Bytes;
/// use galileo_export::records::{LineFramer, RecordDecoder};
///
/// let mut framer = LineFramer::new();
/// framer.push(Bytes::from_static(b"first\r\n\nsec"));
/// let first = framer.next_line().unwrap();
/// assert_eq!((first.as_bytes(), first.number(), first.offset()), (&b"first"[..], 1, 0));
/// assert!(framer.next_line().is_none()); // "sec" waits for more input
///
/// framer.push(Bytes::from_static(b"ond"));
/// framer.finish();
/// let second = framer.next_line().unwrap();
/// assert_eq!((second.as_bytes(), second.number(), second.offset()), (&b"second"[..], 3, 8));
/// assert!(!second.has_line_break());
/// assert!(framer.next_line().is_none());
/// ```
#[derive(Debug, Default)]
pub struct LineFramer {
    /// The chunks not framed yet.
    input: Chunks,
    /// Start of a line that spans chunks.
    partial: BytesMut,
    /// Offset of the line in `partial`.
    partial_offset: u64,
    /// Bytes taken out of the chunks so far.
    consumed: u64,
    /// `\n` seen so far.
    breaks: u64,
    /// Lines yielded so far.
    yielded: u64,
    finishing: bool,
    done: bool,
}

impl LineFramer {
    /// A framer at the start of the input.
    pub fn new() -> Self {
        Self::default()
    }

    /// The next complete line, or `None` when more input is needed (or,
    /// after [`finish`](RecordDecoder::finish), when all lines were read).
    ///
    /// Same as [`RecordDecoder::next_record`], without the `Result`: framing
    /// cannot fail.
    pub fn next_line(&mut self) -> Option<Line> {
        loop {
            if !self.input.refill() {
                if self.finishing && !self.done {
                    self.done = true;
                    if !self.partial.is_empty() {
                        let bytes = self.partial.split().freeze();
                        if let Some(line) = self.make_line(bytes, self.partial_offset, false) {
                            return Some(line);
                        }
                    }
                }
                return None;
            }
            let Some(i) = memchr::memchr(b'\n', &self.input.current) else {
                // No line break in the rest of this chunk: keep it as the
                // start of a line and drop the chunk.
                if self.partial.is_empty() {
                    self.partial_offset = self.consumed;
                }
                self.consumed += self.input.current.len() as u64;
                self.partial.extend_from_slice(&self.input.current);
                self.input.current = Bytes::new();
                continue;
            };
            let start = self.consumed;
            self.consumed += i as u64 + 1;
            self.breaks += 1;
            let line = if self.partial.is_empty() {
                let line = self.input.current.slice(..i);
                bytes::Buf::advance(&mut self.input.current, i + 1);
                self.make_line(line, start, true)
            } else {
                self.partial.extend_from_slice(&self.input.current[..i]);
                bytes::Buf::advance(&mut self.input.current, i + 1);
                let line = self.partial.split().freeze();
                self.make_line(line, self.partial_offset, true)
            };
            if let Some(line) = line {
                return Some(line);
            }
        }
    }

    /// Builds a line numbered `self.breaks` (or the one after it if
    /// unterminated), or `None` for a blank line.
    fn make_line(&mut self, mut bytes: Bytes, offset: u64, terminated: bool) -> Option<Line> {
        if bytes.last() == Some(&b'\r') {
            bytes.truncate(bytes.len() - 1);
        }
        // A blank line (nothing but ASCII whitespace) is not a record, as framing and the
        // line check of the byte paths count it.
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return None;
        }
        self.yielded += 1;
        Some(Line {
            bytes,
            number: self.breaks + u64::from(!terminated),
            offset,
            terminated,
        })
    }

    pub(crate) fn position(&self) -> (u64, u64) {
        (self.consumed, self.breaks + 1)
    }

    pub(crate) fn end_of_input(&self) -> Option<Eof> {
        self.done.then(|| Eof {
            trailing_partial_line: self.input.ends_without(b"\n"),
            open_quote: false,
        })
    }
}

impl RecordDecoder for LineFramer {
    type Item = Line;

    fn push(&mut self, chunk: Bytes) {
        self.input.push(chunk);
    }

    fn finish(&mut self) {
        self.finishing = true;
    }

    fn next_record(&mut self) -> Option<Result<Line, RecordError>> {
        self.next_line().map(Ok)
    }

    fn counters(&self) -> Counters {
        let (bytes, line) = self.position();
        Counters {
            records: self.yielded,
            bytes,
            line,
        }
    }

    fn eof(&self) -> Option<Eof> {
        self.end_of_input()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(chunks: &[&[u8]]) -> Vec<(Vec<u8>, u64, u64, bool)> {
        let mut f = LineFramer::new();
        let mut out = Vec::new();
        let drain = |f: &mut LineFramer, out: &mut Vec<_>| {
            while let Some(l) = f.next_line() {
                let bytes = l.as_bytes().to_vec();
                out.push((bytes, l.number(), l.offset(), l.has_line_break()));
            }
        };
        for c in chunks {
            f.push(Bytes::copy_from_slice(c));
            drain(&mut f, &mut out);
        }
        f.finish();
        drain(&mut f, &mut out);
        assert_eq!(
            f.counters().bytes,
            chunks.iter().map(|c| c.len() as u64).sum::<u64>()
        );
        out
    }

    #[test]
    fn zero_copy_inside_a_chunk() {
        let chunk = Bytes::from_static(b"abc\ndef\n");
        let mut f = LineFramer::new();
        f.push(chunk.clone());
        let l = f.next_line().unwrap();
        assert_eq!(l.as_bytes().as_ptr(), chunk.as_ptr());
        let l = f.next_line().unwrap();
        assert_eq!(l.as_bytes().as_ptr(), chunk[4..].as_ptr());
    }

    #[test]
    fn cr_split_from_lf() {
        assert_eq!(
            frame(&[b"ab\r", b"\ncd\r", b"\n"]),
            [(b"ab".to_vec(), 1, 0, true), (b"cd".to_vec(), 2, 4, true)]
        );
    }

    #[test]
    fn final_line_numbering() {
        assert_eq!(frame(&[b"\n\nx"]), [(b"x".to_vec(), 3, 2, false)]);
        assert_eq!(frame(&[b"x"]), [(b"x".to_vec(), 1, 0, false)]);
        assert_eq!(frame(&[b"\r"]), []);
        assert_eq!(frame(&[]), []);
    }
}
