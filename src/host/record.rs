//! The normalized event as the npm package receives it: the same fields as [`crate::to_json`]
//! writes, laid out so JavaScript builds the event with object literals instead of parsing
//! a JSON text twice the size of the body (measured: that parse was a third of a
//! `parseEvent`). Only `data` and `metadata`, objects of any shape, stay JSON.
//!
//! Layout: a little-endian `u32` count of slots, one little-endian `u32` per slot (its
//! length in bytes, or [`NULL`]), then the UTF-8 text of every non-null slot back to back.
//! JavaScript decodes the text once and slices it when it is ASCII (nearly always), and
//! decodes slot by slot otherwise. The slots, in order (pkg/src/event-record.js reads them):
//! - id, type, kind, category, shape, created (decimal), merchantId, livemode (`true` or
//!   `false`), idempotencyKey, data (JSON), then `payment`, `subscription` or null;
//! - a payment: id, amount value, unit, motes, currency, status, metadata (JSON),
//!   transactionHash, payer, productId;
//! - a subscription: id, planId, subscriber, status, amount value (null: no amount), unit,
//!   motes, currency, paymentId, transactionHash, metadata (JSON).

use alloc::vec::Vec;

use crate::amount::Amount;
use crate::json::{write_portable, RawJson};
use crate::Event;

/// The length of a null slot.
const NULL: u32 = u32::MAX;

/// Writes `event` as a record into `out` (cleared first).
pub(crate) fn write_record(event: &Event, out: &mut Vec<u8>) {
    let slots = 11
        + match (&event.payment, &event.subscription) {
            (Some(_), _) => 10,
            (None, Some(_)) => 11,
            (None, None) => 0,
        };
    let mut record = Record::new(out, slots);
    record.text(event.id.as_deref());
    record.text(Some(&event.event_type));
    record.text(Some(event.kind.as_str()));
    record.text(Some(event.kind.category().as_str()));
    record.text(Some(event.shape.as_str()));
    match event.created {
        Some(created) => record.text(Some(itoa::Buffer::new().format(created))),
        None => record.text(None),
    }
    record.text(event.merchant_id.as_deref());
    record.text(
        event
            .livemode
            .map(|live| if live { "true" } else { "false" }),
    );
    record.text(Some(&event.idempotency_key));
    record.json(Some(&event.data));
    match (&event.payment, &event.subscription) {
        (Some(p), _) => {
            record.text(Some("payment"));
            record.text(Some(&p.id));
            record.amount(Some(&p.amount));
            record.text(Some(&p.currency));
            record.text(p.status.as_deref());
            record.json(p.metadata.as_ref());
            record.text(p.transaction_hash.as_deref());
            record.text(p.payer.as_deref());
            record.text(p.product_id.as_deref());
        }
        (None, Some(s)) => {
            record.text(Some("subscription"));
            record.text(Some(&s.id));
            record.text(s.plan_id.as_deref());
            record.text(s.subscriber.as_deref());
            record.text(s.status.as_deref());
            record.amount(s.amount.as_ref());
            record.text(s.currency.as_deref());
            record.text(s.payment_id.as_deref());
            record.text(s.transaction_hash.as_deref());
            record.json(s.metadata.as_ref());
        }
        (None, None) => record.text(None),
    }
}

struct Record<'a> {
    out: &'a mut Vec<u8>,
    /// The offset of the next slot's length.
    next: usize,
}

impl<'a> Record<'a> {
    fn new(out: &'a mut Vec<u8>, slots: usize) -> Self {
        out.clear();
        out.extend_from_slice(&(slots as u32).to_le_bytes());
        out.resize(4 + 4 * slots, 0);
        Record { out, next: 4 }
    }

    fn text(&mut self, text: Option<&str>) {
        let start = self.out.len();
        if let Some(text) = text {
            self.out.extend_from_slice(text.as_bytes());
        }
        self.close(text.map(|_| start));
    }

    /// An object kept as sent, with numbers made portable.
    fn json(&mut self, raw: Option<&RawJson>) {
        let start = self.out.len();
        if let Some(raw) = raw {
            write_portable(raw.get(), self.out);
        }
        self.close(raw.map(|_| start));
    }

    /// Three slots: the value, the unit and the motes, or three nulls.
    fn amount(&mut self, amount: Option<&Amount>) {
        self.text(amount.map(Amount::as_str));
        self.text(amount.map(|a| a.unit().as_str()));
        self.text(amount.and_then(Amount::motes));
    }

    /// Records the length of the slot written since `start` (None: a null slot).
    fn close(&mut self, start: Option<usize>) {
        let length = start.map_or(NULL, |start| (self.out.len() - start) as u32);
        self.out[self.next..self.next + 4].copy_from_slice(&length.to_le_bytes());
        self.next += 4;
    }
}
