//! The normalized event as JSON: what the plain ABI (the WordPress plugin, any WebAssembly
//! runtime) receives. The npm package receives the same fields as a record
//! (src/host/record.rs); the shared vectors, run by every host, hold both to one contract.

use alloc::vec::Vec;

use super::{Event, PaymentDetails, SubscriptionDetails};
use crate::amount::Amount;
use crate::json::{write_portable, write_string, RawJson};

/// The normalized event as JSON text: camelCase keys, absent fields as `null`, amounts as
/// `{"value","unit","motes"}` with exact decimal strings, and inside `data` and `metadata`
/// every amount, and every number no host could hold exactly, as a string with its text.
///
/// ```
/// let event = caspay_webhooks::parse_event(br#"{"event":"payment.received","data":{"payment_id":"pay_1","amount":12.5,"currency":"CSPR"},"timestamp":"2026-11-27T10:00:00.000Z"}"#).unwrap();
/// let json = String::from_utf8(caspay_webhooks::to_json(&event)).unwrap();
/// assert!(json.contains(r#""amount":{"value":"12.5","unit":"cspr","motes":"12500000000"}"#));
/// assert!(json.contains(r#""data":{"payment_id":"pay_1","amount":"12.5","currency":"CSPR"}"#));
/// ```
pub fn to_json(event: &Event) -> Vec<u8> {
    let mut w = Writer(Vec::with_capacity(256 + 2 * event.data.get().len()));
    w.raw(b"{\"id\":");
    w.string_or_null(event.id.as_deref());
    w.raw(b",\"type\":");
    w.string(&event.event_type);
    w.raw(b",\"kind\":");
    w.string(event.kind.as_str());
    w.raw(b",\"category\":");
    w.string(event.kind.category().as_str());
    w.raw(b",\"shape\":");
    w.string(event.shape.as_str());
    w.raw(b",\"created\":");
    match event.created {
        Some(created) => w.raw(itoa::Buffer::new().format(created).as_bytes()),
        None => w.raw(b"null"),
    }
    w.raw(b",\"merchantId\":");
    w.string_or_null(event.merchant_id.as_deref());
    w.raw(b",\"livemode\":");
    w.raw(match event.livemode {
        Some(true) => b"true",
        Some(false) => b"false",
        None => b"null",
    });
    w.raw(b",\"idempotencyKey\":");
    w.string(&event.idempotency_key);
    w.raw(b",\"payment\":");
    match &event.payment {
        Some(payment) => w.payment(payment),
        None => w.raw(b"null"),
    }
    w.raw(b",\"subscription\":");
    match &event.subscription {
        Some(subscription) => w.subscription(subscription),
        None => w.raw(b"null"),
    }
    w.raw(b",\"data\":");
    w.portable(&event.data);
    w.raw(b"}");
    w.0
}

struct Writer(Vec<u8>);

impl Writer {
    fn raw(&mut self, bytes: &[u8]) {
        self.0.extend_from_slice(bytes);
    }

    fn string(&mut self, text: &str) {
        write_string(text, &mut |bytes| self.0.extend_from_slice(bytes));
    }

    fn string_or_null(&mut self, text: Option<&str>) {
        match text {
            Some(text) => self.string(text),
            None => self.raw(b"null"),
        }
    }

    /// A raw object from the body, with numbers made portable.
    fn portable(&mut self, raw: &RawJson) {
        write_portable(raw.get(), &mut self.0);
    }

    fn portable_or_null(&mut self, raw: Option<&RawJson>) {
        match raw {
            Some(raw) => self.portable(raw),
            None => self.raw(b"null"),
        }
    }

    fn amount(&mut self, amount: &Amount) {
        self.raw(b"{\"value\":");
        self.string(amount.as_str());
        self.raw(b",\"unit\":");
        self.string(amount.unit().as_str());
        self.raw(b",\"motes\":");
        self.string_or_null(amount.motes());
        self.raw(b"}");
    }

    fn payment(&mut self, p: &PaymentDetails) {
        self.raw(b"{\"id\":");
        self.string(&p.id);
        self.raw(b",\"amount\":");
        self.amount(&p.amount);
        self.raw(b",\"currency\":");
        self.string(&p.currency);
        self.raw(b",\"status\":");
        self.string_or_null(p.status.as_deref());
        self.raw(b",\"metadata\":");
        self.portable_or_null(p.metadata.as_ref());
        self.raw(b",\"transactionHash\":");
        self.string_or_null(p.transaction_hash.as_deref());
        self.raw(b",\"payer\":");
        self.string_or_null(p.payer.as_deref());
        self.raw(b",\"productId\":");
        self.string_or_null(p.product_id.as_deref());
        self.raw(b"}");
    }

    fn subscription(&mut self, s: &SubscriptionDetails) {
        self.raw(b"{\"id\":");
        self.string(&s.id);
        self.raw(b",\"planId\":");
        self.string_or_null(s.plan_id.as_deref());
        self.raw(b",\"subscriber\":");
        self.string_or_null(s.subscriber.as_deref());
        self.raw(b",\"status\":");
        self.string_or_null(s.status.as_deref());
        self.raw(b",\"amount\":");
        match &s.amount {
            Some(amount) => self.amount(amount),
            None => self.raw(b"null"),
        }
        self.raw(b",\"currency\":");
        self.string_or_null(s.currency.as_deref());
        self.raw(b",\"paymentId\":");
        self.string_or_null(s.payment_id.as_deref());
        self.raw(b",\"transactionHash\":");
        self.string_or_null(s.transaction_hash.as_deref());
        self.raw(b",\"metadata\":");
        self.portable_or_null(s.metadata.as_ref());
        self.raw(b"}");
    }
}
