//! The normalized event in PHP's `serialize()` format, for the WordPress plugin:
//! `unserialize()` builds from it the array that `json_decode($json, true, …,
//! JSON_BIGINT_AS_STRING)` builds from [`crate::to_json`]'s text, in well under half the
//! time (measured, PHP 8.2: 2.5 µs against 6.7 µs for the 403-byte shape-A sample's
//! event), since every length is given and nothing is unescaped.
//!
//! What keeps the two equal (the shared vectors and the differential fuzzer run both PHP
//! engines, and fuzz/abi reads this output back against the JSON one):
//! - the same members in the same order, objects and arrays both as PHP arrays;
//! - strings as their UTF-8 bytes, escapes resolved;
//! - numbers decided as the JSON output decides them (amounts, and numbers no host holds
//!   exactly, as strings); the others as `i:` for integer text and `d:` with the canonical
//!   spelling of the JSON text: the same value, with an exponent PHP's `zend_strtod` reads
//!   right (it caps a written one at 19999);
//! - object keys as strings: `unserialize` turns numeric ones into integers, and lets a
//!   repeated key overwrite the first, exactly as `json_decode` does.

use alloc::vec::Vec;

use crate::amount::Amount;
use crate::decimal::Decimal;
use crate::json::{
    is_amount_name, is_json_whitespace, number_end, number_travels_as_text, string_end,
    string_text, RawJson,
};
use crate::{Event, PaymentDetails, SubscriptionDetails};

/// Writes `event` into `out` (replacing what it held).
pub(crate) fn write_php(event: &Event, out: &mut Vec<u8>) {
    out.clear();
    let mut w = Writer {
        out,
        chunk: [0; CHUNK],
        used: 0,
    };
    w.array(12);
    w.key("id");
    w.string_or_null(event.id.as_deref());
    w.key("type");
    w.string(&event.event_type);
    w.key("kind");
    w.string(event.kind.as_str());
    w.key("category");
    w.string(event.kind.category().as_str());
    w.key("shape");
    w.string(event.shape.as_str());
    w.key("created");
    match event.created {
        Some(created) => w.integer(itoa::Buffer::new().format(created)),
        None => w.null(),
    }
    w.key("merchantId");
    w.string_or_null(event.merchant_id.as_deref());
    w.key("livemode");
    match event.livemode {
        Some(live) => w.boolean(live),
        None => w.null(),
    }
    w.key("idempotencyKey");
    w.string(&event.idempotency_key);
    w.key("payment");
    match &event.payment {
        Some(payment) => w.payment(payment),
        None => w.null(),
    }
    w.key("subscription");
    match &event.subscription {
        Some(subscription) => w.subscription(subscription),
        None => w.null(),
    }
    w.key("data");
    w.raw_json(&event.data);
    w.end();
    w.flush();
}

/// How many bytes the writer gathers before appending them to the output.
const CHUNK: usize = 256;

/// Gathers the pieces in a chunk on the stack, and writes the fixed ones (`s:`, `";`…) and
/// the counts with plain stores: nearly every piece is a few bytes long, and appending each
/// to the output (`extend_from_slice`, a `memory.copy`, which Wasmtime runs as a call out
/// of the module) took more time than the rest of the conversion.
struct Writer<'a> {
    out: &'a mut Vec<u8>,
    chunk: [u8; CHUNK],
    used: usize,
}

