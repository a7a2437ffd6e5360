//! Lines of a body: where each ends, and a line's content without its line end. One
//! helper for framing, the checks, CSV keys and the columnar decoder, so that they all
//! agree on what a line is (`\n`-terminated; a `\r` before the `\n` is not content; the
//! last line of a body may lack its `\n`).

/// The lines of `block`, as `(start, end)` byte ranges with their `\n` (the last one may
/// lack it).
pub(crate) fn ranges(block: &[u8]) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut start = 0;
    std::iter::from_fn(move || {
        if start >= block.len() {
            return None;
        }
        let end = memchr::memchr(b'\n', &block[start..]).map_or(block.len(), |i| start + i + 1);
        let range = (start, end);
        start = end;
        Some(range)
    })
}

/// A line's content without `\n` or `\r\n`.
pub(crate) fn trim(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// A line with nothing but whitespace (not a record).
pub(crate) fn is_blank(line: &[u8]) -> bool {
    line.first().is_none_or(u8::is_ascii_whitespace) && line.iter().all(u8::is_ascii_whitespace)
}

/// Where the first line of `block` longer than `max` bytes (before its `\n`) starts.
pub(crate) fn first_over(block: &[u8], max: u64) -> Option<usize> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_end_after_their_line_break_and_the_last_may_lack_one() {
        let body = b"a\r\n\nbc";
        let lines: Vec<&[u8]> = ranges(body).map(|(s, e)| trim(&body[s..e])).collect();
        assert_eq!(lines, [&b"a"[..], b"", b"bc"]);
        assert!(is_blank(b" \t") && is_blank(b"") && !is_blank(b" x"));
        assert_eq!(first_over(b"ab\nabcd\nx", 3), Some(3));
        assert_eq!(first_over(b"ab\nabc\n", 3), None);
    }
}
