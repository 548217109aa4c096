//! The normalized event as JSON: the one representation every host receives (the npm
//! package, the plain ABI, the WordPress plugin), so they cannot drift apart.

use alloc::vec::Vec;

use serde::ser::{SerializeStruct, Serializer};
use serde::Serialize;

use super::Event;
use crate::json::write_with_exact_amounts;

/// The normalized event as JSON text: camelCase keys, absent fields as `null`, amounts as
/// exact decimal strings (also inside `data`, so no host ever reads an amount as a float).
///
/// ```
/// let event = caspay_webhooks::parse_event(br#"{"event":"payment.received","data":{"payment_id":"pay_1","amount":123456789012345678901,"currency":"CSPR"},"timestamp":"2026-11-27T10:00:00.000Z"}"#).unwrap();
/// let json = String::from_utf8(caspay_webhooks::to_json(&event)).unwrap();
/// assert!(json.contains(r#""amount":"123456789012345678901""#));
/// ```
pub fn to_json(event: &Event) -> Vec<u8> {
    let data = event.data.get();
    // Serializing owned strings and numbers cannot fail.
    let mut out = serde_json::to_vec(&Normalized(event)).unwrap_or_default();
    // `data` is appended as text: it was validated when parsed, and going through
    // RawValue would validate it a second time.
    out.pop();
    out.reserve(data.len() + 32);
    out.extend_from_slice(b",\"data\":");
    write_with_exact_amounts(data, &mut out);
    out.push(b'}');
    out
}

/// Every field of the normalized event but `data`, which `to_json` appends.
struct Normalized<'a>(&'a Event);

impl Serialize for Normalized<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let event = self.0;
        let mut s = serializer.serialize_struct("Event", 11)?;
        s.serialize_field("id", &event.id)?;
        s.serialize_field("type", &event.event_type)?;
        s.serialize_field("kind", &event.kind)?;
        s.serialize_field("category", &event.kind.category())?;
        s.serialize_field("shape", &event.shape)?;
        s.serialize_field("created", &event.created)?;
        s.serialize_field("merchantId", &event.merchant_id)?;
        s.serialize_field("livemode", &event.livemode)?;
        s.serialize_field("idempotencyKey", &event.idempotency_key)?;
        s.serialize_field("payment", &event.payment)?;
        s.serialize_field("subscription", &event.subscription)?;
        s.end()
    }
}
