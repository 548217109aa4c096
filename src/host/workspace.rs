//! The buffers shared with the host, and the operations both export layers perform on them.
//!
//! The host writes its inputs back to back into one input buffer owned by the module and
//! reads results from one output buffer. Both keep their capacity between calls, so the
//! hot path (verify) never allocates or copies anything beyond the host's single write.

#![allow(unsafe_code)]

use alloc::vec::Vec;
use core::cell::UnsafeCell;

#[cfg(feature = "abi")]
use super::last_secret::LastSecret;
use crate::json::write_string;
use crate::sample::{sample_body, SampleOptions};
use crate::{
    motes_to_cspr, parse_event_with, Error, ErrorCode, Event, Freshness, ParseOptions, Shape,
    Verifier, DIGEST_LEN,
};

/// Status returned for success; any other status is [`ErrorCode::number`].
pub(crate) const OK: u32 = 0;

/// How an event is written to the output: JSON on the plain ABI, a record for JavaScript.
pub(crate) type EventWriter = fn(&Event, &mut Vec<u8>);

pub(crate) struct Workspace {
    input: Vec<u8>,
    output: Vec<u8>,
    #[cfg(feature = "abi")]
    last_secret: LastSecret,
    /// The output's address and length, kept where hosts read them without a call
    /// (ABI.md's `caspay_output_span`). On the heap, and only once asked for, so that its
    /// address fits the ABI's 32 bits wherever the heap does (fuzz/abi runs natively).
    #[cfg(feature = "abi")]
    output_span: Option<alloc::boxed::Box<[u32; 2]>>,
}

struct Shared(UnsafeCell<Workspace>);

// SAFETY: these modules target wasm32 without threads; exactly one call runs at a time and
// no call re-enters another, so the workspace is never borrowed twice.
unsafe impl Sync for Shared {}

static WORKSPACE: Shared = Shared(UnsafeCell::new(Workspace {
    input: Vec::new(),
    output: Vec::new(),
    #[cfg(feature = "abi")]
    last_secret: LastSecret::new(),
    #[cfg(feature = "abi")]
    output_span: None,
}));

/// Runs `f` with exclusive access to the workspace.
pub(crate) fn with<R>(f: impl FnOnce(&mut Workspace) -> R) -> R {
    // SAFETY: see `Shared`; the borrow ends before `with` returns and `f` never calls `with`.
    f(unsafe { &mut *WORKSPACE.0.get() })
}

impl Workspace {
    /// Makes room for `len` input bytes and returns where the host writes them, or null
    /// when memory cannot grow that far. Capacity only grows, so steady traffic reuses it.
    pub(crate) fn reserve_input(&mut self, len: usize) -> *mut u8 {
        if self.input.len() < len {
            if self.input.try_reserve(len - self.input.len()).is_err() {
                return core::ptr::null_mut();
            }
            self.input.resize(len, 0);
        }
        self.input.as_mut_ptr()
    }

    /// The input split into consecutive segments of the given lengths.
    pub(crate) fn segments<const N: usize>(&self, lengths: [usize; N]) -> Option<[&[u8]; N]> {
        split(&self.input, lengths)
    }

    pub(crate) fn output(&self) -> &[u8] {
        &self.output
    }

    #[cfg(feature = "abi")]
    /// The address of the output span, created on the first request and current from then on.
    pub(crate) fn output_span(&mut self) -> *const [u32; 2] {
        let span: *const [u32; 2] = &**self.output_span.get_or_insert_with(Default::default);
        self.publish_output_span();
        span
    }

    #[cfg(feature = "abi")]
    /// Brings the output span up to date with the output, once a host has asked for it.
    pub(crate) fn publish_output_span(&mut self) {
        if let Some(span) = &mut self.output_span {
            **span = [self.output.as_ptr() as u32, self.output.len() as u32];
        }
    }

