//! Exact amounts with their unit: the decimal text exactly as CasPay sent it, the unit that
//! text is in, and the amount in motes, computed on the text (never through a float).

use alloc::string::String;

use crate::decimal::{Decimal, ScaleError};
use crate::event::Shape;

/// Motes per CSPR, as a power of ten (1 CSPR = 10^9 motes).
pub const MOTES_PER_CSPR_DIGITS: usize = 9;

/// Casper holds balances as U512: no amount in motes has more digits than its maximum.
const MAX_MOTES_DIGITS: usize = 155;

/// The unit an amount was sent in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AmountUnit {
    /// Integer motes (1 CSPR = 10^9 motes): the documented shapes A and B.
    Motes,
    /// CSPR, fractions allowed: shape C, which copies the payment API's amount.
    Cspr,
    /// Not a CSPR amount (another currency, or none given): kept as text, never converted.
    Unknown,
}

impl AmountUnit {
    /// `motes`, `cspr` or `unknown`.
    pub const fn as_str(self) -> &'static str {
        match self {
            AmountUnit::Motes => "motes",
            AmountUnit::Cspr => "cspr",
            AmountUnit::Unknown => "unknown",
        }
    }

    /// The unit of a `currency` in a body of `shape`: CSPR amounts are integer motes in the
    /// documented shapes and CSPR in shape C.
    pub fn of(currency: Option<&str>, shape: Shape) -> AmountUnit {
        match (currency, shape) {
            (Some(c), Shape::C) if c.eq_ignore_ascii_case("CSPR") => AmountUnit::Cspr,
            (Some(c), _) if c.eq_ignore_ascii_case("CSPR") => AmountUnit::Motes,
            _ => AmountUnit::Unknown,
        }
    }
}

/// An amount exactly as sent, with its unit and, for CSPR, the exact amount in motes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Amount {
    value: String,
    unit: AmountUnit,
    motes: Option<String>,
}

/// Why an amount was refused; the event layer turns it into `invalid_event` with the path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AmountError {
    /// Not a non-negative decimal number.
    NotDecimal,
    /// Fractions of a mote (shapes A and B) or more than 9 decimals of CSPR (shape C).
    TooPrecise(AmountUnit),
    /// More motes than Casper's U512 holds.
    TooLarge,
}

impl AmountError {
    /// The reason shown after the field path.
    pub(crate) const fn reason(self) -> &'static str {
        match self {
            AmountError::NotDecimal => {
                "must be a non-negative decimal number (a JSON number or a string holding one)"
            }
            AmountError::TooPrecise(AmountUnit::Cspr) => {
                "has more than 9 decimal places of CSPR (1 CSPR = 10^9 motes)"
            }
            AmountError::TooPrecise(_) => "must be a whole number of motes (1 CSPR = 10^9 motes)",
            AmountError::TooLarge => "is larger than any amount of motes Casper can hold (U512)",
        }
    }
}

impl Amount {
    /// Reads the text of a JSON number (or of a string holding one) in `unit`. Exponents
    /// are accepted because `JSON.stringify` writes small CSPR amounts that way (`1e-7`).
    pub(crate) fn read(text: &str, unit: AmountUnit) -> Result<Amount, AmountError> {
        let decimal = Decimal::parse(text)
            .filter(|d| !d.negative)
            .ok_or(AmountError::NotDecimal)?;
        let scale = match unit {
            AmountUnit::Motes => 0,
            AmountUnit::Cspr => MOTES_PER_CSPR_DIGITS as i64,
            AmountUnit::Unknown => {
                return Ok(Amount {
                    value: String::from(text),
                    unit,
                    motes: None,
                })
            }
        };
        let motes = decimal
            .scaled_integer(scale, MAX_MOTES_DIGITS)
            .map_err(|e| match e {
                ScaleError::Fractional => AmountError::TooPrecise(unit),
                ScaleError::TooLarge => AmountError::TooLarge,
            })?;
        Ok(Amount {
            value: String::from(text),
            unit,
            motes: Some(motes),
        })
    }

    /// The exact decimal text as sent (`"12.5"`, `"100000000000"`, `"1e-7"`).
    pub fn as_str(&self) -> &str {
        &self.value
    }

    /// The unit [`Amount::as_str`] is in.
    pub fn unit(&self) -> AmountUnit {
        self.unit
    }

    /// The exact amount in motes as a decimal integer, for CSPR amounts in any shape.
    pub fn motes(&self) -> Option<&str> {
        self.motes.as_deref()
    }

    /// The exact amount in CSPR (`"12.5"`), for CSPR amounts in any shape.
    pub fn cspr(&self) -> Option<String> {
        self.motes.as_deref().and_then(motes_to_cspr)
    }
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
