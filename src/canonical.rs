//! The canonical form of a JSON text: what stays the same when CasPay re-sends an event
//! from its database.
//!
//! CasPay stores each delivery's payload in a PostgreSQL `jsonb` column (keys come back
//! shorter first, then bytewise) and re-sends it through `JSON.stringify`, so one event
//! reaches a receiver with other bytes: another key order, other whitespace, other number
//! spellings (`12.50` → `12.5`), other escapes (`\u00e9` → `é`). The canonical form is
//! identical for all of them:
//! - objects: members sorted by the UTF-8 bytes of their unescaped keys; a repeated key
//!   counts once, with its last value (as `JSON.parse` and `json_decode` read it);
//! - strings: unescaped, then written with the fewest escapes ([`write_string`]);
//! - numbers: one spelling per value ([`Decimal::write_canonical`]);
//! - no whitespace; `true`, `false`, `null` and arrays as they are.
//!
//! The input must already be validated JSON (the parser ran first): this walk never fails
//! and never panics, but it does not check grammar.

use alloc::borrow::Cow;
use alloc::string::String;
use alloc::vec::Vec;

use crate::decimal::Decimal;
use crate::json::{is_json_whitespace, string_end, write_string};

/// Writes the canonical form of the validated JSON `text` to `out`.
pub(crate) fn write_canonical(text: &str, out: &mut impl FnMut(&[u8])) {
    value(text, skip_whitespace(text.as_bytes(), 0), out);
}

/// Writes the value starting at `i` and returns the index after it.
fn value(text: &str, i: usize, out: &mut impl FnMut(&[u8])) -> usize {
    let bytes = text.as_bytes();
    match bytes.get(i) {
        Some(b'{') => object(text, i, out),
        Some(b'[') => array(text, i, out),
        Some(b'"') => {
            let end = string_end(bytes, i);
            write_string(&unescape(&text[i..end]), out);
            end
        }
        Some(b't' | b'f' | b'n') => {
            let end = token_end(bytes, i);
            out(&bytes[i..end]);
            end
        }
        Some(_) => {
            let end = token_end(bytes, i);
            let number = &text[i..end];
            match Decimal::parse(number) {
                Some(decimal) => decimal.write_canonical(out),
                None => out(number.as_bytes()),
            }
            end
        }
        None => i,
    }
}

fn object(text: &str, start: usize, out: &mut impl FnMut(&[u8])) -> usize {
    let bytes = text.as_bytes();
    let mut members: Vec<(Cow<'_, str>, usize)> = Vec::new();
    let mut i = skip_whitespace(bytes, start + 1);
    while bytes.get(i) == Some(&b'"') {
        let key_end = string_end(bytes, i);
        let key = unescape(&text[i..key_end]);
        // Past the key, the colon and the whitespace around it.
        let value_start = skip_whitespace(bytes, skip_whitespace(bytes, key_end) + 1);
        members.push((key, value_start));
        i = skip_whitespace(bytes, skip_value(bytes, value_start));
        if bytes.get(i) == Some(&b',') {
            i = skip_whitespace(bytes, i + 1);
        }
    }
    // Repeated keys stay in body order (the start offsets break ties), so the last of each
    // run wins.
    members.sort_unstable_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()).then(a.1.cmp(&b.1)));
    out(b"{");
    let mut first = true;
    for (index, (key, value_start)) in members.iter().enumerate() {
        if members.get(index + 1).is_some_and(|next| next.0 == *key) {
            continue;
        }
        if !first {
            out(b",");
        }
        first = false;
        write_string(key, out);
        out(b":");
        value(text, *value_start, out);
    }
    out(b"}");
    i + 1
}

fn array(text: &str, start: usize, out: &mut impl FnMut(&[u8])) -> usize {
    let bytes = text.as_bytes();
    out(b"[");
    let mut i = skip_whitespace(bytes, start + 1);
    let mut first = true;
    while i < bytes.len() && bytes[i] != b']' {
        if !first {
            out(b",");
        }
        first = false;
        i = skip_whitespace(bytes, value(text, i, out));
        if bytes.get(i) == Some(&b',') {
            i = skip_whitespace(bytes, i + 1);
        }
    }
    out(b"]");
    i + 1
}

/// The index after the value starting at `i`, without writing it.
fn skip_value(bytes: &[u8], mut i: usize) -> usize {
    match bytes.get(i) {
        Some(b'"') => string_end(bytes, i),
        Some(b'{' | b'[') => {
            let mut depth = 0usize;
            while i < bytes.len() {
                match bytes[i] {
                    b'"' => {
                        i = string_end(bytes, i);
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth = depth.saturating_sub(1);
                        if depth == 0 {
                            return i + 1;
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
            i
        }
        _ => token_end(bytes, i),
    }
}

/// The end of a number or literal: the next delimiter.
fn token_end(bytes: &[u8], i: usize) -> usize {
    bytes
        .get(i..)
        .and_then(|rest| {
            rest.iter()
                .position(|&b| matches!(b, b',' | b'}' | b']' | b':') || is_json_whitespace(b))
        })
        .map_or(bytes.len(), |offset| i + offset)
}

fn skip_whitespace(bytes: &[u8], i: usize) -> usize {
    bytes
        .get(i..)
        .and_then(|rest| rest.iter().position(|&b| !is_json_whitespace(b)))
        .map_or(bytes.len(), |offset| i + offset)
}

/// The text of a JSON string token (quotes included).
fn unescape(quoted: &str) -> Cow<'_, str> {
    let inner = quoted
        .strip_prefix('"')
        .and_then(|q| q.strip_suffix('"'))
        .unwrap_or(quoted);
    if !inner.contains('\\') {
        return Cow::Borrowed(inner);
    }
    Cow::Owned(serde_json::from_str::<String>(quoted).unwrap_or_default())
}
