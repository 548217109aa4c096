//! wasm-bindgen exports for the npm package. Only numbers cross the boundary: the JS side
//! writes inputs into the shared input buffer and reads results from the output buffer,
//! so a call costs no allocation and no per-field conversion.

#![allow(unsafe_code)]

use wasm_bindgen::prelude::wasm_bindgen;

use super::record::write_record;
use super::workspace::{parse_options, with};
use crate::Verifier;

/// Reserves `len` bytes of input; returns their address, or 0 when memory cannot grow.
#[wasm_bindgen(js_name = inputReserve)]
pub fn input_reserve(len: usize) -> usize {
    with(|w| w.reserve_input(len) as usize)
}

/// Address of the last output.
#[wasm_bindgen(js_name = outputPtr)]
pub fn output_ptr() -> usize {
    with(|w| w.output().as_ptr() as usize)
}

/// Length of the last output.
#[wasm_bindgen(js_name = outputLen)]
pub fn output_len() -> usize {
    with(|w| w.output().len())
}

/// Input: body, secret. Output: lowercase hex signature.
#[wasm_bindgen(js_name = signOnce)]
pub fn sign_once(body_len: usize, secret_len: usize) -> u32 {
    with(|w| w.sign_once(body_len, secret_len))
}

/// Input: body. Output: the normalized event as a record (src/host/record.rs). JS numbers
/// carry the options: a negative tolerance skips the freshness check.
#[wasm_bindgen(js_name = parse)]
pub fn parse(
    body_len: usize,
    max_payload_bytes: u32,
    max_depth: u32,
    tolerance_seconds: f64,
    now: f64,
) -> u32 {
    let options = parse_options(
        max_payload_bytes,
        max_depth,
        tolerance_seconds as i64,
        now as i64,
    );
    with(|w| w.parse(body_len, &options, write_record))
}

/// Input: event type, id seed. Output: a realistic body (shape 0 = A, 1 = B, 2 = C).
#[wasm_bindgen(js_name = sample)]
pub fn sample(type_len: usize, shape: u32, seed_len: usize, created: f64) -> u32 {
    with(|w| w.sample(type_len, shape, seed_len, created as u64))
}

/// Input: integer motes. Output: the exact CSPR decimal.
#[wasm_bindgen(js_name = motesToCspr)]
pub fn motes_to_cspr(len: usize) -> u32 {
    with(|w| w.motes_to_cspr(len))
}

/// Records `payload_too_large` for the limit (0: the default) without any input: JS refuses
/// a body it has measured as too large before copying it into memory.
#[wasm_bindgen(js_name = payloadTooLarge)]
pub fn payload_too_large(max_payload_bytes: u32) -> u32 {
    let limits = parse_options(max_payload_bytes, 0, -1, 0).limits;
    with(|w| w.fail(&limits.too_large()))
}

/// The default body size limit, so JS measures against the same number.
#[wasm_bindgen(js_name = defaultMaxPayloadBytes)]
pub fn default_max_payload_bytes() -> u32 {
    crate::DEFAULT_MAX_PAYLOAD_BYTES as u32
}

/// Output: every known event type name, as a JSON array.
#[wasm_bindgen(js_name = eventTypes)]
pub fn event_types() -> u32 {
    with(|w| w.event_types())
}

/// The module's memory, fetched again after an instance is replaced.
#[wasm_bindgen(js_name = wasmMemory)]
pub fn wasm_memory() -> wasm_bindgen::JsValue {
    wasm_bindgen::memory()
}

/// Keyed HMAC states for a set of secrets, built once and reused for every delivery.
#[wasm_bindgen]
pub struct Keys {
    verifier: Option<Verifier>,
}

#[wasm_bindgen]
impl Keys {
    /// An empty set; add secrets with `addSecret`.
    #[wasm_bindgen(constructor)]
    #[allow(clippy::new_without_default)]
    pub fn new() -> Keys {
        Keys { verifier: None }
    }

    /// Adds the secret in the first `len` input bytes; returns 0 or the error status.
    #[wasm_bindgen(js_name = addSecret)]
    pub fn add_secret(&mut self, len: usize) -> u32 {
        with(|w| {
            let result = match w.segments([len]) {
                None => return w.bad_lengths(),
                Some([secret]) => match &mut self.verifier {
                    Some(verifier) => verifier.add_secret(secret),
                    None => Verifier::new(secret).map(|v| self.verifier = Some(v)),
                },
            };
            match result {
                Ok(()) => 0,
                Err(e) => w.fail(&e),
            }
        })
    }

    /// Input: body, signature. Returns the index of the matching secret, or minus the
    /// error status.
    pub fn verify(&self, body_len: usize, signature_len: usize) -> i32 {
        let Some(verifier) = &self.verifier else {
            return -(crate::ErrorCode::InvalidSecret.number() as i32);
        };
        with(|w| match w.verify(verifier, body_len, signature_len) {
            Ok(index) => index as i32,
            Err(status) => -(status as i32),
        })
    }

    /// Input: body, signature. Verifies, then parses; output as `parse`.
    pub fn construct(
        &self,
        body_len: usize,
        signature_len: usize,
        max_payload_bytes: u32,
        max_depth: u32,
        tolerance_seconds: f64,
        now: f64,
    ) -> u32 {
        let Some(verifier) = &self.verifier else {
            return crate::ErrorCode::InvalidSecret.number();
        };
        let options = parse_options(
            max_payload_bytes,
            max_depth,
            tolerance_seconds as i64,
            now as i64,
        );
        with(|w| w.construct(verifier, body_len, signature_len, &options, write_record))
    }

    /// Input: body. Output: the signature under the first secret.
    pub fn sign(&self, body_len: usize) -> u32 {
        let Some(verifier) = &self.verifier else {
            return crate::ErrorCode::InvalidSecret.number();
        };
        with(|w| w.sign_with(verifier, body_len))
    }
}
