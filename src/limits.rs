//! Limits that keep hostile bodies cheap to reject.

use crate::error::{Error, ErrorCode};

/// Default body size limit. CasPay events are a few hundred bytes; 256 KiB leaves room for
/// large metadata while keeping a flood of oversized bodies cheap.
pub const DEFAULT_MAX_PAYLOAD_BYTES: usize = 256 * 1024;

/// Default JSON nesting limit. CasPay events nest four levels deep; 32 leaves room for
/// merchant metadata and stays far below any parser's recursion limit.
pub const DEFAULT_MAX_DEPTH: usize = 32;

/// The deepest nesting any configuration accepts: a larger `max_depth` counts as this. It
/// bounds the stack every walk over the body needs, in every host.
pub const MAX_DEPTH_LIMIT: usize = 128;

/// The largest body any configuration accepts: a larger `max_payload_bytes` counts as this.
/// The parser records positions in 32 bits (and a body this size is no webhook).
const MAX_PAYLOAD_LIMIT: usize = u32::MAX as usize;

/// Size and nesting limits, checked before (size) and while (nesting) the body is parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest accepted body, in bytes (at most 4 GiB − 1: a larger value counts as that).
    pub max_payload_bytes: usize,
    /// Deepest accepted nesting of JSON objects and arrays (at most [`MAX_DEPTH_LIMIT`]).
    pub max_depth: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_payload_bytes: DEFAULT_MAX_PAYLOAD_BYTES,
            max_depth: DEFAULT_MAX_DEPTH,
        }
    }
}

impl Limits {
    /// The nesting limit in force: `max_depth`, capped at [`MAX_DEPTH_LIMIT`].
    pub const fn depth(&self) -> usize {
        if self.max_depth < MAX_DEPTH_LIMIT {
            self.max_depth
        } else {
            MAX_DEPTH_LIMIT
        }
    }

    /// The size limit in force: `max_payload_bytes`, capped at 4 GiB − 1.
    pub const fn payload_bytes(&self) -> usize {
        if self.max_payload_bytes < MAX_PAYLOAD_LIMIT {
            self.max_payload_bytes
        } else {
            MAX_PAYLOAD_LIMIT
        }
    }

    /// `payload_too_large` when the body exceeds the size limit.
    pub fn check_size(&self, body: &[u8]) -> Result<(), Error> {
        if body.len() > self.payload_bytes() {
            return Err(self.too_large());
        }
        Ok(())
    }

    /// The `payload_too_large` error for this limit (hosts that measure the body before
    /// handing it over report it through here, with the same message).
    pub fn too_large(&self) -> Error {
        Error::new(ErrorCode::PayloadTooLarge)
            .with_reason("the limit in bytes is")
            .with_number(self.payload_bytes() as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_limit_admits_a_body_whose_positions_overflow_32_bits() {
        let unlimited = Limits {
            max_payload_bytes: usize::MAX,
            ..Limits::default()
        };
        assert_eq!(unlimited.payload_bytes(), u32::MAX as usize);
        let error = unlimited.too_large();
        assert_eq!(error.code(), ErrorCode::PayloadTooLarge);
        assert!(
            error.message().contains("4294967295"),
            "{}",
            error.message()
        );
        assert_eq!(Limits::default().payload_bytes(), DEFAULT_MAX_PAYLOAD_BYTES);
    }
}