impl Writer<'_> {
    /// Makes room for `len` more bytes in the chunk; false when they do not fit even then.
    fn room(&mut self, len: usize) -> bool {
        if self.used + len > CHUNK {
            self.flush();
        }
        len <= CHUNK
    }

    /// A piece of any length: the text of a string or a number.
    fn put(&mut self, bytes: &[u8]) {
        if self.room(bytes.len()) {
            self.chunk[self.used..self.used + bytes.len()].copy_from_slice(bytes);
            self.used += bytes.len();
        } else {
            self.out.extend_from_slice(bytes);
        }
    }

    /// A fixed piece: inlined, its copy is a store or two.
    #[inline]
    fn fixed<const N: usize>(&mut self, bytes: &[u8; N]) {
        self.room(N);
        self.chunk[self.used..self.used + N].copy_from_slice(bytes);
        self.used += N;
    }

    /// `n` in decimal.
    fn count(&mut self, mut n: usize) {
        let digits = n.checked_ilog10().unwrap_or(0) as usize + 1;
        self.room(digits);
        for at in (self.used..self.used + digits).rev() {
            self.chunk[at] = b'0' + (n % 10) as u8;
            n /= 10;
        }
        self.used += digits;
    }

    /// Appends what the chunk holds to the output.
    fn flush(&mut self) {
        self.out.extend_from_slice(&self.chunk[..self.used]);
        self.used = 0;
    }

    /// Opens an array of `len` entries; each entry is a key, then a value.
    fn array(&mut self, len: usize) {
        self.fixed(b"a:");
        self.count(len);
        self.fixed(b":{");
    }

    fn end(&mut self) {
        self.fixed(b"}");
    }

    /// A float (`d:`) in the canonical spelling of its JSON text (`1.25e1`, see
    /// `Decimal::write_float`): the same value, with an exponent PHP reads right whatever
    /// the text's length. PHP caps a written exponent at 19999, so `1`, 30,000 zeros and
    /// `e-29990` (10^10) would read as INF.
    fn float(&mut self, number: &str) {
        self.fixed(b"d:");
        match Decimal::parse(number) {
            Some(decimal) => decimal.write_float(&mut |bytes| self.put(bytes)),
            None => self.put(number.as_bytes()),
        }
        self.fixed(b";");
    }

    /// An integer (`i:`) from its decimal text.
    fn integer(&mut self, text: &str) {
        self.fixed(b"i:");
        self.put(text.as_bytes());
        self.fixed(b";");
    }

    fn key(&mut self, name: &str) {
        self.string(name);
    }

    /// A string by its length in bytes: its content is never escaped.
    fn string(&mut self, text: &str) {
        self.fixed(b"s:");
        self.count(text.len());
        self.fixed(b":\"");
        self.put(text.as_bytes());
        self.fixed(b"\";");
    }

    fn string_or_null(&mut self, text: Option<&str>) {
        match text {
            Some(text) => self.string(text),
            None => self.null(),
        }
    }

    fn null(&mut self) {
        self.fixed(b"N;");
    }

    fn boolean(&mut self, value: bool) {
        self.fixed(if value { b"b:1;" } else { b"b:0;" });
    }

    fn amount(&mut self, amount: &Amount) {
        self.array(3);
        self.key("value");
        self.string(amount.as_str());
        self.key("unit");
        self.string(amount.unit().as_str());
        self.key("motes");
        self.string_or_null(amount.motes());
        self.end();
    }

    fn payment(&mut self, p: &PaymentDetails) {
        self.array(8);
        self.key("id");
        self.string(&p.id);
        self.key("amount");
        self.amount(&p.amount);
        self.key("currency");
        self.string(&p.currency);
        self.key("status");
        self.string_or_null(p.status.as_deref());
        self.key("metadata");
        self.raw_json_or_null(p.metadata.as_ref());
        self.key("transactionHash");
        self.string_or_null(p.transaction_hash.as_deref());
        self.key("payer");
        self.string_or_null(p.payer.as_deref());
        self.key("productId");
        self.string_or_null(p.product_id.as_deref());
        self.end();
    }

    fn subscription(&mut self, s: &SubscriptionDetails) {
        self.array(9);
        self.key("id");
        self.string(&s.id);
        self.key("planId");
        self.string_or_null(s.plan_id.as_deref());
        self.key("subscriber");
        self.string_or_null(s.subscriber.as_deref());
        self.key("status");
        self.string_or_null(s.status.as_deref());
        self.key("amount");
        match &s.amount {
            Some(amount) => self.amount(amount),
            None => self.null(),
        }
        self.key("currency");
        self.string_or_null(s.currency.as_deref());
        self.key("paymentId");
        self.string_or_null(s.payment_id.as_deref());
        self.key("transactionHash");
        self.string_or_null(s.transaction_hash.as_deref());
        self.key("metadata");
        self.raw_json_or_null(s.metadata.as_ref());
        self.end();
    }

    fn raw_json_or_null(&mut self, raw: Option<&RawJson>) {
        match raw {
            Some(raw) => self.raw_json(raw),
            None => self.null(),
        }
    }

    /// A value kept from the body, converted in one pass over its text. The text was
    /// validated with the body, so the grammar holds at every step below.
    fn raw_json(&mut self, raw: &RawJson) {
        self.value(raw.get(), 0, false);
    }

    /// The value starting at byte `at` of `text`; returns where it ends. `amount_value`:
    /// it is the value of an amount key.
    fn value(&mut self, text: &str, at: usize, amount_value: bool) -> usize {
        let bytes = text.as_bytes();
        match bytes[at] {
            b'{' => self.container(text, at, true),
            b'[' => self.container(text, at, false),
            b'"' => {
                let (end, escaped) = string_end(bytes, at);
                self.string(&string_text(&text[at + 1..end - 1], escaped));
                end
            }
            b't' => {
                self.boolean(true);
                at + 4
            }
            b'f' => {
                self.boolean(false);
                at + 5
            }
            b'n' => {
                self.null();
                at + 4
            }
            _ => {
                let end = number_end(bytes, at);
                let number = &text[at..end];
                if number_travels_as_text(number, amount_value) {
                    self.string(number);
                } else if number.contains(['.', 'e', 'E']) {
                    self.float(number);
                } else {
                    self.integer(number);
                }
                end
            }
        }
    }

    /// An object (`object`) or array from its opening byte at `at`; returns where it ends.
    /// Its count is written once known, in front of its entries.
    fn container(&mut self, text: &str, at: usize, object: bool) -> usize {
        let bytes = text.as_bytes();
        self.fixed(b"a:");
        let count_at = self.out.len() + self.used;
        self.fixed(b":{");
        let mut count = 0;
        let mut i = skip_whitespace(bytes, at + 1);
        if matches!(bytes[i], b'}' | b']') {
            i += 1;
        } else {
            loop {
                let amount_value = if object {
                    let (end, escaped) = string_end(bytes, i);
                    let key = string_text(&text[i + 1..end - 1], escaped);
                    self.string(&key);
                    // Past the key, the whitespace and the `:`.
                    i = skip_whitespace(bytes, skip_whitespace(bytes, end) + 1);
                    is_amount_name(&key)
                } else {
                    self.fixed(b"i:");
                    self.count(count);
                    self.fixed(b";");
                    false
                };
                i = skip_whitespace(bytes, self.value(text, i, amount_value));
                count += 1;
                // A `,` and the next entry, or the closing byte.
                let closed = bytes[i] != b',';
                i = skip_whitespace(bytes, i + 1);
                if closed {
                    break;
                }
            }
        }
        self.end();
        self.flush();
        let end = self.out.len();
        self.count(count);
        self.flush();
        let digits = self.out.len() - end;
        self.out[count_at..].rotate_right(digits);
        i
    }
}

