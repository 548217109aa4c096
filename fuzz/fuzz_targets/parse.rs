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
use serde_json::Value as Json;
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
    let json: Json = serde_json::from_slice(&out).expect("to_json writes valid JSON");
    let object = json.as_object().expect("an object");
    let mut keys: Vec<&str> = object.keys().map(String::as_str).collect();
    keys.sort_unstable();
    let mut want = KEYS.to_vec();
    want.sort_unstable();
    assert_eq!(keys, want, "the contract's keys");

    // The idempotency key: the id, or the digest of the canonical form.
    let key = json["idempotencyKey"].as_str().unwrap();
    match json["id"].as_str() {
        Some(id) => assert_eq!(key, id),
        None => {
            let canonical = spec::canonical(&value);
            let digest = hex::encode(Sha256::digest(canonical.as_bytes()));
            assert_eq!(
                key,
                format!("sha256:{digest}"),
                "canonical form {canonical}"
            );
        }
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
        let reparsed: Json = serde_json::from_slice(&to_json(&reparsed)).unwrap();
        assert_eq!(reparsed, json, "re-serialized as {again}");
    }
});

/// `payment.amount` / `subscription.amount`: the exact text, the unit from the currency
/// and shape, and the motes as the contract computes them.
fn check_amounts(event: &Json, body: &Value) {
    let shape = event["shape"].as_str().unwrap();
    for detail in ["payment", "subscription"] {
        let Some(amount) = event[detail].get("amount").filter(|a| !a.is_null()) else {
            continue;
        };
        let value = amount["value"].as_str().expect("amount value is text");
        let data = body.get("data").unwrap();
        let details = match shape {
            "a" => data.get(detail),
            "b" => data.get("object"),
            _ => Some(data),
        };
        let sent = details.and_then(|d| d.get("amount")).expect("sent amount");
        assert_eq!(spec::amount_text(sent), Some(value), "the amount as sent");
        let currency = event[detail]["currency"].as_str().unwrap_or("");
        let unit = match (currency.eq_ignore_ascii_case("CSPR"), shape) {
            (false, _) => "unknown",
            (true, "c") => "cspr",
            (true, _) => "motes",
        };
        assert_eq!(amount["unit"], unit, "{detail} unit");
        let motes = match unit {
            "motes" => spec::motes(value, 0),
            "cspr" => spec::motes(value, 9),
            _ => None,
        };
        match motes {
            Some(motes) => assert_eq!(amount["motes"], Json::String(motes), "{value}"),
            None => assert!(
                unit == "unknown" && amount["motes"].is_null(),
                "{value} {unit} is not a whole number of motes, yet accepted: {amount}"
            ),
        }
    }
}
