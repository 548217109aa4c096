//! One pass over the body that checks the JSON grammar (RFC 8259, as strict as
//! `JSON.parse` and `json_decode`), the nesting limit and the `\u` escapes, and records
//! where every member of every object and array is. Reading the event, its canonical form
//! and its parts afterwards never scans the body again, and no value is ever converted:
//! numbers keep their exact text.

use alloc::borrow::Cow;
use alloc::vec::Vec;

use crate::error::{Error, ErrorCode};

use super::{is_json_whitespace, plain_run};

/// The validated body and the position of every container's entries.
pub(crate) struct Document<'a> {
    text: &'a str,
    /// Objects and arrays in the order they open, so also by start offset.
    containers: Vec<Container>,
    /// The entries of each container, contiguous and in body order.
    entries: Vec<Entry>,
}

/// An object or array: where it starts and which entries are its own.
#[derive(Clone, Copy)]
struct Container {
    start: u32,
    first: u32,
    len: u32,
}

/// An object member or array element; an element has an empty key.
#[derive(Clone, Copy)]
pub(crate) struct Entry {
    key_start: u32,
    key_end: u32,
    key_escaped: bool,
    /// The value is a string with escapes.
    value_escaped: bool,
    value_start: u32,
    value_end: u32,
}

impl Entry {
    /// Whether the key has escapes.
    pub(crate) fn key_escaped(&self) -> bool {
        self.key_escaped
    }

    /// Whether the value is a string with escapes: one without is exactly the text between
    /// its quotes, and written again the same way (the grammar allows no control
    /// character, quote or backslash in it).
    pub(crate) fn value_escaped(&self) -> bool {
        self.value_escaped
    }
}

/// One object of the document.
#[derive(Clone, Copy)]
pub(crate) struct Object(u32);

impl<'a> Document<'a> {
    /// Validates `body`: UTF-8, then grammar and nesting in one pass.
    pub(crate) fn parse(body: &'a [u8], max_depth: usize) -> Result<Document<'a>, Error> {
        let text = core::str::from_utf8(body).map_err(|e| {
            Error::new(ErrorCode::InvalidJson)
                .with_reason("the body is not valid UTF-8")
                .with_position(e.valid_up_to())
        })?;
        let mut parser = Parser {
            bytes: body,
            i: 0,
            depth: 0,
            max_depth,
            // Enough for a CasPay event without growing.
            containers: Vec::with_capacity(8),
            entries: Vec::with_capacity(32),
            pending: Vec::with_capacity(16),
        };
        parser.skip_whitespace();
        parser.value()?;
        parser.skip_whitespace();
        if parser.i < body.len() {
            return Err(parser.fault("unexpected text after the JSON value"));
        }
        Ok(Document {
            text,
            containers: parser.containers,
            entries: parser.entries,
        })
    }

    /// The whole body as text.
    pub(crate) fn text(&self) -> &'a str {
        self.text
    }

    /// The top-level object, when the body is one.
    pub(crate) fn root(&self) -> Option<Object> {
        self.text
            .trim_start_matches(|c| is_json_whitespace(c as u8))
            .starts_with('{')
            .then_some(Object(0))
    }

    /// The object whose value is `entry`, when it is one.
    pub(crate) fn object(&self, entry: &Entry) -> Option<Object> {
        if self.text.as_bytes()[entry.value_start as usize] != b'{' {
            return None;
        }
        self.container_at(entry.value_start).map(Object)
    }

    /// The container starting at byte `start`.
    fn container_at(&self, start: u32) -> Option<u32> {
        self.containers
            .binary_search_by_key(&start, |c| c.start)
            .ok()
            .map(|index| index as u32)
    }

    /// The entries of `object`, in body order.
    pub(crate) fn members(&self, object: Object) -> &[Entry] {
        self.entries_of(object.0)
    }

    fn entries_of(&self, container: u32) -> &[Entry] {
        let c = self.containers[container as usize];
        &self.entries[c.first as usize..(c.first + c.len) as usize]
    }

    /// The entries of the array or object value starting at byte `start`.
    pub(crate) fn entries_at(&self, start: usize) -> &[Entry] {
        match self.container_at(start as u32) {
            Some(container) => self.entries_of(container),
            None => &[],
        }
    }

