//! The inner loop of the validator: where the next byte that ends or interrupts a JSON
//! string is (`"`, `\` or a control character below 0x20). Sixteen bytes at a time with
//! SSE2 on x86_64 (part of the architecture's baseline, so no runtime detection is
//! needed), thirty-two with AVX2 when the CPU has it (detected once), eight at a time
//! with plain integer arithmetic elsewhere.

/// The index of the first byte of `bytes` that is `"`, `\` or below 0x20, or
/// `bytes.len()` if there is none.
#[inline(always)]
pub(super) fn string_special(bytes: &[u8]) -> usize {
    #[cfg(target_arch = "x86_64")]
    {
        x86::string_special(bytes)
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        swar::string_special(bytes)
    }
}

/// Whether a byte ends or interrupts a JSON string.
#[inline]
fn is_special(b: u8) -> bool {
    b == b'"' || b == b'\\' || b < 0x20
}

/// The bytes from `from` on, one at a time: for the tails shorter than a vector.
#[inline]
fn scalar_from(bytes: &[u8], from: usize) -> usize {
    bytes[from..]
        .iter()
        .position(|&b| is_special(b))
        .map_or(bytes.len(), |i| from + i)
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_min_epu8, _mm_movemask_epi8, _mm_or_si128,
        _mm_set1_epi8,
    };
    use std::sync::atomic::{AtomicU8, Ordering};

    /// 0 = not yet detected, 1 = SSE2 only, 2 = AVX2.
    static LEVEL: AtomicU8 = AtomicU8::new(0);

    /// Strings at least this long go to the AVX2 loop (when the CPU has AVX2): the
    /// call costs more than it saves on the short keys and values of a record.
    const AVX2_FROM: usize = 64;

    #[inline(always)]
    pub(super) fn string_special(bytes: &[u8]) -> usize {
        // SAFETY: SSE2 is part of the x86_64 baseline.
        let first = unsafe { sse2_block(bytes, 0) };
        if first < 16 || bytes.len() < AVX2_FROM {
            return match first {
                16 => unsafe { sse2_from(bytes, 16) },
                found => found,
            };
        }
        if avx2() {
            // SAFETY: the CPU has AVX2 (detected at run time).
            unsafe { avx2_from(bytes, 16) }
        } else {
            // SAFETY: SSE2 is part of the x86_64 baseline.
            unsafe { sse2_from(bytes, 16) }
        }
    }

    fn avx2() -> bool {
        match LEVEL.load(Ordering::Relaxed) {
            0 => {
                let has = std::is_x86_feature_detected!("avx2");
                LEVEL.store(if has { 2 } else { 1 }, Ordering::Relaxed);
                has
            }
            level => level == 2,
        }
    }

    /// The mask of the special bytes of the 16 bytes at `at`.
    ///
    /// # Safety
    /// `at + 16 <= bytes.len()`.
    #[inline(always)]
    unsafe fn sse2_mask(bytes: &[u8], at: usize) -> u32 {
        let v = _mm_loadu_si128(bytes.as_ptr().add(at).cast::<__m128i>());
        let quote = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'"' as i8));
        let backslash = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\\' as i8));
        // v <= 0x1F (unsigned) exactly when min(v, 0x1F) == v.
        let control = _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1F)), v);
        _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(quote, backslash), control)) as u32
    }

    /// The first special byte among the 16 at `at`, as an index of `bytes`, or `at + 16`
    /// if none is (or fewer than 16 bytes are left: then the scalar loop decides).
    ///
    /// # Safety
    /// The CPU has SSE2 (always true on x86_64).
    #[inline(always)]
    unsafe fn sse2_block(bytes: &[u8], at: usize) -> usize {
        if at + 16 > bytes.len() {
            return super::scalar_from(bytes, at);
        }
        match sse2_mask(bytes, at) {
            0 => at + 16,
            mask => at + mask.trailing_zeros() as usize,
        }
    }

    /// # Safety
    /// The CPU has SSE2 (always true on x86_64).
    #[inline]
    unsafe fn sse2_from(bytes: &[u8], mut at: usize) -> usize {
        while at + 16 <= bytes.len() {
            let mask = sse2_mask(bytes, at);
            if mask != 0 {
                return at + mask.trailing_zeros() as usize;
            }
            at += 16;
        }
        super::scalar_from(bytes, at)
    }

    /// # Safety
    /// The CPU has AVX2.
    #[target_feature(enable = "avx2")]
    unsafe fn avx2_from(bytes: &[u8], mut at: usize) -> usize {
        use std::arch::x86_64::{
            __m256i, _mm256_cmpeq_epi8, _mm256_loadu_si256, _mm256_min_epu8, _mm256_movemask_epi8,
            _mm256_or_si256, _mm256_set1_epi8,
        };
        while at + 32 <= bytes.len() {
            let v = _mm256_loadu_si256(bytes.as_ptr().add(at).cast::<__m256i>());
            let quote = _mm256_cmpeq_epi8(v, _mm256_set1_epi8(b'"' as i8));
            let backslash = _mm256_cmpeq_epi8(v, _mm256_set1_epi8(b'\\' as i8));
            let control = _mm256_cmpeq_epi8(_mm256_min_epu8(v, _mm256_set1_epi8(0x1F)), v);
            let mask =
                _mm256_movemask_epi8(_mm256_or_si256(_mm256_or_si256(quote, backslash), control))
                    as u32;
            if mask != 0 {
                return at + mask.trailing_zeros() as usize;
            }
            at += 32;
        }
        sse2_from(bytes, at)
    }
}

