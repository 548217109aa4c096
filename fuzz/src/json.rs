//! A strict RFC 8259 reader with the contract's limits, and a writer with the freedoms a
//! re-sender has. Independent of the core: numbers stay text, strings are unescaped here.

use crate::Rng;

/// Deepest nesting the contract accepts (objects and arrays, root included).
pub const MAX_DEPTH: usize = 32;

/// A JSON value; numbers keep the text they were written with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// `null`
    Null,
    /// `true` or `false`
    Bool(bool),
    /// A number, exactly as written.
    Number(String),
    /// A string, unescaped.
    String(String),
    /// An array.
    Array(Vec<Value>),
    /// An object's members in order, repeated keys included.
    Object(Vec<(String, Value)>),
}

impl Value {
    /// The members of an object as a reader sees them: a repeated key once, with its last
    /// value, at the place of its last occurrence.
    pub fn last_wins(members: &[(String, Value)]) -> Vec<(String, Value)> {
        let mut out: Vec<(String, Value)> = Vec::with_capacity(members.len());
        for (i, (key, value)) in members.iter().enumerate() {
            if !members[i + 1..].iter().any(|(k, _)| k == key) {
                out.push((key.clone(), value.clone()));
            }
        }
        out
    }

    /// The text of a string value.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(text) => Some(text),
            _ => None,
        }
    }

    /// The member `key` of an object (last one wins).
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Object(members) => members.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }
}

/// Reads a complete JSON text: UTF-8, whitespace only where RFC 8259 allows it, no BOM,
/// no lone surrogate escapes, nesting at most [`MAX_DEPTH`]. `None` for anything else.
pub fn parse(bytes: &[u8]) -> Option<Value> {
    parse_nested(bytes, MAX_DEPTH)
}

/// [`parse`] with another nesting limit (for output, which may nest deeper than a body).
pub fn parse_nested(bytes: &[u8], max_depth: usize) -> Option<Value> {
    let text = std::str::from_utf8(bytes).ok()?;
    let mut reader = Reader {
        bytes: text.as_bytes(),
        i: 0,
        max_depth,
    };
    reader.whitespace();
    let value = reader.value(0)?;
    reader.whitespace();
    (reader.i == reader.bytes.len()).then_some(value)
}

struct Reader<'a> {
    bytes: &'a [u8],
    i: usize,
    max_depth: usize,
}

