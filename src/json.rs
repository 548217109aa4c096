//! The JSON layer. No value tree is built: the body is validated once, each object the
//! model reads is split into its keys and raw values, and everything else stays text.
//! Numbers therefore keep their exact text, and parsing allocates only a few small vectors.

use alloc::borrow::Cow;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

use crate::decimal::Decimal;
use crate::error::{Error, ErrorCode};
use crate::limits::Limits;

/// One JSON object: its members in order, values as raw text. A repeated key is kept
/// twice and lookups take the last one, as `JSON.parse` and PHP's `json_decode` do, so no
/// host sees a different event than this core (and no body can make insertion quadratic).
pub(crate) struct RawObject<'a> {
    members: Vec<(Cow<'a, str>, &'a RawValue)>,
}

impl<'a> RawObject<'a> {
    /// The last value of `key`.
    pub(crate) fn get(&self, key: &str) -> Option<&'a RawValue> {
        self.members
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| *v)
    }

    /// Splits a raw value already known to be a valid JSON object.
    pub(crate) fn parse(raw: &'a RawValue) -> Option<RawObject<'a>> {
        match serde_json::from_str::<TopLevel<'a>>(raw.get()) {
            Ok(TopLevel::Object(object)) => Some(object),
            _ => None,
        }
    }
}

/// What a JSON text is at the top level: an object split into members, or anything else.
enum TopLevel<'a> {
    Object(RawObject<'a>),
    NotAnObject,
}

impl<'de> Deserialize<'de> for TopLevel<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(TopLevelVisitor)
    }
}

struct TopLevelVisitor;

impl<'de> Visitor<'de> for TopLevelVisitor {
    type Value = TopLevel<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut members = Vec::new();
        while let Some(Key(key)) = map.next_key::<Key<'de>>()? {
            members.push((key, map.next_value::<&'de RawValue>()?));
        }
        Ok(TopLevel::Object(RawObject { members }))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(TopLevel::NotAnObject)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(TopLevel::NotAnObject)
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(TopLevel::NotAnObject)
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(TopLevel::NotAnObject)
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(TopLevel::NotAnObject)
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(TopLevel::NotAnObject)
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
        Ok(TopLevel::NotAnObject)
    }
}

/// An object key, borrowed from the body unless it contains escapes.
struct Key<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object key")
            }
            fn visit_borrowed_str<E: de::Error>(self, key: &'de str) -> Result<Self::Value, E> {
                Ok(Key(Cow::Borrowed(key)))
            }
            fn visit_str<E: de::Error>(self, key: &str) -> Result<Self::Value, E> {
                Ok(Key(Cow::Owned(String::from(key))))
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}

/// Validates the body and splits its top-level object: size, then one pass for nesting
/// depth and escapes, then UTF-8, then the JSON grammar.
pub(crate) fn parse_body<'a>(body: &'a [u8], limits: &Limits) -> Result<RawObject<'a>, Error> {
    limits.check_size(body)?;
    prescan(body, limits.depth())?;
    let text = core::str::from_utf8(body).map_err(|e| {
        Error::new(ErrorCode::InvalidJson)
            .with_reason("the body is not valid UTF-8")
            .with_position(e.valid_up_to())
    })?;
    // Anything but an object is checked for grammar only, never converted: a number such
    // as 1e400 is valid JSON (so `invalid_event`) even though no float holds it.
    let first = body.iter().find(|b| !is_json_whitespace(**b));
    let parsed = if first == Some(&b'{') {
        serde_json::from_str::<TopLevel<'a>>(text)
    } else {
        serde_json::from_str::<IgnoredAny>(text).map(|_| TopLevel::NotAnObject)
    };
    match parsed {
        Ok(TopLevel::Object(object)) => Ok(object),
        Ok(TopLevel::NotAnObject) => {
            Err(Error::new(ErrorCode::InvalidEvent).with_reason("the body must be a JSON object"))
        }
        Err(e) => Err(invalid_json(body, &e)),
    }
}

/// The four whitespace bytes JSON allows between tokens.
pub(crate) const fn is_json_whitespace(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | b'\r')
}

/// Refuses, before the parser runs: objects and arrays nested deeper than `max_depth`
/// (so no input can exhaust the stack), and `\u` escapes that are lone UTF-16 surrogates
/// (serde_json does not check escapes in values it skips, and they cannot become text).
fn prescan(body: &[u8], max_depth: usize) -> Result<(), Error> {
    let mut depth = 0usize;
    let mut i = 0;
    while let Some(offset) = body[i..]
        .iter()
        .position(|b| matches!(b, b'"' | b'{' | b'[' | b'}' | b']'))
    {
        i += offset;
        match body[i] {
            b'"' => i = skip_string(body, i + 1)?,
            b'{' | b'[' => {
                depth += 1;
                if depth > max_depth {
                    return Err(Error::new(ErrorCode::InvalidJson)
                        .with_reason("objects and arrays nest deeper than the limit of")
                        .with_number(max_depth as u64)
                        .with_position(i));
                }
                i += 1;
            }
            _ => {
                depth = depth.saturating_sub(1);
                i += 1;
            }
        }
    }
    Ok(())
}

