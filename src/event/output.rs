//! The normalized event as JSON: the one representation every host receives (the npm
//! package, the plain ABI, the WordPress plugin), so they cannot drift apart.

use alloc::vec::Vec;

use serde::ser::{SerializeStruct, Serializer};
use serde::Serialize;
use serde_json::Value;

use super::Event;

/// The normalized event as JSON text: camelCase keys, absent fields as `null`, amounts as
/// exact decimal strings (also inside `data`, so no host ever reads an amount as a float).
///
/// ```
/// let event = caspay_webhooks::parse_event(br#"{"event":"payment.received","data":{"payment_id":"pay_1","amount":123456789012345678901,"currency":"CSPR"},"timestamp":"2026-11-27T10:00:00.000Z"}"#).unwrap();
/// let json = String::from_utf8(caspay_webhooks::to_json(&event)).unwrap();
/// assert!(json.contains(r#""amount":"123456789012345678901""#));
/// ```
pub fn to_json(event: &Event) -> Vec<u8> {
    // Serializing owned strings, booleans and exact numbers into a Vec cannot fail.
    serde_json::to_vec(event).unwrap_or_default()
}

impl Serialize for Event {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("Event", 12)?;
        s.serialize_field("id", &self.id)?;
        s.serialize_field("type", &self.event_type)?;
        s.serialize_field("kind", &self.kind)?;
        s.serialize_field("category", &self.kind.category())?;
        s.serialize_field("shape", &self.shape)?;
        s.serialize_field("created", &self.created)?;
        s.serialize_field("merchantId", &self.merchant_id)?;
        s.serialize_field("livemode", &self.livemode)?;
        s.serialize_field("idempotencyKey", &self.idempotency_key)?;
        s.serialize_field("payment", &self.payment)?;
        s.serialize_field("subscription", &self.subscription)?;
        s.serialize_field(
            "data",
            &ExactAmounts {
                value: &self.data,
                is_amount: false,
            },
        )?;
        s.end()
    }
}

/// Writes a JSON value as sent, except that numbers under amount keys become strings.
struct ExactAmounts<'a> {
    value: &'a Value,
    is_amount: bool,
}

fn is_amount_key(key: &str) -> bool {
    key == "amount" || key.ends_with("_amount") || key.ends_with("Amount")
}

impl Serialize for ExactAmounts<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.value {
            Value::Number(n) if self.is_amount => serializer.serialize_str(n.as_str()),
            Value::Array(items) => serializer.collect_seq(items.iter().map(|value| ExactAmounts {
                value,
                is_amount: false,
            })),
            Value::Object(map) => serializer.collect_map(map.iter().map(|(key, value)| {
                (
                    key,
                    ExactAmounts {
                        value,
                        is_amount: is_amount_key(key),
                    },
                )
            })),
            other => other.serialize(serializer),
        }
    }
}
