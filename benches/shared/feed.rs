//! Feeding a record decoder from memory, as both benchmarks measure it (included with
//! `#[path]` by `benches/decode.rs` and `benches/export/`).

use std::hint::black_box;

use bytes::Bytes;
use galileo_export::records::RecordDecoder;

/// Bytes per chunk handed to a decoder: a typical network read.
pub const CHUNK: usize = 64 * 1024;

/// Feed `input` to `decoder` in [`CHUNK`]-byte zero-copy slices, dropping each record as
/// it comes; the number of records.
pub fn feed<D: RecordDecoder>(input: &Bytes, mut decoder: D) -> u64 {
    let mut n = 0;
    let mut drain = |d: &mut D| {
        while let Some(record) = d.next_record() {
            black_box(record.expect("valid record"));
            n += 1;
        }
    };
    let mut at = 0;
    while at < input.len() {
        let end = (at + CHUNK).min(input.len());
        decoder.push(input.slice(at..end));
        drain(&mut decoder);
        at = end;
    }
    decoder.finish();
    drain(&mut decoder);
    n
}
