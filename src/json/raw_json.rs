//! A JSON value kept exactly as it was sent.

use alloc::boxed::Box;
use core::fmt;

/// A JSON value exactly as it appeared in the body, numbers and escapes included: parse it
/// with the JSON library of your choice (`serde_json::from_str(raw.get())`). It was
/// validated with the rest of the body.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct RawJson(Box<str>);

impl RawJson {
    pub(crate) fn new(text: &str) -> RawJson {
        RawJson(Box::from(text))
    }

    /// The value's JSON text.
    pub fn get(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for RawJson {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Display for RawJson {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
