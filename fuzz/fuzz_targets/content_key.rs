//! `canonical_json`, the form content keys are the SHA-256 of:
//! - it accepts exactly the JSON objects within the limits (the independent reader);
//! - it equals the canonical form written from the contract (`caspay_fuzz::spec`);
//! - it is idempotent: canonical_json(canonical_json(x)) == canonical_json(x);
//! - it does not change when the same object is re-serialized with its members shuffled
//!   (a repeated key placed before the one that wins), whitespace, other escapes and other
//!   number spellings.
#![no_main]

use caspay_fuzz::json::{self, Freedoms, Value};
use caspay_fuzz::{spec, Rng};
use caspay_webhooks::{canonical_json, DEFAULT_MAX_PAYLOAD_BYTES};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|body: &[u8]| {
    let result = canonical_json(body);
    let oracle = json::parse(body);
    let accepted =
        body.len() <= DEFAULT_MAX_PAYLOAD_BYTES && matches!(oracle, Some(Value::Object(_)));
    assert_eq!(
        result.is_ok(),
        accepted,
        "canonical_json {:?}, contract {}",
        result.as_ref().err(),
        if accepted { "accepts" } else { "refuses" }
    );
    let (Ok(canonical), Some(value)) = (result, oracle) else {
        return;
    };
    let text = String::from_utf8(canonical.clone()).expect("UTF-8");
    assert_eq!(
        text,
        spec::canonical(&value),
        "the contract's canonical form"
    );

    if canonical.len() <= DEFAULT_MAX_PAYLOAD_BYTES {
        assert_eq!(
            canonical_json(&canonical).as_deref(),
            Ok(&canonical[..]),
            "idempotent"
        );
    }

    let mut rng = Rng::from_bytes(body);
    for round in 0..4 {
        let freedoms = Freedoms {
            reorder: true,
            whitespace: round != 0,
            escapes: round >= 2,
            respell: round >= 1,
            decoys: round == 3,
        };
        let copy = json::write(&value, freedoms, &mut rng);
        if copy.len() > DEFAULT_MAX_PAYLOAD_BYTES {
            continue;
        }
        let again = canonical_json(copy.as_bytes())
            .unwrap_or_else(|e| panic!("re-serialized copy refused: {e:?}\n{copy}"));
        assert_eq!(
            String::from_utf8_lossy(&again),
            text,
            "same content, other bytes: {copy}"
        );
    }
});