impl Reader<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.i).copied()
    }

    fn whitespace(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.i += 1;
        }
    }

    fn eat(&mut self, byte: u8) -> bool {
        if self.peek() == Some(byte) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn literal(&mut self, word: &[u8]) -> bool {
        if self.bytes[self.i..].starts_with(word) {
            self.i += word.len();
            true
        } else {
            false
        }
    }

    fn value(&mut self, depth: usize) -> Option<Value> {
        match self.peek()? {
            b'{' => self.object(depth + 1),
            b'[' => self.array(depth + 1),
            b'"' => self.string().map(Value::String),
            b't' => self.literal(b"true").then_some(Value::Bool(true)),
            b'f' => self.literal(b"false").then_some(Value::Bool(false)),
            b'n' => self.literal(b"null").then_some(Value::Null),
            _ => self.number().map(Value::Number),
        }
    }

    fn object(&mut self, depth: usize) -> Option<Value> {
        if depth > self.max_depth {
            return None;
        }
        self.i += 1;
        let mut members = Vec::new();
        self.whitespace();
        if self.eat(b'}') {
            return Some(Value::Object(members));
        }
        loop {
            self.whitespace();
            if self.peek() != Some(b'"') {
                return None;
            }
            let key = self.string()?;
            self.whitespace();
            if !self.eat(b':') {
                return None;
            }
            self.whitespace();
            members.push((key, self.value(depth)?));
            self.whitespace();
            if self.eat(b'}') {
                return Some(Value::Object(members));
            }
            if !self.eat(b',') {
                return None;
            }
        }
    }

    fn array(&mut self, depth: usize) -> Option<Value> {
        if depth > self.max_depth {
            return None;
        }
        self.i += 1;
        let mut items = Vec::new();
        self.whitespace();
        if self.eat(b']') {
            return Some(Value::Array(items));
        }
        loop {
            self.whitespace();
            items.push(self.value(depth)?);
            self.whitespace();
            if self.eat(b']') {
                return Some(Value::Array(items));
            }
            if !self.eat(b',') {
                return None;
            }
        }
    }

    fn hex4(&mut self) -> Option<u16> {
        let digits = self.bytes.get(self.i..self.i + 4)?;
        let text = std::str::from_utf8(digits).ok()?;
        if !text.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        self.i += 4;
        u16::from_str_radix(text, 16).ok()
    }

    fn string(&mut self) -> Option<String> {
        self.i += 1;
        let mut out = String::new();
        loop {
            let start = self.i;
            while !matches!(self.peek()?, b'"' | b'\\' | 0..=0x1f) {
                self.i += 1;
            }
            // The input is UTF-8 and the stops are ASCII, so this slice is whole characters.
            out.push_str(std::str::from_utf8(&self.bytes[start..self.i]).ok()?);
            match self.peek()? {
                b'"' => {
                    self.i += 1;
                    return Some(out);
                }
                b'\\' => {
                    self.i += 1;
                    let escape = self.peek()?;
                    self.i += 1;
                    let ch = match escape {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            let unit = self.hex4()?;
                            match unit {
                                0xd800..=0xdbff => {
                                    if !self.literal(b"\\u") {
                                        return None;
                                    }
                                    let low = self.hex4()?;
                                    if !(0xdc00..=0xdfff).contains(&low) {
                                        return None;
                                    }
                                    let code = 0x10000
                                        + ((u32::from(unit) - 0xd800) << 10)
                                        + (u32::from(low) - 0xdc00);
                                    char::from_u32(code)?
                                }
                                0xdc00..=0xdfff => return None,
                                _ => char::from_u32(u32::from(unit))?,
                            }
                        }
                        _ => return None,
                    };
                    out.push(ch);
                }
                _ => return None,
            }
        }
    }

    fn number(&mut self) -> Option<String> {
        let start = self.i;
        self.eat(b'-');
        match self.peek()? {
            b'0' => self.i += 1,
            b'1'..=b'9' => self.digits(),
            _ => return None,
        }
        if self.eat(b'.') {
            if !self.peek()?.is_ascii_digit() {
                return None;
            }
            self.digits();
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.i += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.i += 1;
            }
            if !self.peek()?.is_ascii_digit() {
                return None;
            }
            self.digits();
        }
        Some(String::from_utf8_lossy(&self.bytes[start..self.i]).into_owned())
    }

    fn digits(&mut self) {
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.i += 1;
        }
    }
}

/// How [`write`] may re-serialize a value without changing what it says.
#[derive(Debug, Clone, Copy, Default)]
pub struct Freedoms {
    /// Members in another order (each repeated key kept once, with its last value).
    pub reorder: bool,
    /// Whitespace between tokens.
    pub whitespace: bool,
    /// Other escapes for the same characters (`\u00e9`, `\/`, `\u0022`).
    pub escapes: bool,
    /// Other spellings of the same numbers (`12.50`, `1.25e1`, `1250E-2`, `-0`).
    pub respell: bool,
    /// A repeated key placed before the member that wins.
    pub decoys: bool,
}

/// The value as JSON text, taking the given freedoms at random.
pub fn write(value: &Value, freedoms: Freedoms, rng: &mut Rng) -> String {
    let mut out = String::new();
    Writer { freedoms, rng }.value(value, &mut out);
    out
}

struct Writer<'a> {
    freedoms: Freedoms,
    rng: &'a mut Rng,
}

