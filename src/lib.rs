//! # caspay-webhooks
//!
//! Verify and parse CasPay webhooks: HMAC-SHA256 over the raw body, checked in constant
//! time, and one normalized event model for the three body shapes CasPay sends, with
//! amounts kept exact. The same core runs natively, in the npm package (WebAssembly), and
//! in the WordPress plugin (WebAssembly through Wasmtime), so every host gives the same
//! answer for the same bytes.
//!
//! ```
//! use caspay_webhooks::{construct_event, sign, ParseOptions, Verifier};
//!
//! let secret = b"whsec_0123456789abcdefABCDEF0123456789";
//! let body = br#"{"id":"evt_1","type":"payment.completed","created":1640000000,"data":{"payment":{"id":"pay_1","amount":100000000000,"currency":"CSPR"}}}"#;
//! let signature = sign(body, secret).unwrap(); // what CasPay sends in X-CasPay-Signature
//!
//! // Build once per secret (or secrets, during a rotation); reuse for every delivery.
//! let verifier = Verifier::new(secret).unwrap();
//! let event = construct_event(body, &signature, &verifier, &ParseOptions::default()).unwrap();
//! assert_eq!(event.payment.unwrap().amount.as_str(), "100000000000");
//! ```
//!
//! Features: `std` (default), `cli` (the `caspay-webhooks` command-line tool), `js`
//! (wasm-bindgen exports for the npm package) and `abi` (plain exports for any WebAssembly
//! runtime, see `src/host/ABI.md`). Without default features the crate is `no_std` + `alloc`.

#![cfg_attr(not(feature = "std"), no_std)]
#![deny(unsafe_code)]
#![warn(missing_docs)]

extern crate alloc;

mod amount;
mod canonical;
mod decimal;
mod error;
mod event;
mod idempotency;
mod json;
mod limits;
pub mod sample;
mod signature;
pub mod timestamp;

#[cfg(any(feature = "js", feature = "abi"))]
mod host;

pub use amount::{motes_to_cspr, Amount, AmountUnit, MOTES_PER_CSPR_DIGITS};
pub use error::{Error, ErrorCode};
pub use event::{
    parse_event, parse_event_with, to_json, Category, Event, EventKind, Freshness, ParseOptions,
    PaymentDetails, Shape, SubscriptionDetails,
};
pub use idempotency::{canonical_json, CONTENT_KEY_PREFIX};
pub use json::RawJson;
pub use limits::{Limits, DEFAULT_MAX_DEPTH, DEFAULT_MAX_PAYLOAD_BYTES, MAX_DEPTH_LIMIT};
pub use signature::{
    parse_signature, sign, verify, Verifier, DIGEST_LEN, EVENT_HEADER, SIGNATURE_HEADER,
    SIGNATURE_PREFIX, TIMESTAMP_HEADER,
};

/// Verifies the signature, then parses the event: the one call a receiver needs.
///
/// The order is fixed and shared by every host: body size, then signature, then JSON,
/// then the event, then freshness. Nothing is parsed before the signature is valid.
pub fn construct_event(
    body: &[u8],
    signature: impl AsRef<[u8]>,
    verifier: &Verifier,
    options: &ParseOptions,
) -> Result<Event, Error> {
    options.limits.check_size(body)?;
    verifier.verify(body, signature)?;
    parse_event_with(body, options)
}
