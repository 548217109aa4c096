//! Reading the shared vectors in `tests/vectors/` (format: `tests/vectors/README.md`).

use serde_json::Value;

pub fn load(name: &str) -> Vec<Value> {
    let path = format!("{}/tests/vectors/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let file: Value = serde_json::from_str(&text).unwrap();
    file["cases"].as_array().unwrap().clone()
}

/// Bytes from a body or secret spec: `{"utf8"}`, `{"hex"}` or `{"repeat","length"}`.
pub fn bytes(spec: &Value) -> Vec<u8> {
    if let Some(text) = spec.get("utf8") {
        return text.as_str().unwrap().as_bytes().to_vec();
    }
    if let Some(hex) = spec.get("hex") {
        return hex::decode(hex.as_str().unwrap()).unwrap();
    }
    let pattern = spec["repeat"].as_str().unwrap().as_bytes();
    let length = spec["length"].as_u64().unwrap() as usize;
    pattern.iter().copied().cycle().take(length).collect()
}

pub fn options(case: &Value) -> caspay_webhooks::ParseOptions {
    let mut options = caspay_webhooks::ParseOptions::default();
    let Some(spec) = case.get("options") else {
        return options;
    };
    if let Some(max) = spec.get("maxPayloadBytes") {
        options.limits.max_payload_bytes = max.as_u64().unwrap() as usize;
    }
    if let Some(tolerance) = spec.get("toleranceSeconds") {
        options.freshness = Some(caspay_webhooks::Freshness {
            tolerance_seconds: tolerance.as_u64().unwrap(),
            now: spec["now"].as_u64().unwrap(),
        });
    }
    options
}

/// Checks an error against `{"code", "field"?}`.
pub fn assert_error(name: &str, error: &caspay_webhooks::Error, expected: &Value) {
    assert_eq!(
        error.code().as_str(),
        expected["code"].as_str().unwrap(),
        "{name}: {error}"
    );
    if let Some(field) = expected.get("field") {
        assert_eq!(error.field(), field.as_str(), "{name}: {error}");
    }
}
