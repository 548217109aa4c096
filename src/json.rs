//! The JSON layer: limits first, then `serde_json` with numbers kept as their exact text.

use serde_json::Value;

use crate::error::{Error, ErrorCode};
use crate::limits::Limits;

/// Parses the raw body into a JSON value after the size and depth checks.
///
/// Duplicate keys keep the last value, as `JSON.parse` and PHP's `json_decode` do, so no
/// host sees a different event than the one this core returns.
pub(crate) fn parse_body(body: &[u8], limits: &Limits) -> Result<Value, Error> {
    limits.check_size(body)?;
    limits.check_depth(body)?;
    serde_json::from_slice(body).map_err(|e| invalid_json(body, &e))
}

fn invalid_json(body: &[u8], error: &serde_json::Error) -> Error {
    use serde_json::error::Category;
    let reason = match error.classify() {
        Category::Eof => "the body ends before the JSON value does",
        Category::Syntax => "syntax error",
        Category::Data => "invalid value",
        Category::Io => "read error",
    };
    Error::new(ErrorCode::InvalidJson)
        .with_reason(reason)
        .with_position(byte_offset(body, error.line(), error.column()))
}

/// Turns serde_json's 1-based line and byte column into a 0-based byte offset.
fn byte_offset(body: &[u8], line: usize, column: usize) -> usize {
    let line_start = body
        .iter()
        .enumerate()
        .filter(|&(_, &b)| b == b'\n')
        .nth(line.saturating_sub(2))
        .map_or(0, |(i, _)| if line > 1 { i + 1 } else { 0 });
    (line_start + column.saturating_sub(1)).min(body.len())
}
