//! `construct_event` with a fixed verifier (two secrets, as during a rotation).
//!
//! Input: one control byte, then the body. The control byte picks the signature (most
//! inputs get a valid one, computed here, so the parser behind the signature is reached)
//! and the options. The result must be exactly the contract's order of checks: size, then
//! signature, then `parse_event_with`.
#![no_main]

use caspay_fuzz::code;
use caspay_webhooks::{
    construct_event, parse_event_with, sign, to_json, Freshness, ParseOptions, Verifier,
};
use libfuzzer_sys::fuzz_target;

const CURRENT: &[u8] = b"whsec_Kq8sT2vXw9yZ3bC5dF7gH1jL4mN6pR0t";
const PREVIOUS: &[u8] = b"whsec_previous0000000000000000000000";

fuzz_target!(|data: &[u8]| {
    let Some((&control, body)) = data.split_first() else {
        return;
    };
    let verifier = Verifier::with_secrets([CURRENT, PREVIOUS]).unwrap();

    let good = sign(body, CURRENT).unwrap();
    let signature: Vec<u8> = match control & 0x0f {
        0..=5 => good.clone().into_bytes(),
        6 => sign(body, PREVIOUS).unwrap().into_bytes(),
        7 => good.to_uppercase().into_bytes(),
        8 => format!(" sha256={good}\t").into_bytes(),
        9 => sign(body, b"whsec_someone_else").unwrap().into_bytes(),
        10 => b"test_signature".to_vec(),
        11 => good.as_bytes()[..63].to_vec(),
        12 => Vec::new(),
        // The body's first bytes as the header, the rest as the body.
        _ => body.iter().take(80).copied().collect(),
    };

    let mut options = ParseOptions::default();
    match control >> 4 {
        1 => options.limits.max_payload_bytes = 64,
        2 => options.limits.max_depth = 3,
        3 => {
            options.freshness = Some(Freshness {
                tolerance_seconds: 300,
                now: 1_795_773_600,
            })
        }
        _ => {}
    }

    let result = construct_event(body, &signature, &verifier, &options);

    let mode = control & 0x0f;
    let expected = options
        .limits
        .check_size(body)
        .and_then(|()| verifier.verify(body, &signature));
    match expected {
        Err(e) => assert_eq!(code(&result), e.code().as_str(), "size, then signature"),
        Ok(index) => {
            // Modes 0-8 are signed by a secret of the verifier; nothing else may pass.
            assert!(mode <= 8, "accepted a signature no secret made");
            assert_eq!(index, usize::from(mode == 6), "the secret that signed");
            let parsed = parse_event_with(body, &options);
            assert_eq!(code(&result), code(&parsed), "then the parser");
            if let (Ok(a), Ok(b)) = (&result, &parsed) {
                assert_eq!(to_json(a), to_json(b));
            }
        }
    }
});
