//! `parse_event_with` on arbitrary bytes. Beyond "never panics":
//! - the core accepts a body exactly when it is a JSON object within the limits (checked
//!   against the independent reader in `caspay_fuzz::json`);
//! - an accepted event's `to_json` is valid JSON with the contract's keys, deterministic;
//! - its idempotency key is the id, or `sha256:` + SHA-256 of the canonical form (computed
//!   here from the contract), and it survives a re-serialization (key order, whitespace,
//!   escapes), as does the whole event;
//! - amounts: grammar, unit and exact motes as the contract computes them.
#![no_main]

use caspay_fuzz::json::{self, Freedoms, Value};
use caspay_fuzz::{code, spec, Rng};
use caspay_webhooks::{parse_event_with, to_json, ParseOptions, DEFAULT_MAX_PAYLOAD_BYTES};
use libfuzzer_sys::fuzz_target;
use sha2::{Digest, Sha256};

const KEYS: [&str; 12] = [
    "id",
    "type",
    "kind",
    "category",
    "shape",
    "created",
    "merchantId",
    "livemode",
    "idempotencyKey",
    "payment",
    "subscription",
    "data",
];

fuzz_target!(|body: &[u8]| {
    let options = ParseOptions::default();
    let result = parse_event_with(body, &options);
    let oracle = json::parse(body);
    let is_object = matches!(oracle, Some(Value::Object(_)));

    match (&result, body.len() > DEFAULT_MAX_PAYLOAD_BYTES) {
        (_, true) => assert_eq!(code(&result), "payload_too_large"),
        (Err(e), false) if e.code().as_str() == "invalid_json" => {
            assert!(
                oracle.is_none(),
                "valid JSON refused as invalid_json: {e:?}"
            )
        }
        (Err(e), false) if e.code().as_str() == "invalid_event" && e.field().is_none() => {
            assert!(
                oracle.is_some() && !is_object,
                "only non-object JSON is an event error without a field: {e:?}"
            )
        }
        (_, false) => assert!(
            is_object,
            "accepted or read as an object: {:?}",
            code(&result)
        ),
    }
    let Ok(event) = result else { return };
    let value = oracle.expect("accepted, so valid JSON");

    let out = to_json(&event);
    assert_eq!(
        out,
        to_json(&parse_event_with(body, &options).unwrap()),
        "deterministic"
    );
    // Validity by the grammar, not by serde_json: its default float parsing refuses numbers
    // that round to f64::MAX, which the contract keeps as JSON numbers.
    let json = json::parse_nested(&out, 2 * json::MAX_DEPTH).expect("to_json writes valid JSON");
    let Value::Object(members) = &json else {
        panic!("to_json writes an object")
    };
    let mut keys: Vec<&str> = members.iter().map(|(k, _)| k.as_str()).collect();
    keys.sort_unstable();
    let mut want = KEYS.to_vec();
    want.sort_unstable();
    assert_eq!(keys, want, "the contract's keys, each once");

    // The idempotency key: the id, or the digest of the canonical form.
    let key = json.get("idempotencyKey").and_then(Value::as_str).unwrap();
    match json.get("id") {
        Some(Value::String(id)) => assert_eq!(key, id),
        Some(Value::Null) => {
            let canonical = spec::canonical(&value);
            let digest = hex::encode(Sha256::digest(canonical.as_bytes()));
            assert_eq!(
                key,
                format!("sha256:{digest}"),
                "canonical form {canonical}"
            );
        }
        other => panic!("id is {other:?}"),
    }

    check_amounts(&json, &value);

    // The same event re-serialized (as a proxy or CasPay's re-send would) is the same event.
    let mut rng = Rng::from_bytes(body);
    let freedoms = Freedoms {
        reorder: true,
        whitespace: true,
        escapes: true,
        respell: false,
        decoys: false,
    };
    let again = json::write(&value, freedoms, &mut rng);
    if again.len() <= DEFAULT_MAX_PAYLOAD_BYTES {
        let reparsed = parse_event_with(again.as_bytes(), &options)
            .unwrap_or_else(|e| panic!("re-serialized body refused: {e:?}\n{again}"));
        let reparsed = json::parse_nested(&to_json(&reparsed), 2 * json::MAX_DEPTH).unwrap();
        assert_eq!(
            spec::canonical(&reparsed),
            spec::canonical(&json),
            "re-serialized as {again}"
        );
    }
});

/// `payment.amount` / `subscription.amount`: the exact text, the unit from the currency
/// and shape, and the motes as the contract computes them.
fn check_amounts(event: &Value, body: &Value) {
    let shape = event.get("shape").and_then(Value::as_str).unwrap();
    for detail in ["payment", "subscription"] {
        let Some(details) = event.get(detail).filter(|d| **d != Value::Null) else {
            continue;
        };
        let Some(amount) = details.get("amount").filter(|a| **a != Value::Null) else {
            continue;
        };
        let text = |key: &str| amount.get(key).and_then(Value::as_str);
        let value = text("value").expect("amount value is text");
        let data = body.get("data").unwrap();
        let sent = match shape {
            "a" => data.get(detail),
            "b" => data.get("object"),
            _ => Some(data),
        };
        let sent = sent.and_then(|d| d.get("amount")).expect("sent amount");
        assert_eq!(spec::amount_text(sent), Some(value), "the amount as sent");
        let currency = details
            .get("currency")
            .and_then(Value::as_str)
            .unwrap_or("");
        let unit = match (currency.eq_ignore_ascii_case("CSPR"), shape) {
            (false, _) => "unknown",
            (true, "c") => "cspr",
            (true, _) => "motes",
        };
        assert_eq!(text("unit"), Some(unit), "{detail} unit");
        let motes = match unit {
            "motes" => spec::motes(value, 0),
            "cspr" => spec::motes(value, 9),
            _ => None,
        };
        match motes {
            Some(motes) => assert_eq!(text("motes"), Some(motes.as_str()), "{value}"),
            None => assert!(
                unit == "unknown" && amount.get("motes") == Some(&Value::Null),
                "{value} {unit} is not a whole number of motes, yet accepted: {amount:?}"
            ),
        }
    }
}
