//! Idempotency keys: one per event, the same for every copy of it CasPay sends.

use alloc::string::String;
use alloc::vec::Vec;

use sha2::{Digest, Sha256};

use crate::canonical::write_canonical;
use crate::error::Error;
use crate::json::{parse_body, Document};
use crate::limits::Limits;

/// The prefix of keys derived from an event's content, so they never collide with event ids.
pub const CONTENT_KEY_PREFIX: &str = "sha256:";

/// The event id when there is one; otherwise a digest of the event's canonical content.
///
/// Shape C carries no id, and CasPay re-sends an event from its database with other bytes
/// (other key order, whitespace, number spellings), so the key is derived from what the
/// body says, never from its bytes: every copy of one event shares it, and events that
/// differ in any field (their timestamps at least) get different keys.
pub(crate) fn idempotency_key(id: Option<&str>, document: &Document<'_>) -> String {
    if let Some(id) = id {
        return String::from(id);
    }
    // The canonical text is gathered first and hashed in one call: fed to the hasher piece
    // by piece (a brace, a comma, a key), its block bookkeeping cost more than the hashing.
    let mut canonical = Vec::with_capacity(document.text().len());
    write_canonical(document, &mut |bytes| canonical.extend_from_slice(bytes));
    let mut digest = [0u8; 64];
    // A 32-byte digest always fits 64 hex digits.
    let _ = hex::encode_to_slice(Sha256::digest(&canonical), &mut digest);
    let mut key = String::with_capacity(CONTENT_KEY_PREFIX.len() + 64);
    key.push_str(CONTENT_KEY_PREFIX);
    key.push_str(core::str::from_utf8(&digest).unwrap_or_default());
    key
}

/// The canonical form of a JSON body that content keys are the SHA-256 of: members sorted
/// by key at every depth, no whitespace, one spelling per string and per number. For
/// comparing what two bodies say, and for checking a host's own implementation.
///
/// ```
/// let a = caspay_webhooks::canonical_json(br#"{"b":12.50,"a":"\u00e9"}"#).unwrap();
/// let b = caspay_webhooks::canonical_json("{ \"a\": \"é\", \"b\": 1.25e1 }".as_bytes()).unwrap();
/// assert_eq!(a, b);
/// assert_eq!(a, "{\"a\":\"é\",\"b\":1.25e1}".as_bytes());
/// ```
pub fn canonical_json(body: &[u8]) -> Result<Vec<u8>, Error> {
    let document = parse_body(body, &Limits::default())?;
    let mut out = Vec::with_capacity(body.len());
    write_canonical(&document, &mut |bytes| out.extend_from_slice(bytes));
    Ok(out)
}
