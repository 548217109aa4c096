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
//! It walks a validated [`Document`], whose positions it trusts: it never fails, never
//! scans the body again and never panics.

use alloc::vec::Vec;

use crate::decimal::Decimal;
use crate::json::{unescape, write_string, Document, Entry};

/// Writes the canonical form of the validated document to `out`.
pub(crate) fn write_canonical(document: &Document<'_>, out: &mut impl FnMut(&[u8])) {
    let text = document.text();
    let start = text.len() - text.trim_start_matches([' ', '\t', '\n', '\r']).len();
    let end = text.trim_end_matches([' ', '\t', '\n', '\r']).len();
    value(document, start, &text[start..end], true, out);
}

/// Writes the value `raw` that starts at byte `start` of the document.
fn value(
    document: &Document<'_>,
    start: usize,
    raw: &str,
    escaped: bool,
    out: &mut impl FnMut(&[u8]),
) {
    match raw.as_bytes().first() {
        Some(b'{') => object(document, document.entries_at(start), out),
        Some(b'[') => {
            out(b"[");
            for (index, entry) in document.entries_at(start).iter().enumerate() {
                if index > 0 {
                    out(b",");
                }
                element(document, entry, out);
            }
            out(b"]");
        }
        Some(b'"') if escaped => write_string(&unescape(&raw[1..raw.len() - 1]), out),
        Some(b'"' | b't' | b'f' | b'n') => out(raw.as_bytes()),
        _ => match Decimal::parse(raw) {
            Some(decimal) => decimal.write_canonical(out),
            None => out(raw.as_bytes()),
        },
    }
}

fn element(document: &Document<'_>, entry: &Entry, out: &mut impl FnMut(&[u8])) {
    value(
        document,
        document.value_start(entry),
        document.value(entry),
        entry.value_escaped(),
        out,
    );
}

fn object(document: &Document<'_>, members: &[Entry], out: &mut impl FnMut(&[u8])) {
    let mut sorted: Vec<_> = members
        .iter()
        .enumerate()
        .map(|(position, entry)| (document.key(entry), position, entry))
        .collect();
    // Repeated keys stay in body order (the position breaks ties), so the last of each run
    // wins: as a stable sort would, in less code (about 330 bytes of each module's gzip,
    // against issue 9's size budgets).
    sorted.sort_unstable_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()).then(a.1.cmp(&b.1)));
    out(b"{");
    let mut first = true;
    for (index, (key, _, entry)) in sorted.iter().enumerate() {
        if sorted.get(index + 1).is_some_and(|next| next.0 == *key) {
            continue;
        }
        if !first {
            out(b",");
        }
        first = false;
        if entry.key_escaped() {
            write_string(key, out);
        } else {
            out(b"\"");
            out(key.as_bytes());
            out(b"\"");
        }
        out(b":");
        element(document, entry, out);
    }
    out(b"}");
}
