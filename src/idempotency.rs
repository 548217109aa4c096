//! Idempotency keys: one per delivery, identical across its retries.

use alloc::string::String;

use sha2::{Digest, Sha256};

/// The prefix of keys derived from the body, so they never collide with event ids.
pub const BODY_DIGEST_PREFIX: &str = "sha256:";

/// The event id when there is one; otherwise a digest of the exact body bytes.
///
/// CasPay retries a delivery with the same bytes, so retries share the key; two different
/// deliveries differ at least in their timestamp, so their keys differ. Shape C carries no
/// id, which is why the body digest exists.
pub fn idempotency_key(id: Option<&str>, body: &[u8]) -> String {
    match id {
        Some(id) => String::from(id),
        None => {
            let mut key = String::with_capacity(BODY_DIGEST_PREFIX.len() + 64);
            key.push_str(BODY_DIGEST_PREFIX);
            key.push_str(&hex::encode(Sha256::digest(body)));
            key
        }
    }
}
