//! The plain ABI: `extern "C"` exports with no imports at all, for PHP through Wasmtime and
//! any other WebAssembly runtime. The contract is `src/host/ABI.md`.

#![allow(unsafe_code)]

use super::php_serialize::write_php;
use super::workspace::{parse_options, with, EventWriter, Workspace, OK};
use crate::Event;

/// Version of the contract in ABI.md: bumped on any incompatible change.
const ABI_VERSION: u32 = 1;

/// The contract version this module implements.
#[no_mangle]
pub extern "C" fn caspay_abi_version() -> u32 {
    ABI_VERSION
}

/// Reserves `len` bytes of input and returns their address (0 when memory cannot grow).
/// The address is valid until the next call to this function.
#[no_mangle]
pub extern "C" fn caspay_input(len: u32) -> u32 {
    with(|w| w.reserve_input(len as usize) as u32)
}

/// Address of the output of the last call.
#[no_mangle]
pub extern "C" fn caspay_output_ptr() -> u32 {
    with(|w| w.output().as_ptr() as u32)
}

/// Length in bytes of the output of the last call.
#[no_mangle]
pub extern "C" fn caspay_output_len() -> u32 {
    with(|w| w.output().len() as u32)
}

/// Where the output of the last call is and how long it is, in one call: the address in
/// the high 32 bits, the length in the low 32. Hosts whose every call crosses a costly
/// boundary (PHP FFI) read the output with this instead of the two calls above.
#[no_mangle]
pub extern "C" fn caspay_output() -> i64 {
    with(|w| {
        let output = w.output();
        (i64::from(output.as_ptr() as u32) << 32) | i64::from(output.len() as u32)
    })
}

/// The address of two little-endian `u32` in memory, the address and the length of the
/// output, which every later call keeps current: hosts whose every call crosses a costly
/// boundary read them from memory instead of calling [`caspay_output`].
#[no_mangle]
pub extern "C" fn caspay_output_span() -> u32 {
    with(|w| w.output_span() as u32)
}

/// Runs an operation that writes output, then updates the output span.
fn run(operation: impl FnOnce(&mut Workspace) -> u32) -> u32 {
    with(|w| {
        let status = operation(w);
        w.publish_output_span();
        status
    })
}

/// Input: body, signature header, secret. Returns 0 when the signature is valid.
#[no_mangle]
pub extern "C" fn caspay_verify(body_len: u32, signature_len: u32, secret_len: u32) -> u32 {
    run(|w| {
        w.verify_once(
            body_len as usize,
            signature_len as usize,
            secret_len as usize,
        )
    })
}

/// Input: body, secret. Output: the 64-character lowercase hex signature.
#[no_mangle]
pub extern "C" fn caspay_sign(body_len: u32, secret_len: u32) -> u32 {
    run(|w| w.sign_once(body_len as usize, secret_len as usize))
}

/// Input: body. Output: the normalized event as JSON. Limits of 0 keep the defaults; a
/// negative tolerance skips the freshness check.
#[no_mangle]
pub extern "C" fn caspay_parse(
    body_len: u32,
    max_payload_bytes: u32,
    max_depth: u32,
    tolerance_seconds: i64,
    now: i64,
) -> u32 {
    let options = parse_options(max_payload_bytes, max_depth, tolerance_seconds, now);
    run(|w| w.parse(body_len as usize, &options, write_json))
}

/// [`caspay_parse`] with the event in PHP's `serialize()` format (src/host/php_serialize.rs).
#[no_mangle]
pub extern "C" fn caspay_parse_php(
    body_len: u32,
    max_payload_bytes: u32,
    max_depth: u32,
    tolerance_seconds: i64,
    now: i64,
) -> u32 {
    let options = parse_options(max_payload_bytes, max_depth, tolerance_seconds, now);
    run(|w| w.parse(body_len as usize, &options, write_php))
}

/// Input: body, signature header, secret. Verifies, then parses (size, signature, JSON,
/// event, freshness), in one call; options and output as [`caspay_parse`].
#[no_mangle]
pub extern "C" fn caspay_construct(
    body_len: u32,
    signature_len: u32,
    secret_len: u32,
    max_payload_bytes: u32,
    max_depth: u32,
    tolerance_seconds: i64,
    now: i64,
) -> u32 {
    let lengths = [body_len, signature_len, secret_len];
    let options = parse_options(max_payload_bytes, max_depth, tolerance_seconds, now);
    construct(lengths, &options, write_json)
}

/// [`caspay_construct`] with the event in PHP's `serialize()` format.
#[no_mangle]
pub extern "C" fn caspay_construct_php(
    body_len: u32,
    signature_len: u32,
    secret_len: u32,
    max_payload_bytes: u32,
    max_depth: u32,
    tolerance_seconds: i64,
    now: i64,
) -> u32 {
    let lengths = [body_len, signature_len, secret_len];
    let options = parse_options(max_payload_bytes, max_depth, tolerance_seconds, now);
    construct(lengths, &options, write_php)
}

fn construct(lengths: [u32; 3], options: &crate::ParseOptions, write: EventWriter) -> u32 {
    run(|w| w.construct_once(lengths.map(|len| len as usize), options, write))
}

/// Input: event type, id seed. Output: a realistic body (shape 0 = A, 1 = B, 2 = C).
#[no_mangle]
pub extern "C" fn caspay_sample(type_len: u32, shape: u32, seed_len: u32, created: i64) -> u32 {
    run(|w| {
        w.sample(
            type_len as usize,
            shape,
            seed_len as usize,
            created.max(0) as u64,
        )
    })
}

/// Input: integer motes as decimal text. Output: the exact CSPR decimal.
#[no_mangle]
pub extern "C" fn caspay_motes_to_cspr(len: u32) -> u32 {
    run(|w| w.motes_to_cspr(len as usize))
}

/// The status meaning success, exported so hosts need not hard-code it.
#[no_mangle]
pub extern "C" fn caspay_status_ok() -> u32 {
    OK
}

/// The plain ABI's event output: the normalized event as JSON ([`crate::to_json`]).
fn write_json(event: &Event, out: &mut alloc::vec::Vec<u8>) {
    *out = crate::to_json(event);
}
