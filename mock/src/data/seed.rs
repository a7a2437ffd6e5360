//! The seeded randomness: every draw is a pure function of `(seed, root type, purpose,
//! index)`, so any record can be generated alone, in any order.
//!
//! Invariant: each purpose has its own key, so adding draws for one purpose never
//! changes the values of another.

use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use uuid::Uuid;

pub(super) const PURPOSE_BLOCK: u64 = 0xB10C;
pub(super) const PURPOSE_CORE: u64 = 0xC0DE;
pub(super) const PURPOSE_TEXT: u64 = 0x7E47;
pub(super) const PURPOSE_JITTER: u64 = 0x5117;

/// Maps a uniform 32-bit draw onto `0..n`.
#[inline]
pub(super) fn pick(r: u32, n: usize) -> usize {
    ((r as u64 * n as u64) >> 32) as usize
}

pub(super) fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

pub(super) fn mix(seed: u64, a: u64, b: u64, c: u64) -> u64 {
    let mut s = seed;
    let x = splitmix64(&mut s) ^ a.wrapping_mul(0xD6E8_FEB8_6659_FD93);
    let mut s = x;
    let y = splitmix64(&mut s) ^ b.wrapping_mul(0xA076_1D64_78BD_642F);
    let mut s = y;
    let z = splitmix64(&mut s) ^ c.wrapping_mul(0xE703_7ED1_A0B4_28DB);
    let mut s = z;
    splitmix64(&mut s)
}

/// A ChaCha8 generator keyed by `(seed, a, b, c)`.
pub(super) fn rng_for(seed: u64, a: u64, b: u64, c: u64) -> ChaCha8Rng {
    let mut s = mix(seed, a, b, c);
    let mut key = [0u8; 32];
    for chunk in key.chunks_exact_mut(8) {
        chunk.copy_from_slice(&splitmix64(&mut s).to_le_bytes());
    }
    ChaCha8Rng::from_seed(key)
}

pub(super) fn random_uuid(rng: &mut ChaCha8Rng) -> Uuid {
    let mut b = [0u8; 16];
    rng.fill_bytes(&mut b);
    uuid::Builder::from_random_bytes(b).into_uuid()
}

/// Key of the detail draws of one field of a record (`PURPOSE_DETAIL + field`).
pub(super) const PURPOSE_DETAIL: u64 = 0xDE7A_0000;

/// A small, fast generator (splitmix64) for the detail of a record: each field
/// that has detail gets its own, keyed by `(seed, root, PURPOSE_DETAIL + field,
/// index)`, so any field can be rendered alone (a CSV column) with the values the
/// JSON line has.
#[derive(Clone, Debug)]
pub(crate) struct Mini(u64);

impl Mini {
    /// The generator keyed by `(seed, a, b, c)`.
    pub(crate) fn new(seed: u64, a: u64, b: u64, c: u64) -> Self {
        Mini(mix(seed, a, b, c))
    }

    /// The next 64 random bits.
    #[inline]
    pub(crate) fn next(&mut self) -> u64 {
        splitmix64(&mut self.0)
    }

    /// A uniform draw in `0..n` (`n > 0`).
    #[inline]
    pub(crate) fn below(&mut self, n: usize) -> usize {
        pick((self.next() >> 32) as u32, n)
    }

    /// True with probability `num / den`.
    #[inline]
    pub(crate) fn chance(&mut self, num: u32, den: u32) -> bool {
        (self.below(den as usize) as u32) < num
    }

    /// One of `list`.
    #[inline]
    pub(crate) fn of<'a>(&mut self, list: &[&'a str]) -> &'a str {
        list[self.below(list.len())]
    }

    /// A random (version 4) uuid.
    pub(crate) fn uuid(&mut self) -> Uuid {
        let mut b = [0u8; 16];
        b[..8].copy_from_slice(&self.next().to_le_bytes());
        b[8..].copy_from_slice(&self.next().to_le_bytes());
        uuid::Builder::from_random_bytes(b).into_uuid()
    }
}
