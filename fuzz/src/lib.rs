//! Oracles for the fuzz targets, written from the contract in `tests/vectors/README.md`
//! rather than from the core's code: a strict JSON reader that keeps numbers as text, a
//! writer that re-serializes a value the way CasPay's re-sends do (another key order,
//! whitespace, escapes, number spellings), the canonical form of content keys, and the
//! exact motes of an amount.

pub mod json;
pub mod spec;

/// A small deterministic generator (splitmix64), seeded from the fuzz input so every
/// finding replays exactly.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator seeded from `data` (FNV-1a).
    pub fn from_bytes(data: &[u8]) -> Rng {
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for &byte in data {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
        Rng(hash)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number below `n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// True with probability 1/`n`.
    pub fn one_in(&mut self, n: usize) -> bool {
        self.below(n) == 0
    }
}

/// The error code of a result, or `"ok"`.
pub fn code<T>(result: &Result<T, caspay_webhooks::Error>) -> &'static str {
    match result {
        Ok(_) => "ok",
        Err(e) => e.code().as_str(),
    }
}