    /// Records a failure: the status, and the error as JSON in the output buffer:
    /// `{"code":…,"message":…,"field":…,"position":…}`, absent parts as `null`.
    pub(crate) fn fail(&mut self, error: &Error) -> u32 {
        let out = &mut self.output;
        out.clear();
        let mut put = |bytes: &[u8]| out.extend_from_slice(bytes);
        put(b"{\"code\":");
        write_string(error.code().as_str(), &mut put);
        put(b",\"message\":");
        write_string(&error.message(), &mut put);
        put(b",\"field\":");
        match error.field() {
            Some(field) => write_string(field, &mut put),
            None => put(b"null"),
        }
        put(b",\"position\":");
        match error.position() {
            Some(position) => put(itoa::Buffer::new().format(position).as_bytes()),
            None => put(b"null"),
        }
        put(b"}");
        error.code().number()
    }

    /// Input lengths that do not fit the input buffer are a host bug, reported as such
    /// rather than read out of bounds.
    pub(crate) fn bad_lengths(&mut self) -> u32 {
        self.fail(
            &Error::new(ErrorCode::PayloadTooLarge)
                .with_reason("the input lengths exceed the reserved buffer"),
        )
    }

    #[cfg(feature = "js")]
    /// Verifies the body (first segment) and signature (second) with `verifier`; returns
    /// the index of the matching secret, or the failure status.
    pub(crate) fn verify(
        &mut self,
        verifier: &Verifier,
        body_len: usize,
        signature_len: usize,
    ) -> Result<usize, u32> {
        let Some([body, signature]) = self.segments([body_len, signature_len]) else {
            return Err(self.bad_lengths());
        };
        let result = verifier.verify(body, signature);
        result.map_err(|e| self.fail(&e))
    }

    #[cfg(feature = "js")]
    /// Size, then signature, then event: [`crate::construct_event`] over the segments.
    pub(crate) fn construct(
        &mut self,
        verifier: &Verifier,
        body_len: usize,
        signature_len: usize,
        options: &ParseOptions,
        write: EventWriter,
    ) -> u32 {
        let Some([body, signature]) = self.segments([body_len, signature_len]) else {
            return self.bad_lengths();
        };
        let result = crate::construct_event(body, signature, verifier, options);
        self.finish_event(result, write)
    }

    #[cfg(feature = "abi")]
    /// [`Workspace::construct`] with the secret as a third segment: one call per delivery
    /// for hosts that keep no keyed state between calls.
    pub(crate) fn construct_once(
        &mut self,
        [body_len, signature_len, secret_len]: [usize; 3],
        options: &ParseOptions,
        write: EventWriter,
    ) -> u32 {
        let Some([body, signature, secret]) =
            split(&self.input, [body_len, signature_len, secret_len])
        else {
            return self.bad_lengths();
        };
        let result = self
            .last_secret
            .verifier(secret)
            .and_then(|verifier| crate::construct_event(body, signature, verifier, options));
        self.finish_event(result, write)
    }

    /// Writes the event, or records the failure; returns the status.
    fn finish_event(&mut self, result: Result<Event, Error>, write: EventWriter) -> u32 {
        match result {
            Ok(event) => {
                write(&event, &mut self.output);
                OK
            }
            Err(e) => self.fail(&e),
        }
    }

    #[cfg(feature = "abi")]
    /// Verifies the body, signature and secret segments; returns the status.
    pub(crate) fn verify_once(
        &mut self,
        body_len: usize,
        signature_len: usize,
        secret_len: usize,
    ) -> u32 {
        let Some([body, signature, secret]) =
            split(&self.input, [body_len, signature_len, secret_len])
        else {
            return self.bad_lengths();
        };
        let result = self
            .last_secret
            .verifier(secret)
            .and_then(|v| v.verify(body, signature));
        match result {
            Ok(_) => {
                // ABI.md: empty output on success, not the previous call's (found by fuzz/abi).
                self.output.clear();
                OK
            }
            Err(e) => self.fail(&e),
        }
    }

    /// Signs the body segment with `verifier`'s first secret; the output is lowercase hex.
    pub(crate) fn sign_with(&mut self, verifier: &Verifier, body_len: usize) -> u32 {
        let Some([body]) = self.segments([body_len]) else {
            return self.bad_lengths();
        };
        let digest = verifier.sign_digest(body);
        self.output.resize(2 * DIGEST_LEN, 0);
        // The output buffer is exactly twice the digest length, so encoding cannot fail.
        let _ = hex::encode_to_slice(digest, &mut self.output);
        OK
    }

