//! Other bytes for the same event, to rehearse a re-sent delivery. CasPay stores each
//! delivery's payload as an object (`webhook_deliveries.payload`, a Postgres `jsonb`
//! column) and re-sends it with `JSON.stringify`: another key order, numbers written by
//! JavaScript. The signature changes with the bytes; the idempotency key must not.

use std::fmt;

use clap::ValueEnum;
use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;

use crate::failure::Failure;

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Reserialize {
    /// As CasPay re-sends from its jsonb column: keys shorter first, then bytewise
    /// (JavaScript puts integer-like keys first), no whitespace, numbers as JavaScript
    /// writes them after a trip through a double.
    Jsonb,
    /// Indented by two spaces, as `JSON.stringify(event, null, 2)`; values as sent.
    Pretty,
    /// Keys in reverse order at every depth, no whitespace; values as sent.
    Reverse,
}

impl Reserialize {
    /// The name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Reserialize::Jsonb => "jsonb",
            Reserialize::Pretty => "pretty",
            Reserialize::Reverse => "reverse",
        }
    }
}

/// The body re-serialized in `mode`.
pub fn reserialize(body: &[u8], mode: Reserialize) -> Result<Vec<u8>, Failure> {
    let raw: &RawValue = serde_json::from_slice(body)
        .map_err(|e| Failure::Failed(format!("invalid_json: cannot re-serialize: {e}")))?;
    let node = Node::read(raw)
        .map_err(|e| Failure::Failed(format!("invalid_json: cannot re-serialize: {e}")))?;
    let mut out = String::with_capacity(body.len() + body.len() / 4);
    node.write(mode, 0, &mut out);
    Ok(out.into_bytes())
}

/// A JSON value with its members in the order sent and its scalars as their exact text.
enum Node<'a> {
    Object(Vec<(String, Node<'a>)>),
    Array(Vec<Node<'a>>),
    Scalar(&'a str),
}

impl<'a> Node<'a> {
    fn read(raw: &'a RawValue) -> Result<Node<'a>, serde_json::Error> {
        let text = raw.get();
        match text.as_bytes().first() {
            Some(b'{') => {
                let Members(members) = serde_json::from_str(text)?;
                members
                    .into_iter()
                    .map(|(key, value)| Ok((key, Node::read(value)?)))
                    .collect::<Result<_, _>>()
                    .map(Node::Object)
            }
            Some(b'[') => {
                let items: Vec<&RawValue> = serde_json::from_str(text)?;
                items
                    .into_iter()
                    .map(Node::read)
                    .collect::<Result<_, _>>()
                    .map(Node::Array)
            }
            _ => Ok(Node::Scalar(text)),
        }
    }

    fn write(&self, mode: Reserialize, depth: usize, out: &mut String) {
        match self {
            Node::Scalar(text) => out.push_str(&scalar(text, mode)),
            Node::Array(items) => {
                let items: Vec<&Node> = items.iter().collect();
                write_list(out, mode, depth, ('[', ']'), &items, |item, out| {
                    item.write(mode, depth + 1, out)
                });
            }
            Node::Object(members) => {
                let members = ordered(members, mode);
                write_list(
                    out,
                    mode,
                    depth,
                    ('{', '}'),
                    &members,
                    |(key, value), out| {
                        out.push_str(&json_string(key));
                        out.push(':');
                        if mode == Reserialize::Pretty {
                            out.push(' ');
                        }
                        value.write(mode, depth + 1, out);
                    },
                );
            }
        }
    }
}

fn write_list<T>(
    out: &mut String,
    mode: Reserialize,
    depth: usize,
    (open, close): (char, char),
    items: &[T],
    mut write_item: impl FnMut(&T, &mut String),
) {
    out.push(open);
    let pretty = mode == Reserialize::Pretty && !items.is_empty();
    for (index, item) in items.iter().enumerate() {
        if index > 0 {
            out.push(',');
        }
        if pretty {
            out.push('\n');
            out.push_str(&"  ".repeat(depth + 1));
        }
        write_item(item, out);
    }
    if pretty {
        out.push('\n');
        out.push_str(&"  ".repeat(depth));
    }
    out.push(close);
}

/// The members in the order `mode` writes them.
fn ordered<'n, 'a>(
    members: &'n [(String, Node<'a>)],
    mode: Reserialize,
) -> Vec<&'n (String, Node<'a>)> {
    match mode {
        Reserialize::Pretty => members.iter().collect(),
        Reserialize::Reverse => members.iter().rev().collect(),
        Reserialize::Jsonb => {
            // jsonb keeps the last of repeated keys and orders by length, then bytes.
            let mut kept: Vec<&(String, Node)> = Vec::with_capacity(members.len());
            for member in members.iter().rev() {
                if !kept.iter().any(|(key, _)| *key == member.0) {
                    kept.push(member);
                }
            }
            kept.sort_by(|(a, _), (b, _)| a.len().cmp(&b.len()).then_with(|| a.cmp(b)));
            // A JavaScript object lists array-index keys first, in ascending order: that
            // is already their length-then-bytes order, so a stable partition suffices.
            let (mut indexes, others): (Vec<_>, Vec<_>) =
                kept.into_iter().partition(|(key, _)| is_array_index(key));
            indexes.extend(others);
            indexes
        }
    }
}

fn is_array_index(key: &str) -> bool {
    (key == "0" || (!key.starts_with('0') && key.bytes().all(|b| b.is_ascii_digit())))
        && key.parse::<u64>().is_ok_and(|n| n < u64::from(u32::MAX))
}

/// A scalar as `mode` writes it: as sent, or as `JSON.stringify(JSON.parse(text))`.
fn scalar(text: &str, mode: Reserialize) -> String {
    if mode != Reserialize::Jsonb {
        return text.to_owned();
    }
    match text.as_bytes().first() {
        Some(b'"') => serde_json::from_str::<String>(text)
            .map(|s| json_string(&s))
            .unwrap_or_else(|_| text.to_owned()),
        Some(b'-' | b'0'..=b'9') => js_number(text),
        _ => text.to_owned(),
    }
}

fn json_string(text: &str) -> String {
    // Serializing a str cannot fail; serde_json escapes as JSON.stringify does.
    serde_json::to_string(text).unwrap_or_default()
}

/// A JSON number as JavaScript writes it after `JSON.parse`: the shortest digits that
/// round-trip the double, plain between 1e-7 and 1e21, `1e+21` style outside.
fn js_number(text: &str) -> String {
    let value: f64 = text.parse().unwrap_or(f64::NAN);
    if !value.is_finite() {
        return "null".into();
    }
    if value == 0.0 {
        return "0".into();
    }
    let scientific = format!("{:e}", value.abs());
    let (mantissa, exponent) = scientific.split_once('e').unwrap_or((&scientific, "0"));
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let k = digits.len() as i64;
    let n = exponent.parse::<i64>().unwrap_or(0) + 1;
    let body = if k <= n && n <= 21 {
        format!("{digits}{}", "0".repeat((n - k) as usize))
    } else if 0 < n && n <= 21 {
        format!("{}.{}", &digits[..n as usize], &digits[n as usize..])
    } else if -6 < n && n <= 0 {
        format!("0.{}{digits}", "0".repeat((-n) as usize))
    } else {
        let sign = if n >= 1 { '+' } else { '-' };
        let (first, rest) = digits.split_at(1);
        let dot = if rest.is_empty() { "" } else { "." };
        format!("{first}{dot}{rest}e{sign}{}", (n - 1).abs())
    };
    if value < 0.0 {
        format!("-{body}")
    } else {
        body
    }
}

/// An object's members in the order sent, repeated keys included.
struct Members<'a>(Vec<(String, &'a RawValue)>);

