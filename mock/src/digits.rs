//! Decimal digits of an integer without allocating, for the writers of JSON and of
//! synthetic text.
//!
//! Invariant: the digits are ASCII, most significant first, without sign or padding.

/// The decimal digits of `v`, written into the end of `buf` (20 bytes hold any `u64`).
pub(crate) fn decimal(mut v: u64, buf: &mut [u8; 20]) -> &[u8] {
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    &buf[i..]
}