/// Skips a string body starting at `i` (after the opening quote) and returns the index
/// after its closing quote; a high surrogate escape must be followed by a low one.
fn skip_string(body: &[u8], mut i: usize) -> Result<usize, Error> {
    // `get` because an escape at the very end of the body steps past it.
    while let Some(offset) = body
        .get(i..)
        .and_then(|rest| rest.iter().position(|b| matches!(b, b'"' | b'\\')))
    {
        i += offset;
        if body[i] == b'"' {
            return Ok(i + 1);
        }
        let unit = if body.get(i + 1) == Some(&b'u') {
            hex_unit(&body[i + 2..])
        } else {
            None
        };
        match unit {
            Some(0xd800..=0xdbff) => {
                let low = match body.get(i + 6..i + 8) {
                    Some(b"\\u") => hex_unit(&body[i + 8..]),
                    _ => None,
                };
                if !matches!(low, Some(0xdc00..=0xdfff)) {
                    return Err(lone_surrogate(i));
                }
                i += 12;
            }
            Some(0xdc00..=0xdfff) => return Err(lone_surrogate(i)),
            Some(_) => i += 6,
            None => i += 2,
        }
    }
    Ok(body.len())
}

fn hex_unit(digits: &[u8]) -> Option<u16> {
    let digits = digits.get(..4)?;
    digits.iter().try_fold(0u16, |acc, &d| {
        Some(acc << 4 | (d as char).to_digit(16)? as u16)
    })
}

fn lone_surrogate(position: usize) -> Error {
    Error::new(ErrorCode::InvalidJson)
        .with_reason("a \\u escape is a lone UTF-16 surrogate")
        .with_position(position)
}

fn invalid_json(body: &[u8], error: &serde_json::Error) -> Error {
    use serde_json::error::Category;
    let reason = match error.classify() {
        Category::Eof => "the body ends before the JSON value does",
        Category::Syntax => "syntax error",
        Category::Data => "invalid value",
        Category::Io => "read error",
    };
    Error::new(ErrorCode::InvalidJson)
        .with_reason(reason)
        .with_position(byte_offset(body, error.line(), error.column()))
}

/// Turns serde_json's 1-based line and byte column into a 0-based byte offset.
fn byte_offset(body: &[u8], line: usize, column: usize) -> usize {
    let line_start = body
        .iter()
        .enumerate()
        .filter(|&(_, &b)| b == b'\n')
        .nth(line.saturating_sub(2))
        .map_or(0, |(i, _)| if line > 1 { i + 1 } else { 0 });
    (line_start + column.saturating_sub(1)).min(body.len())
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

pub(crate) fn kind(raw: &RawValue) -> Kind {
    match raw.get().as_bytes().first() {
        Some(b'{') => Kind::Object,
        Some(b'[') => Kind::Array,
        Some(b'"') => Kind::String,
        Some(b't' | b'f') => Kind::Bool,
        Some(b'n') => Kind::Null,
        _ => Kind::Number,
    }
}

/// The text of a raw JSON string (borrowed when it has no escapes).
pub(crate) fn string_value(raw: &RawValue) -> Option<Cow<'_, str>> {
    let text = raw.get();
    let inner = text.strip_prefix('"')?.strip_suffix('"')?;
    if !inner.contains('\\') {
        return Some(Cow::Borrowed(inner));
    }
    serde_json::from_str::<String>(text).ok().map(Cow::Owned)
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
                let end = string_end(bytes, i);
                let rest = &bytes[end..];
                let is_key = rest.iter().find(|b| !is_json_whitespace(**b)) == Some(&b':');
                amount_value_next = is_key && is_amount_key(&raw[i..end]);
                i = end;
            }
            b'-' | b'0'..=b'9' => {
                let end = i + bytes[i..]
                    .iter()
                    .position(|b| !matches!(b, b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9'))
                    .unwrap_or(bytes.len() - i);
                let number = &raw[i..end];
                let as_text =
                    amount_value_next || !Decimal::parse(number).is_some_and(|d| d.is_portable());
                if as_text {
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

/// The index just past the string starting with the quote at `start`.
pub(crate) fn string_end(bytes: &[u8], start: usize) -> usize {
    let mut i = start + 1;
    while let Some(offset) = bytes
        .get(i..)
        .and_then(|rest| rest.iter().position(|&b| b == b'"' || b == b'\\'))
    {
        i += offset;
        if bytes[i] == b'"' {
            return i + 1;
        }
        i += 2;
    }
    bytes.len()
}

/// `quoted` is a JSON string including its quotes.
fn is_amount_key(quoted: &str) -> bool {
    let Some(inner) = quoted.strip_prefix('"').and_then(|q| q.strip_suffix('"')) else {
        return false;
    };
    let key = if inner.contains('\\') {
        match serde_json::from_str::<String>(quoted) {
            Ok(key) => Cow::Owned(key),
            Err(_) => return false,
        }
    } else {
        Cow::Borrowed(inner)
    };
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
    // Most strings (ids, hashes, keys) need no escape: find the next byte that does with a
    // plain scan, and copy everything before it in one piece.
    while let Some(offset) = bytes[copied..]
        .iter()
        .position(|&b| b < 0x20 || b == b'"' || b == b'\\')
    {
        let i = copied + offset;
        out(&bytes[copied..i]);
        let byte = bytes[i];
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