    /// A member's key as written between its quotes (escapes not resolved).
    pub(crate) fn raw_key(&self, entry: &Entry) -> &'a str {
        &self.text[entry.key_start as usize..entry.key_end as usize]
    }

    /// The value's text, exactly as sent.
    pub(crate) fn value(&self, entry: &Entry) -> &'a str {
        &self.text[entry.value_start as usize..entry.value_end as usize]
    }

    /// The text of a string value, escapes resolved (borrowed when it has none); None when
    /// the value is not a string.
    pub(crate) fn string_value(&self, entry: &Entry) -> Option<Cow<'a, str>> {
        let inner = self.value(entry).strip_prefix('"')?.strip_suffix('"')?;
        Some(super::string_text(inner, entry.value_escaped))
    }

    /// The member's key, escapes resolved.
    pub(crate) fn key(&self, entry: &Entry) -> Cow<'a, str> {
        super::string_text(self.raw_key(entry), entry.key_escaped)
    }

    /// The byte offset where the value starts.
    pub(crate) fn value_start(&self, entry: &Entry) -> usize {
        entry.value_start as usize
    }
}

struct Parser<'a> {
    bytes: &'a [u8],
    i: usize,
    depth: usize,
    max_depth: usize,
    containers: Vec<Container>,
    entries: Vec<Entry>,
    /// Entries of the containers still open: a container moves its own from the top of
    /// this stack into `entries` when it closes, so each container's entries end up
    /// contiguous although its values' entries close first.
    pending: Vec<Entry>,
}

