//! The JSON layer. No value tree is built: [`Document`] validates the body in one pass and
//! records where each object member and array element is, and everything else stays text.
//! Numbers therefore keep their exact text, and parsing allocates only three small vectors.

mod document;
mod raw_json;

use alloc::borrow::Cow;
use alloc::string::String;
use alloc::vec::Vec;

pub(crate) use document::{Document, Entry, Object};
pub use raw_json::RawJson;

use crate::decimal::Decimal;
use crate::error::{Error, ErrorCode};
use crate::limits::Limits;

/// Validates the body (size, UTF-8, grammar, nesting, escapes); it must be an object.
pub(crate) fn parse_body<'a>(body: &'a [u8], limits: &Limits) -> Result<Document<'a>, Error> {
    limits.check_size(body)?;
    let document = Document::parse(body, limits.depth())?;
    // Anything but an object is checked for grammar only, never converted: a number such
    // as 1e400 is valid JSON (so `invalid_event`) even though no float holds it.
    if document.root().is_none() {
        return Err(
            Error::new(ErrorCode::InvalidEvent).with_reason("the body must be a JSON object")
        );
    }
    Ok(document)
}

/// The four whitespace bytes JSON allows between tokens.
pub(crate) const fn is_json_whitespace(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | b'\r')
}

/// What kind of JSON value a raw value is, from its first byte.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Object,
    Array,
    String,
    Number,
    Bool,
    Null,
}

pub(crate) fn kind(raw: &str) -> Kind {
    match raw.as_bytes().first() {
        Some(b'{') => Kind::Object,
        Some(b'[') => Kind::Array,
        Some(b'"') => Kind::String,
        Some(b't' | b'f') => Kind::Bool,
        Some(b'n') => Kind::Null,
        _ => Kind::Number,
    }
}

/// The text of a validated JSON string, from what is between its quotes; `escaped` says
/// whether it has escapes (borrowed when it has none).
pub(crate) fn string_text(inner: &str, escaped: bool) -> Cow<'_, str> {
    if escaped {
        unescape(inner)
    } else {
        Cow::Borrowed(inner)
    }
}

/// The text a validated JSON string stands for, from what is between its quotes.
pub(crate) fn unescape(inner: &str) -> Cow<'_, str> {
    let Some(first) = inner.find('\\') else {
        return Cow::Borrowed(inner);
    };
    let mut text = String::with_capacity(inner.len());
    text.push_str(&inner[..first]);
    let mut rest = &inner[first..];
    while let Some(at) = rest.find('\\') {
        text.push_str(&rest[..at]);
        let escape = &rest[at + 1..];
        let (c, used) = match escape.as_bytes().first() {
            Some(b'b') => ('\u{8}', 1),
            Some(b'f') => ('\u{c}', 1),
            Some(b'n') => ('\n', 1),
            Some(b'r') => ('\r', 1),
            Some(b't') => ('\t', 1),
            Some(b'u') => {
                let unit = |at: usize| {
                    escape
                        .get(at..at + 4)
                        .and_then(|h| u32::from_str_radix(h, 16).ok())
                };
                match unit(1) {
                    // The document checked that a high surrogate has its low one.
                    Some(high @ 0xd800..=0xdbff) => {
                        let low = unit(7).unwrap_or(0xdc00);
                        let c =
                            0x10000 + ((high - 0xd800) << 10) + (low.wrapping_sub(0xdc00) & 0x3ff);
                        (char::from_u32(c).unwrap_or('\u{fffd}'), 11)
                    }
                    unit => (unit.and_then(char::from_u32).unwrap_or('\u{fffd}'), 5),
                }
            }
            // `\"`, `\\` and `\/` stand for themselves.
            _ => (escape.chars().next().unwrap_or('\u{fffd}'), 1),
        };
        text.push(c);
        rest = escape.get(used..).unwrap_or_default();
    }
    text.push_str(rest);
    Cow::Owned(text)
}

/// Copies a raw JSON value, writing as a string with its exact text every number that is
/// the value of an amount key (`amount`, `*_amount`, `*Amount`), and every other number no
/// host could hold exactly (integers beyond ±(2^53 − 1), values beyond the float range).
/// So JavaScript, PHP and Rust read the same values, and none becomes a float by accident.
pub(crate) fn write_portable(raw: &str, out: &mut Vec<u8>) {
    let bytes = raw.as_bytes();
    let mut copied = 0;
    let mut amount_value_next = false;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                let (end, escaped) = string_end(bytes, i);
                let rest = &bytes[end..];
                let is_key = rest.iter().find(|b| !is_json_whitespace(**b)) == Some(&b':');
                amount_value_next = is_key && is_amount_key(&raw[i..end], escaped);
                i = end;
            }
            b'-' | b'0'..=b'9' => {
                let end = number_end(bytes, i);
                let number = &raw[i..end];
                if number_travels_as_text(number, amount_value_next) {
                    out.extend_from_slice(&bytes[copied..i]);
                    out.push(b'"');
                    out.extend_from_slice(number.as_bytes());
                    out.push(b'"');
                    copied = end;
                }
                amount_value_next = false;
                i = end;
            }
            b':' => i += 1,
            byte => {
                if !is_json_whitespace(byte) {
                    amount_value_next = false;
                }
                i += 1;
            }
        }
    }
    out.extend_from_slice(&bytes[copied..]);
}

