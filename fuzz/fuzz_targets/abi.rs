//! The plain ABI (`src/host/ABI.md`) driven the way a WebAssembly host drives it: reserve
//! the input with `caspay_input`, write the inputs back to back at the returned address,
//! call, then read `caspay_output` (checked against `caspay_output_ptr`/`caspay_output_len`
//! and the span at `caspay_output_span`). The crate is built natively
//! with `--features abi` and the exports are linked by name, exactly as declared below.
//!
//! The ABI passes addresses as 32-bit numbers. On a 64-bit host that only works when every
//! heap address fits in 32 bits, so this target's global allocator is dlmalloc (whose
//! `Allocator` trait takes any source of pages) over `mmap(MAP_32BIT)` regions: the module's own
//! `ptr as u32` casts are then exact, as in wasm32. (AddressSanitizer therefore does not see
//! this target's Rust heap; the other targets run on the system allocator.)
//!
//! Checked against the core called directly: every status and output (of `caspay_construct`
//! too, with genuine signatures as well as wrong ones), the status numbers
//! of the ABI.md table, error JSON on failure, sign→verify round trips through the buffers,
//! lengths beyond the reserved input refused with status 5, and an input that cannot be
//! reserved answered with address 0 while the workspace stays usable. `caspay_parse_php` and
//! `caspay_construct_php` run on every input `caspay_parse` and `caspay_construct` run on:
//! the same status, and an event in PHP's serialize() format that reads back (with PHP's
//! rules, below) as the same values as the JSON one.
#![no_main]

use std::alloc::{GlobalAlloc, Layout};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use caspay_webhooks::{
    construct_event, parse_event_with, sign, to_json, verify, Error, Freshness, ParseOptions,
    Verifier,
};
use libfuzzer_sys::fuzz_target;
use serde_json::Value as Json;

extern "C" {
    fn caspay_abi_version() -> u32;
    fn caspay_status_ok() -> u32;
    fn caspay_input(len: u32) -> u32;
    fn caspay_output_ptr() -> u32;
    fn caspay_output_len() -> u32;
    fn caspay_output() -> i64;
    fn caspay_output_span() -> u32;
    fn caspay_verify(body_len: u32, signature_len: u32, secret_len: u32) -> u32;
    fn caspay_sign(body_len: u32, secret_len: u32) -> u32;
    fn caspay_parse(
        body_len: u32,
        max_payload_bytes: u32,
        max_depth: u32,
        tolerance_seconds: i64,
        now: i64,
    ) -> u32;
    fn caspay_construct(
        body_len: u32,
        signature_len: u32,
        secret_len: u32,
        max_payload_bytes: u32,
        max_depth: u32,
        tolerance_seconds: i64,
        now: i64,
    ) -> u32;
    fn caspay_parse_php(
        body_len: u32,
        max_payload_bytes: u32,
        max_depth: u32,
        tolerance_seconds: i64,
        now: i64,
    ) -> u32;
    fn caspay_construct_php(
        body_len: u32,
        signature_len: u32,
        secret_len: u32,
        max_payload_bytes: u32,
        max_depth: u32,
        tolerance_seconds: i64,
        now: i64,
    ) -> u32;
}

/// Memory below 2 GiB, from the kernel (`MAP_32BIT`), for dlmalloc to carve up.
struct Low32;

unsafe impl dlmalloc::Allocator for Low32 {
    fn alloc(&self, size: usize) -> (*mut u8, usize, u32) {
        let flags = libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_32BIT;
        let protection = libc::PROT_READ | libc::PROT_WRITE;
        // SAFETY: an anonymous private mapping touches no existing memory.
        let addr = unsafe { libc::mmap(std::ptr::null_mut(), size, protection, flags, -1, 0) };
        if addr == libc::MAP_FAILED {
            return (std::ptr::null_mut(), 0, 0);
        }
        assert!(
            (addr as usize) + size <= u32::MAX as usize,
            "MAP_32BIT gave a high address"
        );
        (addr.cast(), size, 0)
    }

    fn remap(&self, _: *mut u8, _: usize, _: usize, _: bool) -> *mut u8 {
        // mremap may move a region above 4 GiB; dlmalloc falls back to alloc + copy.
        std::ptr::null_mut()
    }

    fn free_part(&self, ptr: *mut u8, oldsize: usize, newsize: usize) -> bool {
        // SAFETY: the tail belongs to a region this allocator mapped.
        unsafe { libc::munmap(ptr.add(newsize).cast(), oldsize - newsize) == 0 }
    }

    fn free(&self, ptr: *mut u8, size: usize) -> bool {
        // SAFETY: dlmalloc frees only whole regions this allocator mapped.
        unsafe { libc::munmap(ptr.cast(), size) == 0 }
    }