    /// Signs the body segment with the secret segment.
    pub(crate) fn sign_once(&mut self, body_len: usize, secret_len: usize) -> u32 {
        let Some([_, secret]) = self.segments([body_len, secret_len]) else {
            return self.bad_lengths();
        };
        let result = Verifier::new(secret);
        match result {
            Ok(verifier) => self.sign_with(&verifier, body_len),
            Err(e) => self.fail(&e),
        }
    }

    /// Parses the body segment; the output is the normalized event, written by `write`.
    pub(crate) fn parse(
        &mut self,
        body_len: usize,
        options: &ParseOptions,
        write: EventWriter,
    ) -> u32 {
        let Some([body]) = self.segments([body_len]) else {
            return self.bad_lengths();
        };
        let result = parse_event_with(body, options);
        self.finish_event(result, write)
    }
}

impl Workspace {
    /// Writes a sample body for the type segment and the seed segment.
    pub(crate) fn sample(
        &mut self,
        type_len: usize,
        shape: u32,
        seed_len: usize,
        created: u64,
    ) -> u32 {
        let Some([event_type, seed]) = self.segments([type_len, seed_len]) else {
            return self.bad_lengths();
        };
        let shape = match shape {
            0 => Shape::A,
            1 => Shape::B,
            _ => Shape::C,
        };
        let options = SampleOptions {
            seed: core::str::from_utf8(seed).unwrap_or_default(),
            created,
        };
        let body = core::str::from_utf8(event_type)
            .ok()
            .and_then(|t| sample_body(t, shape, &options));
        match body {
            Some(body) => {
                self.output = body.into_bytes();
                OK
            }
            None => self
                .fail(&Error::new(ErrorCode::InvalidEvent).with_reason("not a known event type")),
        }
    }

    /// Writes every known event type name (aliases included) as a JSON array.
    #[cfg(feature = "js")]
    pub(crate) fn event_types(&mut self) -> u32 {
        let out = &mut self.output;
        out.clear();
        let mut put = |bytes: &[u8]| out.extend_from_slice(bytes);
        put(b"[");
        for (index, name) in crate::EventKind::TYPE_NAMES.iter().enumerate() {
            if index > 0 {
                put(b",");
            }
            write_string(name, &mut put);
        }
        put(b"]");
        OK
    }

    /// Converts the integer motes segment to CSPR.
    pub(crate) fn motes_to_cspr(&mut self, len: usize) -> u32 {
        let Some([motes]) = self.segments([len]) else {
            return self.bad_lengths();
        };
        match core::str::from_utf8(motes).ok().and_then(motes_to_cspr) {
            Some(cspr) => {
                self.output = cspr.into_bytes();
                OK
            }
            None => self.fail(
                &Error::new(ErrorCode::InvalidEvent)
                    .with_reason("motes must be a non-negative integer"),
            ),
        }
    }
}

/// Parse options from the plain numbers hosts pass: 0 keeps a default limit, a negative
/// tolerance means no freshness check. A negative `now` (a clock before 1970) counts as 0:
/// the check that was asked for still runs, and refuses any real event.
pub(crate) fn parse_options(
    max_payload_bytes: u32,
    max_depth: u32,
    tolerance_seconds: i64,
    now: i64,
) -> ParseOptions {
    let mut options = ParseOptions::default();
    if max_payload_bytes > 0 {
        options.limits.max_payload_bytes = max_payload_bytes as usize;
    }
    if max_depth > 0 {
        options.limits.max_depth = max_depth as usize;
    }
    if let Ok(tolerance_seconds) = u64::try_from(tolerance_seconds) {
        options.freshness = Some(Freshness {
            tolerance_seconds,
            now: u64::try_from(now).unwrap_or(0),
        });
    }
    options
}

/// Splits the input into back-to-back segments of the given lengths; None when they do not
/// fit. A free function, so a call can borrow the input and the other fields apart.
fn split<const N: usize>(input: &[u8], lengths: [usize; N]) -> Option<[&[u8]; N]> {
    let mut rest = input;
    let mut out: [&[u8]; N] = [&[]; N];
    for (slot, len) in out.iter_mut().zip(lengths) {
        if len > rest.len() {
            return None;
        }
        let (head, tail) = rest.split_at(len);
        *slot = head;
        rest = tail;
    }
    Some(out)
}
