//! The shared vectors, run against the native core. Every other host runs the same files.

mod common;

use caspay_webhooks::{construct_event, parse_event_with, sign, to_json, verify, Verifier};
use serde_json::Value;

#[test]
fn signature_vectors() {
    for case in common::load("signature.json") {
        let name = case["name"].as_str().unwrap();
        let body = common::bytes(&case["body"]);
        let secret = common::bytes(&case["secret"]);
        let signature = case["signature"].as_str().unwrap_or("");
        let expected = case["expected"].as_str().unwrap();
        match verify(&body, signature, &secret) {
            Ok(()) => assert_eq!(expected, "valid", "{name}"),
            Err(e) => assert_eq!(e.code().as_str(), expected, "{name}"),
        }
        if let Some(digest) = case.get("digest") {
            assert_eq!(
                sign(&body, &secret).unwrap(),
                digest.as_str().unwrap(),
                "{name}"
            );
        }
    }
}

#[test]
fn parse_vectors() {
    for case in common::load("parse.json") {
        let name = case["name"].as_str().unwrap();
        let body = common::bytes(&case["body"]);
        let result = parse_event_with(&body, &common::options(&case));
        match (&result, case["expected"].get("event")) {
            (Ok(event), Some(expected)) => {
                let produced: Value = serde_json::from_slice(&to_json(event)).unwrap();
                assert_eq!(&produced, expected, "{name}");
            }
            (Err(error), None) => common::assert_error(name, error, &case["expected"]["error"]),
            _ => panic!("{name}: got {result:?}, expected {}", case["expected"]),
        }
    }
}

#[test]
fn construct_vectors() {
    for case in common::load("construct.json") {
        let name = case["name"].as_str().unwrap();
        let body = common::bytes(&case["body"]);
        let secrets: Vec<&str> = case["secrets"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap())
            .collect();
        let verifier = Verifier::with_secrets(secrets.iter().map(|s| s.as_bytes())).unwrap();
        let signature = case["signature"].as_str().unwrap();
        let result = construct_event(&body, signature, &verifier, &common::options(&case));
        match case["expected"].get("secretIndex") {
            Some(index) => {
                assert!(result.is_ok(), "{name}: {result:?}");
                assert_eq!(
                    verifier.verify(&body, signature).unwrap() as u64,
                    index.as_u64().unwrap(),
                    "{name}"
                );
            }
            None => common::assert_error(name, &result.unwrap_err(), &case["expected"]["error"]),
        }
    }
}
