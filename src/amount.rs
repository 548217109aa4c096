//! Exact amounts: the decimal text exactly as CasPay sent it, never a binary float.

use alloc::string::String;

use serde::{Serialize, Serializer};

/// Motes per CSPR (1 CSPR = 10^9 motes).
pub const MOTES_PER_CSPR_DIGITS: usize = 9;

/// An amount exactly as sent: integer motes (which exceed 2^53 for large payments) or a
/// decimal in major units. Holds the text, so no precision is ever lost.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Amount(String);

impl Amount {
    /// Accepts a JSON number or string holding a non-negative plain decimal
    /// (`0`, `100000000000`, `12.50`); no sign, exponent or leading zeros.
    pub fn parse(text: &str) -> Option<Amount> {
        is_plain_decimal(text).then(|| Amount(String::from(text)))
    }

    /// The exact decimal text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether the amount has no fractional part (integer motes).
    pub fn is_integer(&self) -> bool {
        !self.0.contains('.')
    }

    /// Reads an integer amount as motes and returns CSPR as an exact decimal string.
    pub fn motes_to_cspr(&self) -> Option<String> {
        motes_to_cspr(&self.0)
    }
}

impl Serialize for Amount {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

fn is_plain_decimal(text: &str) -> bool {
    let (integer, fraction) = match text.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (text, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    digits(integer)
        && (integer == "0" || !integer.starts_with('0'))
        && fraction.map_or(true, digits)
}

/// Converts integer motes to CSPR, exactly, with no trailing zeros.
///
/// ```
/// use caspay_webhooks::motes_to_cspr;
/// assert_eq!(motes_to_cspr("100000000000").as_deref(), Some("100"));
/// assert_eq!(motes_to_cspr("1").as_deref(), Some("0.000000001"));
/// assert_eq!(motes_to_cspr("12.5"), None); // not integer motes
/// ```
pub fn motes_to_cspr(motes: &str) -> Option<String> {
    if motes.is_empty() || !motes.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let significant = motes.trim_start_matches('0');
    // Left-pad to at least one whole digit plus nine fractional ones, then split.
    let width = significant.len().max(MOTES_PER_CSPR_DIGITS + 1);
    let mut padded = String::with_capacity(width + 1);
    padded.extend(core::iter::repeat('0').take(width - significant.len()));
    padded.push_str(significant);
    let (whole, fraction) = padded.split_at(width - MOTES_PER_CSPR_DIGITS);
    let fraction = fraction.trim_end_matches('0');
    let mut out = String::from(whole);
    if !fraction.is_empty() {
        out.push('.');
        out.push_str(fraction);
    }
    Some(out)
}
