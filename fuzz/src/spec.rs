//! The contract's arithmetic, from `tests/vectors/README.md`: canonical JSON (content keys)
//! and amounts in motes, on decimal text only.

use crate::json::Value;

/// Exponents with more significant digits than this are kept as written.
pub const MAX_EXPONENT_DIGITS: usize = 15;

/// The most digits an amount in motes may have (Casper's U512).
pub const MAX_MOTES_DIGITS: usize = 155;

/// A JSON number split into the parts it was written with.
#[derive(Debug, Clone, Copy)]
pub struct Number<'a> {
    /// A leading `-`.
    pub negative: bool,
    /// Digits before the point.
    pub integer: &'a str,
    /// Digits after the point (empty without one).
    pub fraction: &'a str,
    /// Sign and digits after `e`/`E`, as written (empty without an exponent).
    pub exponent: &'a str,
}

impl<'a> Number<'a> {
    /// Splits text that follows the JSON number grammar.
    pub fn split(text: &'a str) -> Number<'a> {
        let (negative, rest) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let (mantissa, exponent) = match rest.find(['e', 'E']) {
            Some(at) => (&rest[..at], &rest[at + 1..]),
            None => (rest, ""),
        };
        let (integer, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        Number {
            negative,
            integer,
            fraction,
            exponent,
        }
    }

    /// Digits of the exponent after its sign and leading zeros.
    pub fn exponent_digits(&self) -> usize {
        self.exponent
            .trim_start_matches(['+', '-'])
            .trim_start_matches('0')
            .len()
    }

    /// Zero, whatever its sign and spelling.
    pub fn is_zero(&self) -> bool {
        self.integer
            .bytes()
            .chain(self.fraction.bytes())
            .all(|b| b == b'0')
    }

    /// The significant digits (no leading or trailing zeros) and the power of ten of the
    /// first one; `None` for zero or an exponent of more than 15 significant digits.
    pub fn significant(&self) -> Option<(String, i64)> {
        if self.is_zero() || self.exponent_digits() > MAX_EXPONENT_DIGITS {
            return None;
        }
        let exponent: i64 = match self.exponent.strip_prefix('-') {
            Some(digits) => -digits.parse::<i64>().ok()?,
            None => self.exponent.trim_start_matches('+').parse().unwrap_or(0),
        };
        let all = format!("{}{}", self.integer, self.fraction);
        let from_first = all.trim_start_matches('0');
        let power = exponent - self.fraction.len() as i64 + from_first.len() as i64 - 1;
        Some((from_first.trim_end_matches('0').to_string(), power))
    }
}

/// The canonical spelling of a number: `0`, or `[-]d[.ddd]e<power>`; an exponent of more
/// than 15 significant digits is written as sent (with a lowercase `e`).
pub fn canonical_number(text: &str) -> String {
    let number = Number::split(text);
    if number.is_zero() {
        return "0".to_string();
    }
    let sign = if number.negative { "-" } else { "" };
    match number.significant() {
        Some((digits, power)) => {
            let (first, rest) = digits.split_at(1);
            let point = if rest.is_empty() { "" } else { "." };
            format!("{sign}{first}{point}{rest}e{power}")
        }
        None => {
            let point = if number.fraction.is_empty() { "" } else { "." };
            format!(
                "{sign}{}{point}{}e{}",
                number.integer, number.fraction, number.exponent
            )
        }
    }
}

/// A string with the fewest escapes, as `JSON.stringify` writes it.
pub fn json_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for ch in text.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The canonical form content keys are the SHA-256 of: members sorted by the UTF-8 bytes
/// of their keys (a repeated key once, with its last value), fewest escapes, canonical
/// numbers, no whitespace.
pub fn canonical(value: &Value) -> String {
    match value {
        Value::Null => "null".to_string(),
        Value::Bool(true) => "true".to_string(),
        Value::Bool(false) => "false".to_string(),
        Value::Number(text) => canonical_number(text),
        Value::String(text) => json_string(text),
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(canonical).collect();
            format!("[{}]", items.join(","))
        }
        Value::Object(members) => {
            let mut members = Value::last_wins(members);
            members.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
            let members: Vec<String> = members
                .iter()
                .map(|(k, v)| format!("{}:{}", json_string(k), canonical(v)))
                .collect();
            format!("{{{}}}", members.join(","))
        }
    }
}

/// The text of an amount (a number's text, or a string's content) when it follows the
/// amount grammar: a JSON number without a sign.
pub fn amount_text(value: &Value) -> Option<&str> {
    let text = match value {
        Value::Number(text) | Value::String(text) => text.as_str(),
        _ => return None,
    };
    let valid = matches!(crate::json::parse(text.as_bytes()), Some(Value::Number(_)))
        && !text.starts_with('-')
        && text.bytes().next().is_some_and(|b| b.is_ascii_digit());
    valid.then_some(text)
}

/// The exact amount in motes of `text` (amount grammar) times 10^`scale`: a decimal
/// integer without leading zeros, or `None` when it is not a whole number of motes or has
/// more than 155 digits.
pub fn motes(text: &str, scale: i64) -> Option<String> {
    let number = Number::split(text);
    if number.is_zero() {
        return Some("0".to_string());
    }
    let (digits, power) = number.significant()?;
    let power = power + scale;
    let zeros = power - (digits.len() as i64 - 1);
    if zeros < 0 || power + 1 > MAX_MOTES_DIGITS as i64 {
        return None;
    }
    Some(format!("{digits}{}", "0".repeat(zeros as usize)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_numbers_from_the_contract() {
        for (text, want) in [
            ("12.50", "1.25e1"),
            ("100", "1e2"),
            ("0.0000001", "1e-7"),
            ("1e+21", "1e21"),
            ("-0.0", "0"),
            ("0e1234567890123456789", "0"),
            ("1E+0001234567890123456", "1e+0001234567890123456"),
            ("-1.50e1234567890123456", "-1.50e1234567890123456"),
            ("1e000000000000000000001", "1e1"),
        ] {
            assert_eq!(canonical_number(text), want, "{text}");
        }
    }

    #[test]
    fn motes_from_the_contract() {
        assert_eq!(motes("12.5", 9).as_deref(), Some("12500000000"));
        assert_eq!(motes("1e-7", 9).as_deref(), Some("100"));
        assert_eq!(motes("1.50E+3", 0).as_deref(), Some("1500"));
        assert_eq!(motes("0.0e999999999999999999", 0).as_deref(), Some("0"));
        assert_eq!(motes("1.5", 0), None);
        assert_eq!(motes("1e-10", 9), None);
        assert_eq!(
            motes(&"9".repeat(155), 0).as_deref(),
            Some(&*"9".repeat(155))
        );
        assert_eq!(motes(&format!("1{}", "0".repeat(155)), 0), None);
        assert_eq!(motes("1e147", 9), None);
    }
}