fn skip_whitespace(bytes: &[u8], mut i: usize) -> usize {
    while bytes.get(i).copied().is_some_and(is_json_whitespace) {
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use alloc::string::String;

    use super::*;
    use crate::parse_event;

    fn php(body: &str) -> String {
        let mut out = Vec::new();
        write_php(&parse_event(body.as_bytes()).unwrap(), &mut out);
        String::from_utf8(out).unwrap()
    }

    /// The `data` member's serialization (the event's last member).
    fn php_data(data: &str) -> String {
        let body = alloc::format!(r#"{{"id":"evt_1","type":"note.created","data":{data}}}"#);
        let all = php(&body);
        let at = all.find(r#"s:4:"data";"#).unwrap() + r#"s:4:"data";"#.len();
        all[at..all.len() - 1].into()
    }

    #[test]
    fn writes_every_member_of_the_event_in_order() {
        let out = php(
            r#"{"id":"evt_1","type":"payment.completed","created":1640000000,"livemode":false,"data":{"payment":{"id":"pay_1","amount":100000000000,"currency":"CSPR","metadata":{"n":1}}}}"#,
        );
        assert_eq!(
            out,
            concat!(
                r#"a:12:{s:2:"id";s:5:"evt_1";s:4:"type";s:17:"payment.completed";"#,
                r#"s:4:"kind";s:17:"payment.completed";s:8:"category";s:7:"payment";"#,
                r#"s:5:"shape";s:1:"a";s:7:"created";i:1640000000;s:10:"merchantId";N;"#,
                r#"s:8:"livemode";b:0;s:14:"idempotencyKey";s:5:"evt_1";"#,
                r#"s:7:"payment";a:8:{s:2:"id";s:5:"pay_1";s:6:"amount";a:3:{"#,
                r#"s:5:"value";s:12:"100000000000";s:4:"unit";s:5:"motes";"#,
                r#"s:5:"motes";s:12:"100000000000";}s:8:"currency";s:4:"CSPR";"#,
                r#"s:6:"status";N;s:8:"metadata";a:1:{s:1:"n";i:1;}"#,
                r#"s:15:"transactionHash";N;s:5:"payer";N;s:9:"productId";N;}"#,
                r#"s:12:"subscription";N;s:4:"data";a:1:{s:7:"payment";a:4:{"#,
                r#"s:2:"id";s:5:"pay_1";s:6:"amount";s:12:"100000000000";"#,
                r#"s:8:"currency";s:4:"CSPR";s:8:"metadata";a:1:{s:1:"n";i:1;}}}}"#,
            )
        );
    }

    #[test]
    fn numbers_are_decided_as_in_the_json_output() {
        assert_eq!(
            php_data(
                r#"{"a":1,"b":-2.5,"c":1E+2,"d":9007199254740992,"e":-0,"f":1e400,"fee_amount":3}"#
            ),
            concat!(
                r#"a:7:{s:1:"a";i:1;s:1:"b";d:-2.5e0;s:1:"c";d:1e2;s:1:"d";s:16:"9007199254740992";"#,
                r#"s:1:"e";s:2:"-0";s:1:"f";s:5:"1e400";s:10:"fee_amount";s:1:"3";}"#
            )
        );
    }

    #[test]
    fn strings_are_their_bytes_with_escapes_resolved() {
        assert_eq!(
            php_data(r#"{"caf\u00e9":"a\"b\\c\n\ud83d\ude80","é":""}"#),
            "a:2:{s:5:\"caf\u{e9}\";s:10:\"a\"b\\c\n\u{1f680}\";s:2:\"\u{e9}\";s:0:\"\";}"
        );
    }

    #[test]
    fn whitespace_between_tokens_is_skipped() {
        assert_eq!(
            php_data(" {\n \"a\" : [ 1 , { } ,\t\"x\" ] ,\r\n \"b\" :null } "),
            r#"a:2:{s:1:"a";a:3:{i:0;i:1;i:1;a:0:{}i:2;s:1:"x";}s:1:"b";N;}"#
        );
    }

    #[test]
    fn arrays_objects_and_literals_nest() {
        assert_eq!(
            php_data(r#"{"list":[{},[],[true,null]],"7":false,"7":{"amount":[1]}}"#),
            concat!(
                r#"a:3:{s:4:"list";a:3:{i:0;a:0:{}i:1;a:0:{}i:2;a:2:{i:0;b:1;i:1;N;}}"#,
                r#"s:1:"7";b:0;s:1:"7";a:1:{s:6:"amount";a:1:{i:0;i:1;}}}"#
            )
        );
    }
}
