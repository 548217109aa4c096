//! Exact decimal arithmetic on the text of JSON numbers, without ever going through a
//! binary float: the canonical spelling used by content keys, the shift that turns CSPR into
//! motes, and the test for numbers a JavaScript or PHP host could not hold exactly.

use alloc::string::String;
use alloc::vec::Vec;

/// Exponents with more digits than this are kept as written (see [`Decimal::write_canonical`]):
/// no JavaScript number or PostgreSQL `numeric` round trip produces one, and below it the
/// arithmetic fits an `i64` with room for any body length.
const MAX_EXACT_EXPONENT_DIGITS: usize = 15;

/// 2^53 − 1: the largest integer every host (JavaScript numbers, PHP on 32-bit floats
/// included) holds exactly.
const MAX_SAFE_INTEGER: &str = "9007199254740991";

/// The digits of 2^1024 − 2^970 (a 309-digit integer): the smallest magnitude an IEEE double
/// rounds to infinity. Comparing digits against it decides finiteness exactly, without
/// linking a float parser into the WebAssembly modules.
const DOUBLE_OVERFLOW_DIGITS: &[u8] = b"179769313486231580793728971405303415079934132710037826936173778980444968292764750946649017977587207096330286416692887910946555547851940402630657488671505820681908902000708383676273854845817711531764475730270069855571366959622842914819860834936475292719074168444365510704342711559699508093042880177904174497792";

/// A JSON number split into its parts, as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Decimal<'a> {
    /// A leading `-`.
    pub(crate) negative: bool,
    /// The digits before the point (never empty).
    integer: &'a str,
    /// The digits after the point (empty without a point).
    fraction: &'a str,
    /// The exponent's sign and digits after `e`/`E` (empty without an exponent).
    exponent: &'a str,
}

/// Why a decimal is not a whole number at some scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ScaleError {
    /// Digits remain after the point.
    Fractional,
    /// More digits than the caller allows.
    TooLarge,
}

