//! Errors: one stable code per failure, a message that tells the merchant what to do.

use alloc::string::String;

/// Stable, host-independent error codes.
///
/// The string form ([`ErrorCode::as_str`]) and the number ([`ErrorCode::number`], used by the
/// plain ABI) never change meaning; new codes are only ever appended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// No signature was sent, or it was empty.
    MissingSignature,
    /// The signature is not 64 hex characters (optionally prefixed `sha256=`).
    InvalidSignatureFormat,
    /// The signature is well formed but does not match the body under any secret.
    SignatureMismatch,
    /// The secret is empty.
    InvalidSecret,
    /// The body is larger than the configured limit.
    PayloadTooLarge,
    /// The body is not valid JSON (or nests deeper than the limit).
    InvalidJson,
    /// The body is JSON but not a CasPay event.
    InvalidEvent,
    /// The signed timestamp inside the body is too far from the caller's clock.
    TimestampOutsideTolerance,
    /// The event was already processed (reported by dedupers in the host layers).
    DuplicateEvent,
    /// The payload is not the raw body: a parsed object, a number, `null` (host layers).
    InvalidPayload,
    /// The WebAssembly instance trapped and was replaced by a fresh one (host layers).
    InternalError,
    /// The event is recorded but its handler failed; the sender should retry (inboxes).
    ProcessingFailed,
    /// Another run holds the event's lease right now; retry later (inboxes).
    ProcessingInProgress,
    /// The event could not be recorded durably, so it was not accepted (inboxes).
    StoreUnavailable,
    /// The body arrived with a `Content-Encoding` the receiver does not decode (receivers).
    UnsupportedEncoding,
    /// The event's last run failed and its next attempt is not due yet; retry later (inboxes).
    RetryScheduled,
}

impl ErrorCode {
    /// Every code, in ABI number order (number = index + 1).
    pub const ALL: [ErrorCode; 16] = [
        ErrorCode::MissingSignature,
        ErrorCode::InvalidSignatureFormat,
        ErrorCode::SignatureMismatch,
        ErrorCode::InvalidSecret,
        ErrorCode::PayloadTooLarge,
        ErrorCode::InvalidJson,
        ErrorCode::InvalidEvent,
        ErrorCode::TimestampOutsideTolerance,
        ErrorCode::DuplicateEvent,
        ErrorCode::InvalidPayload,
        ErrorCode::InternalError,
        ErrorCode::ProcessingFailed,
        ErrorCode::ProcessingInProgress,
        ErrorCode::StoreUnavailable,
        ErrorCode::UnsupportedEncoding,
        ErrorCode::RetryScheduled,
    ];

    /// The stable snake_case code shared by every host.
    pub const fn as_str(self) -> &'static str {
        match self {
            ErrorCode::MissingSignature => "missing_signature",
            ErrorCode::InvalidSignatureFormat => "invalid_signature_format",
            ErrorCode::SignatureMismatch => "signature_mismatch",
            ErrorCode::InvalidSecret => "invalid_secret",
            ErrorCode::PayloadTooLarge => "payload_too_large",
            ErrorCode::InvalidJson => "invalid_json",
            ErrorCode::InvalidEvent => "invalid_event",
            ErrorCode::TimestampOutsideTolerance => "timestamp_outside_tolerance",
            ErrorCode::DuplicateEvent => "duplicate_event",
            ErrorCode::InvalidPayload => "invalid_payload",
            ErrorCode::InternalError => "internal_error",
            ErrorCode::ProcessingFailed => "processing_failed",
            ErrorCode::ProcessingInProgress => "processing_in_progress",
            ErrorCode::StoreUnavailable => "store_unavailable",
            ErrorCode::UnsupportedEncoding => "unsupported_encoding",
            ErrorCode::RetryScheduled => "retry_scheduled",
        }
    }

    /// The stable number of this code in the plain ABI (0 means success there).
    pub const fn number(self) -> u32 {
        self as u32 + 1
    }

    /// The HTTP status a receiver answers with: 401 for signatures, 413, 400 for bodies, 200
    /// for duplicates (the sender must stop retrying), 409/415/503 for the inbox and
    /// receivers, 500 for the receiver's own faults (so the sender retries once fixed).
    pub const fn http_status(self) -> u16 {
        match self {
            ErrorCode::MissingSignature
            | ErrorCode::InvalidSignatureFormat
            | ErrorCode::SignatureMismatch => 401,
            ErrorCode::PayloadTooLarge => 413,
            ErrorCode::InvalidJson
            | ErrorCode::InvalidEvent
            | ErrorCode::TimestampOutsideTolerance => 400,
            ErrorCode::DuplicateEvent => 200,
            ErrorCode::ProcessingInProgress | ErrorCode::RetryScheduled => 409,
            ErrorCode::UnsupportedEncoding => 415,
            ErrorCode::StoreUnavailable => 503,
            ErrorCode::InvalidSecret
            | ErrorCode::InvalidPayload
            | ErrorCode::InternalError
            | ErrorCode::ProcessingFailed => 500,
        }
    }

    /// The code with the given stable string, if any.
    pub fn from_str_code(code: &str) -> Option<ErrorCode> {
        ErrorCode::ALL.into_iter().find(|c| c.as_str() == code)
    }

    /// What the code means and what to do about it, for people.
    const fn advice(self) -> &'static str {
        match self {
            ErrorCode::MissingSignature => {
                "No X-CasPay-Signature header was sent. CasPay signs every delivery; read the header from the request you received."
            }
            ErrorCode::InvalidSignatureFormat => {
                "The X-CasPay-Signature header must be 64 hexadecimal characters, optionally prefixed with \"sha256=\". The dashboard's test button sends the literal \"test_signature\", which is not a signature and is always rejected."
            }
            ErrorCode::SignatureMismatch => {
                "The signature does not match the body. Pass the raw request body exactly as received (not a parsed or re-serialized object) and check the endpoint secret, including its whsec_ prefix."
            }
            ErrorCode::InvalidSecret => {
                "The webhook secret is empty. Copy the endpoint secret (whsec_...) from the CasPay dashboard."
            }
            ErrorCode::PayloadTooLarge => "The body is larger than the configured limit.",
            ErrorCode::InvalidJson => "The body is not valid JSON.",
            ErrorCode::InvalidEvent => "The body is JSON but not a CasPay event.",
            ErrorCode::TimestampOutsideTolerance => {
                "The event's signed timestamp is too far from the current time; it may be a replayed delivery."
            }
            ErrorCode::DuplicateEvent => "This event was already processed.",
            ErrorCode::InvalidPayload => {
                "Pass the raw request body (a string, Buffer, Uint8Array or ArrayBuffer), not a parsed object: re-serializing JSON changes the bytes that were signed."
            }
            ErrorCode::InternalError => {
                "The WebAssembly instance failed and was replaced by a fresh one; the call can be retried."
            }
            ErrorCode::ProcessingFailed => {
                "The event is recorded but its handler failed; it will be processed again when CasPay retries."
            }
            ErrorCode::ProcessingInProgress => {
                "This event is being processed right now; send it again later in case that run does not finish."
            }
            ErrorCode::StoreUnavailable => {
                "The event could not be recorded, so it was not accepted; send it again."
            }
            ErrorCode::UnsupportedEncoding => {
                "The body is compressed or encoded; CasPay signs and sends plain JSON, so send it without a Content-Encoding."
            }
            ErrorCode::RetryScheduled => {
                "This event failed recently and its next attempt is not due yet; send it again later."
            }
        }
    }
}