/// Whether a number of the body is written as a string with its exact text: the value of
/// an amount key (`amount_value`), or a number no host could hold exactly.
pub(crate) fn number_travels_as_text(number: &str, amount_value: bool) -> bool {
    amount_value || !Decimal::parse(number).is_some_and(|d| d.is_portable())
}

/// The index just past the number starting at `start`.
pub(crate) fn number_end(bytes: &[u8], start: usize) -> usize {
    start
        + bytes[start..]
            .iter()
            .position(|b| !matches!(b, b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9'))
            .unwrap_or(bytes.len() - start)
}

/// The index just past the string starting with the quote at `start`, and whether the
/// string has escapes.
pub(crate) fn string_end(bytes: &[u8], start: usize) -> (usize, bool) {
    let mut i = start + 1;
    let mut escaped = false;
    while i < bytes.len() {
        i += plain_run(&bytes[i..]);
        match bytes.get(i) {
            Some(b'"') => return (i + 1, escaped),
            // An escape: its next byte may be a quote that does not end the string.
            Some(b'\\') => {
                escaped = true;
                i += 2;
            }
            _ => i += 1,
        }
    }
    (bytes.len(), escaped)
}

/// The length of the start of `bytes` that a string holds as it is: no quote, backslash or
/// control character. Eight bytes at a time, since most of a body is such text.
pub(crate) fn plain_run(bytes: &[u8]) -> usize {
    const ONES: u64 = u64::from_le_bytes([0x01; 8]);
    const HIGH: u64 = u64::from_le_bytes([0x80; 8]);
    // Sets the high bit of each byte of `x` that is zero, or (for `below_space`) under 0x20.
    // Only a flagged byte's borrow can flag a byte above it wrongly, so the lowest flag
    // (the first byte, read little-endian) is always exact.
    let zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGH;
    let mut run = 0;
    for chunk in bytes.chunks_exact(8) {
        let x = u64::from_le_bytes([
            chunk[0], chunk[1], chunk[2], chunk[3], chunk[4], chunk[5], chunk[6], chunk[7],
        ]);
        let below_space = x.wrapping_sub(ONES * 0x20) & !x & HIGH;
        let flags =
            zero(x ^ (ONES * u64::from(b'"'))) | zero(x ^ (ONES * u64::from(b'\\'))) | below_space;
        if flags != 0 {
            return run + (flags.trailing_zeros() / 8) as usize;
        }
        run += 8;
    }
    run + bytes[run..]
        .iter()
        .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
        .unwrap_or(bytes.len() - run)
}

/// `quoted` is a JSON string including its quotes; `escaped` says whether it has escapes.
fn is_amount_key(quoted: &str, escaped: bool) -> bool {
    let Some(inner) = quoted.strip_prefix('"').and_then(|q| q.strip_suffix('"')) else {
        return false;
    };
    is_amount_name(&string_text(inner, escaped))
}

/// `amount`, `*_amount` or `*Amount`: a key whose number is an amount.
pub(crate) fn is_amount_name(key: &str) -> bool {
    key == "amount" || key.ends_with("_amount") || key.ends_with("Amount")
}

/// Writes `text` as a JSON string with the fewest escapes, as `JSON.stringify` and
/// PostgreSQL write it: `\"` and `\\`, the short forms `\b \f \n \r \t`, other control
/// characters as `\u00xx`, everything else as UTF-8.
pub(crate) fn write_string(text: &str, out: &mut impl FnMut(&[u8])) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out(b"\"");
    let bytes = text.as_bytes();
    let mut copied = 0;
    // Most strings (ids, hashes, keys) need no escape: find the next byte that does a word
    // at a time, and copy everything before it in one piece.
    loop {
        let i = copied + plain_run(&bytes[copied..]);
        let Some(&byte) = bytes.get(i) else { break };
        out(&bytes[copied..i]);
        let short: &[u8] = match byte {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            0x08 => b"\\b",
            0x0c => b"\\f",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            _ => &[
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[usize::from(byte >> 4)],
                HEX[usize::from(byte & 0xf)],
            ],
        };
        out(short);
        copied = i + 1;
    }
    out(&bytes[copied..]);
    out(b"\"");
}