impl<'a> Decimal<'a> {
    /// Splits text that follows the JSON number grammar (`-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?`).
    pub(crate) fn parse(text: &'a str) -> Option<Decimal<'a>> {
        let (negative, rest) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let mantissa_end = rest.find(['e', 'E']).unwrap_or(rest.len());
        let (mantissa, exponent) = rest.split_at(mantissa_end);
        let exponent = exponent.get(1..).unwrap_or("");
        let (integer, fraction) = match mantissa.split_once('.') {
            Some((integer, fraction)) => (integer, Some(fraction)),
            None => (mantissa, None),
        };
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        let exponent_ok = mantissa_end == rest.len()
            || digits(exponent.strip_prefix(['+', '-']).unwrap_or(exponent));
        let ok = digits(integer)
            && (integer == "0" || !integer.starts_with('0'))
            && fraction.map_or(true, digits)
            && exponent_ok;
        ok.then_some(Decimal {
            negative,
            integer,
            fraction: fraction.unwrap_or(""),
            exponent,
        })
    }

    /// Whether the number has neither a fraction nor an exponent.
    pub(crate) fn is_plain_integer(&self) -> bool {
        self.fraction.is_empty() && self.exponent.is_empty()
    }

    /// The mantissa's digits without leading or trailing zeros (empty for zero) and where
    /// the point sits: the value is `0.DIGITS × 10^(point + exponent)`.
    fn significant(&self) -> (Vec<u8>, i64) {
        let mut digits: Vec<u8> = self.integer.bytes().chain(self.fraction.bytes()).collect();
        let leading = digits.iter().take_while(|&&d| d == b'0').count();
        let trailing = digits[leading..]
            .iter()
            .rev()
            .take_while(|&&d| d == b'0')
            .count();
        digits.truncate(digits.len() - trailing);
        digits.drain(..leading);
        (digits, self.integer.len() as i64 - leading as i64)
    }

    /// The exponent as a number, or `None` when it has too many digits to add to.
    fn exponent_value(&self) -> Option<i64> {
        let (negative, digits) = match self.exponent.as_bytes().first() {
            None => return Some(0),
            Some(b'-') => (true, &self.exponent[1..]),
            Some(b'+') => (false, &self.exponent[1..]),
            Some(_) => (false, self.exponent),
        };
        let digits = digits.trim_start_matches('0');
        if digits.len() > MAX_EXACT_EXPONENT_DIGITS {
            return None;
        }
        let value = digits.parse::<i64>().unwrap_or(0);
        Some(if negative { -value } else { value })
    }

    /// The value times 10^`scale` as a whole number without leading zeros (`"0"` for zero),
    /// or why it is not one: `Fractional`, or `TooLarge` beyond `max_digits` digits. The sign
    /// is ignored.
    pub(crate) fn scaled_integer(
        &self,
        scale: i64,
        max_digits: usize,
    ) -> Result<String, ScaleError> {
        let (digits, point) = self.significant();
        if digits.is_empty() {
            return Ok(String::from("0"));
        }
        let Some(exponent) = self.exponent_value() else {
            // A non-zero value whose exponent has more than 15 digits is out of any range.
            return Err(if self.exponent.starts_with('-') {
                ScaleError::Fractional
            } else {
                ScaleError::TooLarge
            });
        };
        // A whole number exactly when every significant digit lies left of the point.
        let whole_digits = point + exponent + scale;
        if whole_digits < digits.len() as i64 {
            return Err(ScaleError::Fractional);
        }
        if whole_digits > max_digits as i64 {
            return Err(ScaleError::TooLarge);
        }
        let mut out = String::with_capacity(whole_digits as usize);
        out.extend(digits.iter().map(|&d| char::from(d)));
        out.extend(core::iter::repeat('0').take(whole_digits as usize - digits.len()));
        Ok(out)
    }

    /// Writes the one spelling every way of writing this value shares, so a body re-serialized
    /// by `JSON.stringify` or PostgreSQL (`12.50` → `12.5`, `1e21` → `1e+21`,
    /// `1000000000000000000000`) keeps its content key: `0` for zero, otherwise an optional
    /// `-`, the first significant digit, `.` and the others when there are any, `e` and the
    /// power of ten (`1.25e1`, `-3e-7`, `1e21`). An exponent of more than 15 digits is
    /// written as sent (no round trip produces one, and such spellings cannot meet the
    /// normalized ones, whose exponents are shorter).
    pub(crate) fn write_canonical(&self, out: &mut impl FnMut(&[u8])) {
        let (digits, point) = self.significant();
        if digits.is_empty() {
            out(b"0");
            return;
        }
        if self.negative {
            out(b"-");
        }
        let Some(exponent) = self.exponent_value() else {
            out(self.integer.as_bytes());
            if !self.fraction.is_empty() {
                out(b".");
                out(self.fraction.as_bytes());
            }
            out(b"e");
            out(self.exponent.as_bytes());
            return;
        };
        out(&digits[..1]);
        if digits.len() > 1 {
            out(b".");
            out(&digits[1..]);
        }
        out(b"e");
        out(itoa::Buffer::new().format(point + exponent - 1).as_bytes());
    }

    /// Writes the value for a host's float parser: the canonical spelling, whose exponent is
    /// short (PHP's parser caps a written one at 19999); or `0` (`-0`) for a portable number
    /// whose exponent has more than 15 digits, which can only be one that underflows to zero
    /// (the others are out of any range and travel as text).
    #[cfg(feature = "abi")]
    pub(crate) fn write_float(&self, out: &mut impl FnMut(&[u8])) {
        match self.exponent_value() {
            Some(_) => self.write_canonical(out),
            None => out(if self.negative { b"-0" } else { b"0" }),
        }
    }

    /// Whether JavaScript's `JSON.parse` and PHP's `json_decode` would both give back this
    /// exact value: integers within ±(2^53 − 1), and any other number whose double is finite
    /// (`0.1` is the same double everywhere). Beyond that (`12345678901234567890`, `1e400`)
    /// hosts disagree or lose the value, and negative zero is `-0` in JavaScript but `0` in
    /// PHP, so those travel as text.
    pub(crate) fn is_portable(&self) -> bool {
        let (digits, point) = self.significant();
        if digits.is_empty() {
            return !self.negative;
        }
        if self.is_plain_integer() {
            let integer = self.integer;
            return integer.len() < MAX_SAFE_INTEGER.len()
                || (integer.len() == MAX_SAFE_INTEGER.len() && integer <= MAX_SAFE_INTEGER);
        }
        // The value is 0.DIGITS × 10^power: finite below 10^309, infinite from 10^309 on,
        // and in between finite exactly when DIGITS sort below the overflow digits.
        let Some(exponent) = self.exponent_value() else {
            return self.exponent.starts_with('-');
        };
        let power = point + exponent;
        let overflow_power = DOUBLE_OVERFLOW_DIGITS.len() as i64;
        match power.cmp(&overflow_power) {
            core::cmp::Ordering::Less => true,
            core::cmp::Ordering::Greater => false,
            core::cmp::Ordering::Equal => {
                let padded = |d: &[u8], i: usize| d.get(i).copied().unwrap_or(b'0');
                let len = digits.len().max(DOUBLE_OVERFLOW_DIGITS.len());
                (0..len)
                    .map(|i| padded(&digits, i).cmp(&padded(DOUBLE_OVERFLOW_DIGITS, i)))
                    .find(|o| o.is_ne())
                    == Some(core::cmp::Ordering::Less)
            }
        }
    }
}