impl Parser<'_> {
    fn fault(&self, reason: &'static str) -> Error {
        let reason = if self.i >= self.bytes.len() {
            "the body ends before the JSON value does"
        } else {
            reason
        };
        Error::new(ErrorCode::InvalidJson)
            .with_reason(reason)
            .with_position(self.i.min(self.bytes.len()))
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.i).copied()
    }

    fn skip_whitespace(&mut self) {
        while self.peek().is_some_and(is_json_whitespace) {
            self.i += 1;
        }
    }

    /// A value; returns whether it is a string with escapes.
    fn value(&mut self) -> Result<bool, Error> {
        match self.peek() {
            Some(b'"') => return self.string(),
            Some(b'{') => self.container(b'}'),
            Some(b'[') => self.container(b']'),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(b't') => self.literal(b"true"),
            Some(b'f') => self.literal(b"false"),
            Some(b'n') => self.literal(b"null"),
            _ => Err(self.fault("expected a JSON value")),
        }
        .map(|()| false)
    }

    /// An object (closed by `}`) or an array (closed by `]`).
    fn container(&mut self, close: u8) -> Result<(), Error> {
        self.depth += 1;
        if self.depth > self.max_depth {
            return Err(Error::new(ErrorCode::InvalidJson)
                .with_reason("objects and arrays nest deeper than the limit of")
                .with_number(self.max_depth as u64)
                .with_position(self.i));
        }
        let index = self.containers.len();
        self.containers.push(Container {
            start: self.i as u32,
            first: 0,
            len: 0,
        });
        let mark = self.pending.len();
        self.i += 1;
        self.skip_whitespace();
        if self.peek() == Some(close) {
            self.i += 1;
        } else {
            loop {
                let entry = if close == b'}' {
                    self.member()?
                } else {
                    self.element()?
                };
                self.pending.push(entry);
                self.skip_whitespace();
                match self.peek() {
                    Some(b',') => {
                        self.i += 1;
                        self.skip_whitespace();
                    }
                    Some(byte) if byte == close => {
                        self.i += 1;
                        break;
                    }
                    _ if close == b'}' => return Err(self.fault("expected , or } in an object")),
                    _ => return Err(self.fault("expected , or ] in an array")),
                }
            }
        }
        self.containers[index].first = self.entries.len() as u32;
        self.containers[index].len = (self.pending.len() - mark) as u32;
        self.entries.extend(self.pending.drain(mark..));
        self.depth -= 1;
        Ok(())
    }

    fn member(&mut self) -> Result<Entry, Error> {
        if self.peek() != Some(b'"') {
            return Err(self.fault("expected a string key"));
        }
        let key_start = self.i + 1;
        let key_escaped = self.string()?;
        let key_end = self.i - 1;
        self.skip_whitespace();
        if self.peek() != Some(b':') {
            return Err(self.fault("expected : after a key"));
        }
        self.i += 1;
        self.skip_whitespace();
        let value_start = self.i;
        let value_escaped = self.value()?;
        Ok(Entry {
            key_start: key_start as u32,
            key_end: key_end as u32,
            key_escaped,
            value_escaped,
            value_start: value_start as u32,
            value_end: self.i as u32,
        })
    }

    fn element(&mut self) -> Result<Entry, Error> {
        let start = self.i as u32;
        let value_escaped = self.value()?;
        Ok(Entry {
            key_start: start,
            key_end: start,
            key_escaped: false,
            value_escaped,
            value_start: start,
            value_end: self.i as u32,
        })
    }

    /// A string from its opening quote; returns whether it holds escapes.
    fn string(&mut self) -> Result<bool, Error> {
        let mut escaped = false;
        self.i += 1;
        loop {
            self.i += plain_run(&self.bytes[self.i..]);
            match self.peek() {
                Some(b'"') => {
                    self.i += 1;
                    return Ok(escaped);
                }
                Some(b'\\') => {
                    escaped = true;
                    self.escape()?;
                }
                Some(0..=0x1f) => {
                    return Err(self.fault("a control character must be escaped in a string"))
                }
                Some(_) => self.i += 1,
                None => return Err(self.fault("")),
            }
        }
    }

    /// An escape from its backslash. A `\u` high surrogate must be followed by a low one,
    /// and a low one must follow a high one: a lone surrogate cannot become text.
    fn escape(&mut self) -> Result<(), Error> {
        let start = self.i;
        match self.bytes.get(start + 1) {
            Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => {
                self.i += 2;
                Ok(())
            }
            Some(b'u') => {
                self.i += 2;
                match self.hex_unit()? {
                    0xd800..=0xdbff => {
                        let low = if self.bytes.get(self.i..self.i + 2) == Some(b"\\u") {
                            self.i += 2;
                            self.hex_unit()?
                        } else {
                            0
                        };
                        if !(0xdc00..=0xdfff).contains(&low) {
                            return Err(lone_surrogate(start));
                        }
                        Ok(())
                    }
                    0xdc00..=0xdfff => Err(lone_surrogate(start)),
                    _ => Ok(()),
                }
            }
            _ => {
                self.i += 1;
                Err(self.fault("invalid escape in a string"))
            }
        }
    }

    fn hex_unit(&mut self) -> Result<u16, Error> {
        let mut unit = 0u16;
        for _ in 0..4 {
            let digit = self
                .peek()
                .and_then(|d| (d as char).to_digit(16))
                .ok_or_else(|| self.fault("a \\u escape needs four hex digits"))?;
            unit = unit << 4 | digit as u16;
            self.i += 1;
        }
        Ok(unit)
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`, never converted.
    fn number(&mut self) -> Result<(), Error> {
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        match self.peek() {
            Some(b'0') => self.i += 1,
            Some(b'1'..=b'9') => self.digits(),
            _ => return Err(self.fault("a number needs a digit")),
        }
        if self.peek() == Some(b'.') {
            self.i += 1;
            self.required_digits()?;
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.i += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.i += 1;
            }
            self.required_digits()?;
        }
        Ok(())
    }

    fn digits(&mut self) {
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.i += 1;
        }
    }

    fn required_digits(&mut self) -> Result<(), Error> {
        if !self.peek().is_some_and(|b| b.is_ascii_digit()) {
            return Err(self.fault("a number needs a digit"));
        }
        self.digits();
        Ok(())
    }

    fn literal(&mut self, word: &'static [u8]) -> Result<(), Error> {
        if self.bytes.get(self.i..self.i + word.len()) != Some(word) {
            return Err(self.fault("expected true, false or null"));
        }
        self.i += word.len();
        Ok(())
    }
}

fn lone_surrogate(position: usize) -> Error {
    Error::new(ErrorCode::InvalidJson)
        .with_reason("a \\u escape is a lone UTF-16 surrogate")
        .with_position(position)
}
