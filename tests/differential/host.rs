//! The differential fuzzer's native host: the Rust core itself, run over the cases the
//! driver (tests/differential/run.mjs) generated. Reads the cases as JSON on stdin, writes
//! one outcome per case as JSON on stdout, in the shape every other host reports.

use std::io::{Read, Write};

use caspay_webhooks::{
    construct_event, parse_event_with, to_json, Freshness, ParseOptions, Verifier,
};
use serde_json::{json, Value};

fn options(spec: &Value) -> ParseOptions {
    let mut options = ParseOptions::default();
    if let Some(max) = spec.get("maxPayloadBytes").and_then(Value::as_u64) {
        options.limits.max_payload_bytes = max as usize;
    }
    if let (Some(tolerance), Some(now)) = (
        spec.get("toleranceSeconds").and_then(Value::as_u64),
        spec.get("now").and_then(Value::as_u64),
    ) {
        options.freshness = Some(Freshness {
            tolerance_seconds: tolerance,
            now,
        });
    }
    options
}

fn outcome(result: Result<caspay_webhooks::Event, caspay_webhooks::Error>) -> Value {
    match result {
        Ok(event) => {
            json!({ "event": serde_json::from_slice::<Value>(&to_json(&event)).expect("the core writes JSON") })
        }
        Err(error) => json!({ "code": error.code().as_str(), "field": error.field() }),
    }
}

fn main() {
    let mut input = String::new();
    std::io::stdin()
        .read_to_string(&mut input)
        .expect("cases on stdin");
    let cases: Vec<Value> = serde_json::from_str(&input).expect("cases are JSON");
    let outcomes: Vec<Value> = cases
        .iter()
        .map(|case| {
            let body = hex::decode(case["body"].as_str().expect("hex body")).expect("hex body");
            let options = options(&case["options"]);
            let secrets: Vec<&str> = case["secrets"]
                .as_array()
                .expect("secrets")
                .iter()
                .map(|s| s.as_str().expect("text secret"))
                .collect();
            let verifier = Verifier::with_secrets(secrets.iter().map(|s| s.as_bytes()))
                .expect("non-empty secrets");
            let signature = case["signature"].as_str().unwrap_or("");
            json!({
                "construct": outcome(construct_event(&body, signature, &verifier, &options)),
                "parse": outcome(parse_event_with(&body, &options)),
            })
        })
        .collect();
    let mut out = std::io::stdout().lock();
    serde_json::to_writer(&mut out, &outcomes).expect("stdout");
    out.write_all(b"\n").expect("stdout");
}