impl Writer<'_> {
    fn space(&mut self, out: &mut String) {
        if self.freedoms.whitespace {
            for _ in 0..self.rng.below(3) {
                out.push([' ', '\t', '\n', '\r'][self.rng.below(4)]);
            }
        }
    }

    fn value(&mut self, value: &Value, out: &mut String) {
        match value {
            Value::Null => out.push_str("null"),
            Value::Bool(true) => out.push_str("true"),
            Value::Bool(false) => out.push_str("false"),
            Value::Number(text) => {
                if self.freedoms.respell {
                    out.push_str(&respell(text, self.rng));
                } else {
                    out.push_str(text);
                }
            }
            Value::String(text) => self.string(text, out),
            Value::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    self.space(out);
                    self.value(item, out);
                    self.space(out);
                }
                out.push(']');
            }
            Value::Object(members) => {
                let mut members = if self.freedoms.reorder {
                    Value::last_wins(members)
                } else {
                    members.clone()
                };
                if self.freedoms.reorder {
                    for i in (1..members.len()).rev() {
                        members.swap(i, self.rng.below(i + 1));
                    }
                }
                out.push('{');
                let mut first = true;
                for (key, value) in &members {
                    if self.freedoms.decoys && self.rng.one_in(4) {
                        self.member(key, &Value::Null, &mut first, out);
                    }
                    self.member(key, value, &mut first, out);
                }
                out.push('}');
            }
        }
    }

    fn member(&mut self, key: &str, value: &Value, first: &mut bool, out: &mut String) {
        if !*first {
            out.push(',');
        }
        *first = false;
        self.space(out);
        self.string(key, out);
        self.space(out);
        out.push(':');
        self.space(out);
        self.value(value, out);
        self.space(out);
    }

    fn string(&mut self, text: &str, out: &mut String) {
        out.push('"');
        for ch in text.chars() {
            let short = match ch {
                '"' => Some("\\\""),
                '\\' => Some("\\\\"),
                '\u{8}' => Some("\\b"),
                '\u{c}' => Some("\\f"),
                '\n' => Some("\\n"),
                '\r' => Some("\\r"),
                '\t' => Some("\\t"),
                '/' => Some("\\/"),
                _ => None,
            };
            let must_escape = (ch as u32) < 0x20 || ch == '"' || ch == '\\';
            let choice = if self.freedoms.escapes {
                self.rng.below(3)
            } else {
                0
            };
            match (choice, short) {
                (0, _) if !must_escape => out.push(ch),
                (0 | 1, Some(short)) => out.push_str(short),
                _ => {
                    let mut units = [0u16; 2];
                    for unit in ch.encode_utf16(&mut units) {
                        if self.rng.one_in(2) {
                            out.push_str(&format!("\\u{unit:04x}"));
                        } else {
                            out.push_str(&format!("\\u{unit:04X}"));
                        }
                    }
                }
            }
        }
        out.push('"');
    }
}

/// Another spelling of the same number. Numbers whose exponent has more than 15 significant
/// digits are canonicalized as written, so they are left alone.
pub fn respell(text: &str, rng: &mut Rng) -> String {
    let number = crate::spec::Number::split(text);
    if number.exponent_digits() > crate::spec::MAX_EXPONENT_DIGITS {
        return text.to_string();
    }
    let sign = if number.negative { "-" } else { "" };
    if number.is_zero() {
        return ["0", "-0", "0.000", "-0.0e7", "0E-0003"][rng.below(5)].to_string();
    }
    match rng.below(3) {
        // More zeros at the end of the fraction.
        0 => {
            let zeros = "0".repeat(1 + rng.below(3));
            let exponent = if number.exponent.is_empty() {
                String::new()
            } else {
                format!("e{}", number.exponent)
            };
            format!(
                "{sign}{}.{}{zeros}{exponent}",
                number.integer, number.fraction
            )
        }
        // Another exponent letter, an explicit `+`, leading zeros in the exponent.
        1 if !number.exponent.is_empty() => {
            let (exp_sign, digits) = match number.exponent.as_bytes()[0] {
                b'+' | b'-' => number.exponent.split_at(1),
                _ => ("+", number.exponent),
            };
            let letter = if rng.one_in(2) { "E" } else { "e" };
            let fraction = if number.fraction.is_empty() {
                String::new()
            } else {
                format!(".{}", number.fraction)
            };
            format!(
                "{sign}{}{fraction}{letter}{exp_sign}{}{digits}",
                number.integer,
                "0".repeat(rng.below(3))
            )
        }
        // Without an exponent: all the digits as an integer times a power of ten.
        _ if number.exponent.is_empty() => {
            let digits = format!("{}{}", number.integer, number.fraction);
            let digits = digits.trim_start_matches('0');
            format!("{sign}{digits}e-{}", number.fraction.len())
        }
        _ => text.to_string(),
    }
}