/// Eight bytes at a time in a `u64` (Mycroft's zero-byte test), for targets without the
/// x86_64 vector code; also checked against it in the tests.
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
pub(super) mod swar {
    const ONES: u64 = u64::MAX / 255;
    const HIGHS: u64 = ONES << 7;

    /// See [`super::string_special`].
    pub(in super::super) fn string_special(bytes: &[u8]) -> usize {
        let mut at = 0;
        while at + 8 <= bytes.len() {
            let mut word = [0u8; 8];
            word.copy_from_slice(&bytes[at..at + 8]);
            let chars = u64::from_le_bytes(word);
            let control = chars.wrapping_sub(ONES * 0x20) & !chars;
            let quote = chars ^ (ONES * u64::from(b'"'));
            let quote = quote.wrapping_sub(ONES) & !quote;
            let backslash = chars ^ (ONES * u64::from(b'\\'));
            let backslash = backslash.wrapping_sub(ONES) & !backslash;
            let found = (control | quote | backslash) & HIGHS;
            if found != 0 {
                // The lowest flagged byte is exact (borrows only run upwards).
                return at + found.trailing_zeros() as usize / 8;
            }
            at += 8;
        }
        super::scalar_from(bytes, at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn reference(bytes: &[u8]) -> usize {
        bytes
            .iter()
            .position(|&b| is_special(b))
            .unwrap_or(bytes.len())
    }

    proptest! {
        #[test]
        fn every_scanner_finds_the_first_special_byte(
            plain in proptest::collection::vec(0x20u8..=0xFF, 0..200),
            special in prop_oneof![Just(b'"'), Just(b'\\'), 0u8..0x20],
            at in 0usize..200,
            put in any::<bool>(),
        ) {
            let mut bytes: Vec<u8> = plain.into_iter()
                .map(|b| if b == b'"' || b == b'\\' { b'a' } else { b })
                .collect();
            if put && !bytes.is_empty() {
                let at = at % bytes.len();
                bytes[at] = special;
            }
            let expected = reference(&bytes);
            prop_assert_eq!(string_special(&bytes), expected);
            prop_assert_eq!(swar::string_special(&bytes), expected);
            for from in [1usize, 7, 17, 33] {
                if from <= bytes.len() {
                    prop_assert_eq!(string_special(&bytes[from..]), reference(&bytes[from..]));
                }
            }
        }
    }
}
