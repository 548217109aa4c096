//! HMAC-SHA256 signatures over the raw body, as CasPay computes them.
//!
//! The key is the endpoint secret's bytes used verbatim (the `whsec_` prefix included,
//! nothing base64-decoded). The signature header carries lowercase hex.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::error::{Error, ErrorCode};

type HmacSha256 = Hmac<Sha256>;

/// The header CasPay puts the signature in.
pub const SIGNATURE_HEADER: &str = "X-CasPay-Signature";
/// The header naming the event type (informational, not signed).
pub const EVENT_HEADER: &str = "X-CasPay-Event";
/// The header with the delivery time (ISO-8601). It is NOT signed: never trust it alone.
pub const TIMESTAMP_HEADER: &str = "X-CasPay-Timestamp";
/// The prefix some senders and proxies put before the hex digest.
pub const SIGNATURE_PREFIX: &str = "sha256=";
/// Length of an HMAC-SHA256 digest in bytes.
pub const DIGEST_LEN: usize = 32;

/// Parses a signature header value into the 32 digest bytes.
///
/// Accepts exactly 64 hex characters in either case, optionally prefixed with `sha256=`,
/// surrounded by optional whitespace. Anything else (the dashboard's `test_signature`,
/// truncated or odd-length digests, non-hex) is `invalid_signature_format`; an empty or
/// all-whitespace value is `missing_signature`.
pub fn parse_signature(header: &[u8]) -> Result<[u8; DIGEST_LEN], Error> {
    let trimmed = header.trim_ascii();
    if trimmed.is_empty() {
        return Err(Error::new(ErrorCode::MissingSignature));
    }
    let digits = trimmed
        .strip_prefix(SIGNATURE_PREFIX.as_bytes())
        .unwrap_or(trimmed);
    let mut digest = [0u8; DIGEST_LEN];
    if digits.len() != 2 * DIGEST_LEN || hex::decode_to_slice(digits, &mut digest).is_err() {
        return Err(Error::new(ErrorCode::InvalidSignatureFormat));
    }
    Ok(digest)
}

/// Signs `body` with `secret` and returns the lowercase hex digest CasPay would send.
///
/// ```
/// let sig = caspay_webhooks::sign(b"{}", b"whsec_test").unwrap();
/// assert_eq!(sig.len(), 64);
/// assert!(caspay_webhooks::verify(b"{}", &sig, b"whsec_test").is_ok());
/// ```
pub fn sign(body: &[u8], secret: &[u8]) -> Result<String, Error> {
    Ok(hex::encode(KeyedSecret::new(secret)?.digest(body)))
}

/// Verifies one delivery against one secret.
///
/// For a receiver that verifies many deliveries, build a [`Verifier`] once instead: it
/// keeps the keyed HMAC state and saves the key schedule on every call.
pub fn verify(body: &[u8], signature: impl AsRef<[u8]>, secret: &[u8]) -> Result<(), Error> {
    Verifier::new(secret)?.verify(body, signature).map(|_| ())
}

/// One secret with its HMAC key schedule already computed.
#[derive(Clone)]
struct KeyedSecret {
    state: HmacSha256,
}

impl KeyedSecret {
    fn new(secret: &[u8]) -> Result<Self, Error> {
        if secret.is_empty() {
            return Err(Error::new(ErrorCode::InvalidSecret));
        }
        // HMAC accepts keys of any length, so this cannot fail once the key is non-empty.
        let state =
            HmacSha256::new_from_slice(secret).map_err(|_| Error::new(ErrorCode::InvalidSecret))?;
        Ok(KeyedSecret { state })
    }

    fn digest(&self, body: &[u8]) -> [u8; DIGEST_LEN] {
        let mut mac = self.state.clone();
        mac.update(body);
        mac.finalize().into_bytes().into()
    }

    /// Constant-time comparison through `hmac`'s `verify_slice` (backed by `subtle`).
    fn matches(&self, body: &[u8], expected: &[u8; DIGEST_LEN]) -> bool {
        let mut mac = self.state.clone();
        mac.update(body);
        mac.verify_slice(expected).is_ok()
    }
}

/// A reusable verifier bound to one or more secrets.
///
/// Each secret's keyed HMAC state is computed once, here; [`Verifier::verify`] only clones
/// that state and hashes the body. Several secrets serve rotation: a delivery is accepted
/// if any of them matches, and the index of the matching secret is returned.
///
/// ```
/// use caspay_webhooks::{sign, Verifier};
///
/// let body = br#"{"id":"evt_1","type":"payment.completed","data":{}}"#;
/// let verifier = Verifier::with_secrets([&b"whsec_new"[..], &b"whsec_old"[..]]).unwrap();
/// let signature = sign(body, b"whsec_old").unwrap();
/// assert_eq!(verifier.verify(body, &signature).unwrap(), 1);
/// ```
#[derive(Clone)]
pub struct Verifier {
    secrets: Vec<KeyedSecret>,
}

impl Verifier {
    /// A verifier for a single secret (text secrets: pass `secret.as_bytes()`).
    pub fn new(secret: &[u8]) -> Result<Self, Error> {
        Self::with_secrets([secret])
    }

    /// A verifier accepting any of `secrets`, tried in order.
    pub fn with_secrets<I, S>(secrets: I) -> Result<Self, Error>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<[u8]>,
    {
        let secrets = secrets
            .into_iter()
            .map(|s| KeyedSecret::new(s.as_ref()))
            .collect::<Result<Vec<_>, _>>()?;
        if secrets.is_empty() {
            return Err(Error::new(ErrorCode::InvalidSecret));
        }
        Ok(Verifier { secrets })
    }

    /// Adds a secret (for example the previous one during a rotation).
    pub fn add_secret(&mut self, secret: &[u8]) -> Result<(), Error> {
        self.secrets.push(KeyedSecret::new(secret)?);
        Ok(())
    }

    /// How many secrets this verifier accepts.
    pub fn secret_count(&self) -> usize {
        self.secrets.len()
    }

    /// Checks the signature header value against the raw body.
    ///
    /// Returns the index of the secret that matched, or `missing_signature`,
    /// `invalid_signature_format` or `signature_mismatch`.
    pub fn verify(&self, body: &[u8], signature: impl AsRef<[u8]>) -> Result<usize, Error> {
        let expected = parse_signature(signature.as_ref())?;
        self.secrets
            .iter()
            .position(|secret| secret.matches(body, &expected))
            .ok_or(Error::new(ErrorCode::SignatureMismatch))
    }

    /// Signs `body` with the first (current) secret and returns the raw digest.
    pub fn sign_digest(&self, body: &[u8]) -> [u8; DIGEST_LEN] {
        self.secrets[0].digest(body)
    }
}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verifier")
            .field(
                "secrets",
                &format_args!("[REDACTED; {}]", self.secrets.len()),
            )
            .finish()
    }
}
