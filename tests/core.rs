//! Behaviour of the core beyond the shared vectors: samples, helpers, messages, robustness.

use caspay_webhooks::sample::{sample_body, SampleOptions};
use caspay_webhooks::{
    canonical_json, motes_to_cspr, parse_event, sign, Category, ErrorCode, EventKind, Shape,
    Verifier, CONTENT_KEY_PREFIX,
};

const SHAPES: [Shape; 3] = [Shape::A, Shape::B, Shape::C];

#[test]
fn every_sample_parses_into_its_kind_with_details() {
    for &name in EventKind::TYPE_NAMES {
        for shape in SHAPES {
            let body = sample_body(name, shape, &SampleOptions::default()).unwrap();
            let event =
                parse_event(body.as_bytes()).unwrap_or_else(|e| panic!("{name} {shape:?}: {e}"));
            assert_eq!(event.event_type, name);
            assert_eq!(event.shape, shape);
            assert_ne!(event.kind, EventKind::Unknown);
            assert_eq!(
                event.payment.is_some(),
                event.category() == Category::Payment,
                "{name}"
            );
            assert_eq!(
                event.subscription.is_some(),
                event.category() == Category::Subscription,
                "{name}"
            );
            assert_eq!(event.created, Some(SampleOptions::default().created));
        }
    }
    assert_eq!(
        sample_body("refund.created", Shape::A, &SampleOptions::default()),
        None
    );
}

#[test]
fn idempotency_key_is_stable_per_delivery_and_distinct_between_deliveries() {
    let first = SampleOptions {
        seed: "one",
        created: 1_795_773_600,
    };
    let second = SampleOptions {
        seed: "one",
        created: 1_795_773_601,
    };
    let body = sample_body("payment.received", Shape::C, &first).unwrap();
    let retry = parse_event(body.as_bytes()).unwrap().idempotency_key;
    assert!(retry.starts_with(CONTENT_KEY_PREFIX));
    assert_eq!(parse_event(body.as_bytes()).unwrap().idempotency_key, retry);
    let other = sample_body("payment.received", Shape::C, &second).unwrap();
    assert_ne!(
        parse_event(other.as_bytes()).unwrap().idempotency_key,
        retry
    );
    let with_id = sample_body("payment.completed", Shape::A, &first).unwrap();
    assert_eq!(
        parse_event(with_id.as_bytes()).unwrap().idempotency_key,
        "evt_one"
    );
}

#[test]
fn motes_convert_to_exact_cspr() {
    for (motes, cspr) in [
        ("100000000000", Some("100")),
        ("1", Some("0.000000001")),
        ("0", Some("0")),
        ("000", Some("0")),
        ("1500000000", Some("1.5")),
        (
            "123456789012345678901234567890",
            Some("123456789012345678901.23456789"),
        ),
        ("1000000000", Some("1")),
        ("12.5", None),
        ("", None),
        ("-1", None),
    ] {
        assert_eq!(motes_to_cspr(motes).as_deref(), cspr, "{motes}");
    }
}

#[test]
fn invalid_json_reports_the_byte_position() {
    let error = parse_event(b"\xef\xbb\xbf{}").unwrap_err();
    assert_eq!(
        (error.code(), error.position()),
        (ErrorCode::InvalidJson, Some(0))
    );
    let error = parse_event(b"{\"type\":\"x\",\n \"data\": {,}}").unwrap_err();
    assert_eq!(error.position(), Some(23));
    assert!(
        error.message().contains("at byte 23"),
        "{}",
        error.message()
    );
}