    fn can_release_part(&self, _: u32) -> bool {
        true
    }

    fn allocates_zeros(&self) -> bool {
        true
    }

    fn page_size(&self) -> usize {
        4096
    }
}

struct LowHeap(Mutex<dlmalloc::Dlmalloc<Low32>>);

unsafe impl GlobalAlloc for LowHeap {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        self.0.lock().unwrap().malloc(layout.size(), layout.align())
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        self.0.lock().unwrap().calloc(layout.size(), layout.align())
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        self.0
            .lock()
            .unwrap()
            .free(ptr, layout.size(), layout.align())
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        self.0
            .lock()
            .unwrap()
            .realloc(ptr, layout.size(), layout.align(), new_size)
    }
}

#[global_allocator]
static HEAP: LowHeap = LowHeap(Mutex::new(dlmalloc::Dlmalloc::new_with_allocator(Low32)));

/// The largest input ever reserved: the module's input buffer never shrinks.
static RESERVED: AtomicUsize = AtomicUsize::new(0);

/// The status of each error code, from the table in ABI.md.
fn status_of(code: &str) -> u32 {
    match code {
        "missing_signature" => 1,
        "invalid_signature_format" => 2,
        "signature_mismatch" => 3,
        "invalid_secret" => 4,
        "payload_too_large" => 5,
        "invalid_json" => 6,
        "invalid_event" => 7,
        "timestamp_outside_tolerance" => 8,
        other => panic!("the module returned {other}, which it never returns"),
    }
}

/// Writes the parts back to back into the module's input, as a host does.
fn write_input(parts: &[&[u8]]) {
    let total: usize = parts.iter().map(|p| p.len()).sum();
    // SAFETY (whole function): the module promises `total` writable bytes at the address.
    let addr = unsafe { caspay_input(total as u32) };
    assert_ne!(addr, 0, "{total} bytes could not be reserved");
    RESERVED.fetch_max(total, Ordering::Relaxed);
    let input = unsafe { std::slice::from_raw_parts_mut(addr as usize as *mut u8, total) };
    let mut at = 0;
    for part in parts {
        input[at..at + part.len()].copy_from_slice(part);
        at += part.len();
    }
}

fn output() -> Vec<u8> {
    // SAFETY: the output of the last call lies at ptr/len until the next call.
    unsafe {
        let span = caspay_output();
        let (ptr, len) = ((span >> 32) as u32, span as u32);
        assert_eq!((ptr, len), (caspay_output_ptr(), caspay_output_len()));
        let [span_ptr, span_len] = *(caspay_output_span() as usize as *const [u32; 2]);
        assert_eq!((ptr, len), (u32::from_le(span_ptr), u32::from_le(span_len)));
        std::slice::from_raw_parts(ptr as usize as *const u8, len as usize).to_vec()
    }
}

/// The plain-number options of ABI.md from four fuzz bytes, and what they mean to the core.
fn options(p: &[u8]) -> ((u32, u32, i64, i64), ParseOptions) {
    let max_payload = if p[0] < 128 { 0 } else { u32::from(p[0]) * 4 };
    let max_depth = u32::from(p[1] % 40);
    let tolerance = if p[2] < 128 { -1 } else { i64::from(p[2]) * 10 };
    let now = 1_795_773_600 + (i64::from(p[3]) - 128) * 60;
    let mut options = ParseOptions::default();
    if max_payload > 0 {
        options.limits.max_payload_bytes = max_payload as usize;
    }
    if max_depth > 0 {
        options.limits.max_depth = max_depth as usize;
    }
    if tolerance >= 0 {
        options.freshness = Some(Freshness {
            tolerance_seconds: tolerance as u64,
            now: now as u64,
        });
    }
    ((max_payload, max_depth, tolerance, now), options)
}

/// The status and output a call must give for the core's result.
fn check<T>(status: u32, result: &Result<T, Error>, ok_output: impl FnOnce(&T) -> Vec<u8>) {
    let out = output();
    match result {
        Ok(value) => {
            assert_eq!(status, 0, "{}", String::from_utf8_lossy(&out));
            assert_eq!(out, ok_output(value));
        }
        Err(e) => {
            assert_eq!(status, status_of(e.code().as_str()), "{e:?}");
            let json: Json = serde_json::from_slice(&out).expect("error output is JSON");
            assert_eq!(json["code"], e.code().as_str());
            assert!(json["message"].as_str().is_some_and(|m| !m.is_empty()));
            assert_eq!(json["field"].as_str(), e.field());
            assert_eq!(json["position"].as_u64(), e.position().map(|p| p as u64));
        }
    }
}