impl<'de> Deserialize<'de> for Members<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct MembersVisitor;
        impl<'de> Visitor<'de> for MembersVisitor {
            type Value = Members<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Members<'de>, A::Error> {
                let mut members = Vec::new();
                while let Some(member) = map.next_entry::<String, &'de RawValue>()? {
                    members.push(member);
                }
                Ok(Members(members))
            }
        }
        deserializer.deserialize_map(MembersVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn again(body: &str, mode: Reserialize) -> String {
        String::from_utf8(reserialize(body.as_bytes(), mode).unwrap()).unwrap()
    }

    #[test]
    fn numbers_as_javascript_writes_them() {
        for (sent, js) in [
            ("100", "100"),
            ("12.50", "12.5"),
            ("1e-7", "1e-7"),
            ("0.000001", "0.000001"),
            ("1E21", "1e+21"),
            ("123456789012345678901", "123456789012345680000"),
            ("-0", "0"),
            ("1e400", "null"),
            ("-1.5e-10", "-1.5e-10"),
            ("9007199254740993", "9007199254740992"),
        ] {
            assert_eq!(js_number(sent), js, "{sent}");
        }
    }

    #[test]
    fn jsonb_orders_keys_by_length_then_bytes_with_indexes_first() {
        let body = r#"{"merchant_id":"M","event":"e","data":{"b":1,"aa":2,"a":3,"10":4,"2":5},"timestamp":"t","event":"x"}"#;
        assert_eq!(
            again(body, Reserialize::Jsonb),
            r#"{"data":{"2":5,"10":4,"a":3,"b":1,"aa":2},"event":"x","timestamp":"t","merchant_id":"M"}"#
        );
    }

    #[test]
    fn pretty_and_reverse_keep_values_as_sent() {
        let body = r#"{"a":1.50,"b":[],"c":{"d":[1,{}]}}"#;
        assert_eq!(
            again(body, Reserialize::Pretty),
            "{\n  \"a\": 1.50,\n  \"b\": [],\n  \"c\": {\n    \"d\": [\n      1,\n      {}\n    ]\n  }\n}"
        );
        assert_eq!(
            again(body, Reserialize::Reverse),
            r#"{"c":{"d":[1,{}]},"b":[],"a":1.50}"#
        );
    }
}