/// The grammar is RFC 8259's, as strict as `JSON.parse` and `json_decode`: each body is
/// `{"type":"test.webhook","data":{"v":` + the value + `}}`.
#[test]
fn data_values_follow_the_json_grammar_exactly() {
    let valid = [
        "-0.5e+10",
        "0",
        "1E5",
        "1e-0",
        "123.456",
        "\"\\ud83d\\ude00\"",
        "\"\\u00e9\\/\\b\\f\\n\\r\\t\"",
        "[]",
        "[ 1 , [ ] , { } ]",
        "{\"\\u0061\":null}",
        "true",
        "false",
        "null",
        "\"é\"",
        "1e400",
    ];
    let invalid = [
        "01",
        "-",
        "1.",
        ".5",
        "1e",
        "1e+",
        "+1",
        "0x10",
        "NaN",
        "tru",
        "nul",
        "[1,]",
        "[,1]",
        "{\"a\":1,}",
        "{\"a\" 1}",
        "{a:1}",
        "{\"a\":}",
        "\"\x01\"",
        "\"\\u12\"",
        "\"\\q\"",
        "\"\\udc00\"",
        "\"\\ud800\\u0041\"",
        "'a'",
        "\"abc",
        "[1 2]",
        "\u{a0}1",
    ];
    let body = |value: &str| format!(r#"{{"type":"test.webhook","data":{{"v":{value}}}}}"#);
    for value in valid {
        let event = parse_event(body(value).as_bytes());
        assert!(event.is_ok(), "{value}: {event:?}");
    }
    for value in invalid {
        let error = parse_event(body(value).as_bytes()).unwrap_err();
        assert_eq!(error.code(), ErrorCode::InvalidJson, "{value}");
    }
}

#[test]
fn messages_teach_the_fix() {
    let verifier = Verifier::new(b"whsec_x").unwrap();
    let mismatch = verifier.verify(b"{}", "0".repeat(64)).unwrap_err();
    assert!(mismatch.message().contains("raw request body"));
    let test_button = verifier.verify(b"{}", "test_signature").unwrap_err();
    assert!(test_button.message().contains("test_signature"));
    let field = parse_event(br#"{"type":"payment.completed","data":{"payment":{"id":"p","amount":-1,"currency":"CSPR"}}}"#)
        .unwrap_err();
    assert!(
        field.message().contains("`data.payment.amount`"),
        "{}",
        field.message()
    );
}

#[test]
fn debug_output_never_shows_the_secret() {
    let verifier = Verifier::with_secrets(["whsec_supersecretvalue", "whsec_previous"]).unwrap();
    let debug = format!("{verifier:?}");
    assert!(
        !debug.contains("supersecret") && debug.contains("REDACTED"),
        "{debug}"
    );
}

#[test]
fn error_codes_are_stable() {
    let statuses: Vec<u16> = ErrorCode::ALL.iter().map(|c| c.http_status()).collect();
    assert_eq!(
        statuses,
        [401, 401, 401, 500, 413, 400, 400, 400, 200, 500, 500, 500, 409, 503, 415, 409]
    );
    let codes: Vec<(&str, u32)> = ErrorCode::ALL
        .iter()
        .map(|c| (c.as_str(), c.number()))
        .collect();
    assert_eq!(
        codes,
        [
            ("missing_signature", 1),
            ("invalid_signature_format", 2),
            ("signature_mismatch", 3),
            ("invalid_secret", 4),
            ("payload_too_large", 5),
            ("invalid_json", 6),
            ("invalid_event", 7),
            ("timestamp_outside_tolerance", 8),
            ("duplicate_event", 9),
            ("invalid_payload", 10),
            ("internal_error", 11),
            ("processing_failed", 12),
            ("processing_in_progress", 13),
            ("store_unavailable", 14),
            ("unsupported_encoding", 15),
            ("retry_scheduled", 16),
        ]
    );
    assert_eq!(
        ErrorCode::from_str_code("invalid_json"),
        Some(ErrorCode::InvalidJson)
    );
}

/// Every truncation and thousands of byte mutations of real bodies give a result, never a
/// panic; and no mutated body is accepted under the original signature.
#[test]
fn mutated_bodies_never_panic_nor_verify() {
    let secret = b"whsec_Kq8sT2vXw9yZ3bC5dF7gH1jL4mN6pR0t";
    let verifier = Verifier::new(secret).unwrap();
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for &name in EventKind::TYPE_NAMES {
        for shape in SHAPES {
            let body = sample_body(name, shape, &SampleOptions::default())
                .unwrap()
                .into_bytes();
            let signature = sign(&body, secret).unwrap();
            for cut in 0..body.len() {
                let _ = parse_event(&body[..cut]);
            }
            for _ in 0..200 {
                let mut mutated = body.clone();
                let at = (next() as usize) % mutated.len();
                mutated[at] = next() as u8;
                if mutated != body {
                    assert!(verifier.verify(&mutated, &signature).is_err());
                }
                let _ = parse_event(&mutated);
            }
        }
    }
}

/// Escapes are where a scanner can step past the end: every truncation and every
/// single-byte change of a body full of them gives a result, never a panic.
#[test]
fn bodies_with_escapes_never_panic_whatever_their_bytes() {
    let body = br#"{"id":"evt_\u0031","type":"test.webhook","data":{"note":"caf\u00e9 \ud83d\ude80 \"q\" \\ end","amount":1}}"#;
    assert!(parse_event(body).is_ok());
    for cut in 0..body.len() {
        let _ = parse_event(&body[..cut]);
    }
    for at in 0..body.len() {
        for byte in 0..=255u8 {
            let mut mutated = body.to_vec();
            mutated[at] = byte;
            let _ = parse_event(&mutated);
        }
    }
}

/// A host may raise the nesting limit, but never past MAX_DEPTH_LIMIT: the walks over the
/// body (the content key's among them) stay within a small stack whatever it asks for.
#[test]
fn nesting_is_capped_whatever_limit_is_asked_for() {
    use caspay_webhooks::{parse_event_with, ParseOptions, MAX_DEPTH_LIMIT};
    let body = |levels: usize| {
        let inner = "[".repeat(levels - 2) + &"]".repeat(levels - 2);
        format!(r#"{{"type":"test.webhook","data":{inner}}}"#).replace(":[", ":{\"x\":[") + "}"
    };
    let mut options = ParseOptions::default();
    options.limits.max_depth = 100_000;
    assert_eq!(options.limits.depth(), MAX_DEPTH_LIMIT);
    let at_limit = body(MAX_DEPTH_LIMIT);
    let event = parse_event_with(at_limit.as_bytes(), &options).unwrap();
    assert!(event.idempotency_key.starts_with("sha256:"));
    for levels in [MAX_DEPTH_LIMIT + 1, 2045, 100_000] {
        let error = parse_event_with(body(levels).as_bytes(), &options).unwrap_err();
        assert_eq!(error.code(), ErrorCode::InvalidJson, "{levels}");
    }
}

#[test]
fn canonical_form_keeps_the_last_of_repeated_keys_in_any_member_order() {
    // 60 keys, each sent three times, interleaved (more members than a small-sort run).
    let mut members = Vec::new();
    for round in 0..3 {
        for key in 0..60 {
            let key = (key * 37 + round * 11) % 60;
            members.push(format!("\"k{key:02}\":\"r{round}\""));
        }
    }
    let body = format!("{{{}}}", members.join(","));
    let expected = (0..60)
        .map(|key| format!("\"k{key:02}\":\"r2\""))
        .collect::<Vec<_>>()
        .join(",");
    assert_eq!(
        String::from_utf8(canonical_json(body.as_bytes()).unwrap()).unwrap(),
        format!("{{{expected}}}")
    );
}