/// Runs the `_php` variant of the call just made (the input is still in place): the same
/// status, and on success an event equal to the JSON one's once read as PHP reads it.
fn check_php(json_status: u32, call: impl FnOnce() -> u32) {
    let json = output();
    let status = call();
    assert_eq!(status, json_status);
    let out = output();
    if status != 0 {
        assert_eq!(out, json, "the error output does not depend on the format");
        return;
    }
    let mut rest = &out[..];
    let php = read_php(&mut rest);
    assert!(rest.is_empty(), "bytes after the event");
    let json: Json = serde_json::from_slice(&json).unwrap();
    assert_same(&php, &json, "event");
}

/// A value of PHP's serialize() format, as `unserialize` reads it (object keys stay strings).
#[derive(Debug)]
enum Php {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    String(Vec<u8>),
    Array(Vec<(Php, Php)>),
}

fn read_php(rest: &mut &[u8]) -> Php {
    let (&tag, tail) = rest.split_first().expect("a value");
    // Every tag but N's is followed by a colon.
    *rest = if tag == b'N' { tail } else { tail.strip_prefix(b":").expect("a colon") };
    let mut until = |end: u8| {
        let at = rest.iter().position(|&b| b == end).expect("a terminator");
        let text = std::str::from_utf8(&rest[..at]).unwrap().to_owned();
        *rest = &rest[at + 1..];
        text
    };
    match tag {
        b'N' => {
            assert_eq!(until(b';'), "");
            Php::Null
        }
        b'b' => Php::Bool(until(b';') == "1"),
        b'i' => Php::Int(until(b';').parse().expect("an i64")),
        b'd' => Php::Float(until(b';').parse().expect("a float")),
        b's' => {
            let len: usize = until(b':').parse().unwrap();
            assert_eq!(rest[0], b'"');
            let text = rest[1..1 + len].to_vec();
            assert_eq!(&rest[1 + len..3 + len], b"\";");
            *rest = &rest[3 + len..];
            Php::String(text)
        }
        b'a' => {
            let len: usize = until(b':').parse().unwrap();
            assert_eq!(rest[0], b'{');
            *rest = &rest[1..];
            let entries = (0..len).map(|_| (read_php(rest), read_php(rest))).collect();
            assert_eq!(rest[0], b'}');
            *rest = &rest[1..];
            Php::Array(entries)
        }
        other => panic!("unexpected tag {}", other as char),
    }
}

/// PHP's value equals the JSON one: numbers of the same kind and value (integer text is an
/// integer in both), arrays with keys 0, 1, 2…, objects with the same members where a
/// repeated key keeps its last value (as serde_json and PHP both do), and an empty PHP
/// array for `[]` or `{}`.
fn assert_same(php: &Php, json: &Json, path: &str) {
    match (php, json) {
        (Php::Null, Json::Null) => {}
        (Php::Bool(a), Json::Bool(b)) => assert_eq!(a, b, "{path}"),
        (Php::Int(a), Json::Number(b)) => assert_eq!(Some(*a), b.as_i64(), "{path}"),
        (Php::Float(a), Json::Number(b)) => {
            assert!(b.is_f64(), "{path}: a float for integer text");
            assert_eq!(a.to_bits(), b.as_f64().unwrap().to_bits(), "{path}");
        }
        (Php::String(a), Json::String(b)) => assert_eq!(a, b.as_bytes(), "{path}"),
        (Php::Array(entries), Json::Array(items)) => {
            assert_eq!(entries.len(), items.len(), "{path}");
            for (index, ((key, value), item)) in entries.iter().zip(items).enumerate() {
                assert!(matches!(key, Php::Int(k) if *k == index as i64), "{path}[{index}]");
                assert_same(value, item, &format!("{path}[{index}]"));
            }
        }
        (Php::Array(entries), Json::Object(members)) => {
            let mut last = std::collections::BTreeMap::new();
            for (key, value) in entries {
                let Php::String(key) = key else {
                    panic!("{path}: a member key that is not a string")
                };
                last.insert(String::from_utf8(key.clone()).unwrap(), value);
            }
            assert_eq!(last.len(), members.len(), "{path}");
            for (key, value) in members {
                assert_same(last[key], value, &format!("{path}.{key}"));
            }
        }
        _ => panic!("{path}: {php:?} is not {json}"),
    }
}

/// `[len][bytes]` from the front of `data`.
fn take<'a>(data: &mut &'a [u8]) -> &'a [u8] {
    let Some((&len, rest)) = data.split_first() else {
        return &[];
    };
    let (part, rest) = rest.split_at(usize::from(len).min(rest.len()));
    *data = rest;
    part
}