/// A failure with its stable [`ErrorCode`] and the details that explain it.
///
/// Building an error never formats anything; the message is assembled only when asked for,
/// so the success path stays free of `core::fmt`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    code: ErrorCode,
    reason: Option<&'static str>,
    field: Option<String>,
    position: Option<usize>,
    number: Option<u64>,
}

impl Error {
    /// An error with only a code.
    pub const fn new(code: ErrorCode) -> Self {
        Error {
            code,
            reason: None,
            field: None,
            position: None,
            number: None,
        }
    }

    pub(crate) fn with_reason(mut self, reason: &'static str) -> Self {
        self.reason = Some(reason);
        self
    }

    pub(crate) fn with_field(mut self, field: String) -> Self {
        self.field = Some(field);
        self
    }

    pub(crate) fn with_position(mut self, position: usize) -> Self {
        self.position = Some(position);
        self
    }

    /// A number the message quotes: the limit for `payload_too_large`, the tolerance for
    /// `timestamp_outside_tolerance`, the depth limit for nesting errors.
    pub(crate) fn with_number(mut self, number: u64) -> Self {
        self.number = Some(number);
        self
    }

    /// An `invalid_event` error naming the offending field.
    pub(crate) fn invalid_field(field: String, reason: &'static str) -> Self {
        Error::new(ErrorCode::InvalidEvent)
            .with_field(field)
            .with_reason(reason)
    }

    /// The stable code.
    pub const fn code(&self) -> ErrorCode {
        self.code
    }

    /// For `invalid_event`: the path of the offending field (`data.payment.amount`).
    pub fn field(&self) -> Option<&str> {
        self.field.as_deref()
    }

    /// For `invalid_json`: the byte offset in the body where parsing failed.
    pub const fn position(&self) -> Option<usize> {
        self.position
    }

    /// A one-line message for people: what failed and what to do.
    pub fn message(&self) -> String {
        let mut out = String::from(self.code.advice());
        if let Some(reason) = self.reason {
            out.push(' ');
            if let Some(field) = &self.field {
                out.push_str("Field `");
                out.push_str(field);
                out.push_str("`: ");
            }
            out.push_str(reason);
            if let Some(number) = self.number {
                out.push(' ');
                push_decimal(&mut out, number);
            }
            if let Some(position) = self.position {
                out.push_str(" (at byte ");
                push_decimal(&mut out, position as u64);
                out.push(')');
            }
            out.push('.');
        }
        out
    }
}

/// Appends `n` in decimal without going through `core::fmt`.
pub(crate) fn push_decimal(out: &mut String, n: u64) {
    let mut buf = itoa::Buffer::new();
    out.push_str(buf.format(n));
}

impl core::fmt::Display for Error {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.code.as_str())?;
        f.write_str(": ")?;
        f.write_str(&self.message())
    }
}

#[cfg(feature = "std")]
impl std::error::Error for Error {}