fuzz_target!(|data: &[u8]| {
    unsafe {
        assert_eq!(caspay_abi_version(), 1);
        assert_eq!(caspay_status_ok(), 0);
    }
    if data.len() < 5 {
        return;
    }
    let (op, p) = (data[0], &data[1..5]);
    let mut rest = &data[5..];

    match op % 6 {
        // caspay_parse, with the plain-number options of ABI.md.
        0 => {
            let body = rest;
            let ((max_payload, max_depth, tolerance, now), options) = options(p);
            write_input(&[body]);
            let status =
                unsafe { caspay_parse(body.len() as u32, max_payload, max_depth, tolerance, now) };
            check(status, &parse_event_with(body, &options), to_json);
            check_php(status, || unsafe {
                caspay_parse_php(body.len() as u32, max_payload, max_depth, tolerance, now)
            });
        }
        // caspay_verify with a header and secret from the input.
        1 => {
            let signature = take(&mut rest);
            let secret = take(&mut rest);
            let body = rest;
            write_input(&[body, signature, secret]);
            let status = unsafe {
                caspay_verify(
                    body.len() as u32,
                    signature.len() as u32,
                    secret.len() as u32,
                )
            };
            check(status, &verify(body, signature, secret), |_| Vec::new());
        }
        // caspay_sign, then its output back in as the signature: status 0 and, by ABI.md, an
        // empty output (not the signature left by caspay_sign).
        2 => {
            let secret = take(&mut rest);
            let body = rest;
            write_input(&[body, secret]);
            let status = unsafe { caspay_sign(body.len() as u32, secret.len() as u32) };
            let signed = sign(body, secret);
            check(status, &signed, |hex| hex.clone().into_bytes());
            if status == 0 {
                let signature = output();
                write_input(&[body, &signature, secret]);
                let status = unsafe {
                    caspay_verify(
                        body.len() as u32,
                        signature.len() as u32,
                        secret.len() as u32,
                    )
                };
                assert_eq!(status, 0, "a signature from caspay_sign verifies");
                assert!(output().is_empty(), "verify's output on success is empty");
            }
        }
        // Lengths beyond the reserved input: status 5, never a read out of bounds.
        3 => {
            write_input(&[rest]);
            let reserved = RESERVED.load(Ordering::Relaxed) as u32;
            let extra = u32::from(p[0]) + 1;
            let calls = unsafe {
                [
                    caspay_parse(reserved + extra, 0, 0, -1, 0),
                    caspay_verify(reserved, extra, 0),
                    caspay_verify(0, 0, reserved + extra),
                    caspay_sign(reserved, extra),
                    caspay_construct(reserved, 0, extra, 0, 0, -1, 0),
                ]
            };
            for status in calls {
                assert_eq!(status, 5);
            }
            let json: Json = serde_json::from_slice(&output()).unwrap();
            assert_eq!(json["code"], "payload_too_large");
        }
        // caspay_construct: a secret from the input, and the body's genuine signature under
        // it (odd op bytes) or a header from the input; options as for caspay_parse.
        4 => {
            let secret = take(&mut rest);
            let header = take(&mut rest);
            let body = rest;
            let genuine = sign(body, secret).ok().filter(|_| (op / 6) % 2 == 1);
            let signature = genuine.as_ref().map_or(header, |hex| hex.as_bytes());
            let ((max_payload, max_depth, tolerance, now), options) = options(p);
            write_input(&[body, signature, secret]);
            let status = unsafe {
                caspay_construct(
                    body.len() as u32,
                    signature.len() as u32,
                    secret.len() as u32,
                    max_payload,
                    max_depth,
                    tolerance,
                    now,
                )
            };
            let expected = Verifier::new(secret)
                .and_then(|verifier| construct_event(body, signature, &verifier, &options));
            check(status, &expected, to_json);
            check_php(status, || unsafe {
                caspay_construct_php(
                    body.len() as u32,
                    signature.len() as u32,
                    secret.len() as u32,
                    max_payload,
                    max_depth,
                    tolerance,
                    now,
                )
            });
        }
        // An input that cannot be reserved gives address 0, and the workspace still works.
        _ => {
            let huge = if p[0] & 1 == 0 { u32::MAX } else { 0xF000_0000 };
            assert_eq!(unsafe { caspay_input(huge) }, 0);
            let body = rest;
            write_input(&[body]);
            let status = unsafe { caspay_parse(body.len() as u32, 0, 0, -1, 0) };
            check(
                status,
                &parse_event_with(body, &ParseOptions::default()),
                to_json,
            );
        }
    }
});
