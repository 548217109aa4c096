//! One normalized event model for the three body shapes CasPay sends.
//!
//! - Shape A (documented): `{"id","type","created","data":{"payment":{…}}}`
//! - Shape B (the server's event type): `{"id","type","created","data":{"object":{…}}}`
//! - Shape C (what the server posts today): `{"event","data":{…flat…},"timestamp","merchant_id"}`

mod details;
mod fields;
mod kind;
mod names;
mod output;

use alloc::string::String;

pub use details::{PaymentDetails, SubscriptionDetails};
pub use kind::{Category, EventKind};
pub use output::to_json;

use crate::error::{Error, ErrorCode};
use crate::idempotency::idempotency_key;
use crate::json::{parse_body, RawJson};
use crate::limits::Limits;
use crate::timestamp::parse_iso8601;
use fields::Fields;
use names::Name;

/// Which of the three body shapes an event arrived in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Shape {
    /// Documented: details under `data.payment` / `data.subscription`.
    A,
    /// The server's own event type: details under `data.object`.
    B,
    /// What the delivery code posts today: `event`, flat `data`, ISO `timestamp`, no id.
    C,
}

impl Shape {
    /// `a`, `b` or `c`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Shape::A => "a",
            Shape::B => "b",
            Shape::C => "c",
        }
    }

    /// The shape named `a`, `b` or `c` (either case).
    pub fn from_name(name: &str) -> Option<Shape> {
        match name {
            "a" | "A" => Some(Shape::A),
            "b" | "B" => Some(Shape::B),
            "c" | "C" => Some(Shape::C),
            _ => None,
        }
    }
}

/// A CasPay event, normalized from any shape.
#[derive(Debug, Clone)]
pub struct Event {
    /// The event id (`evt_…`); shape C carries none.
    pub id: Option<String>,
    /// The type exactly as sent (`payment.completed`).
    pub event_type: String,
    /// The known kind of `event_type`, or [`EventKind::Unknown`].
    pub kind: EventKind,
    /// The shape the body arrived in.
    pub shape: Shape,
    /// Creation time in unix seconds, from `created` or the ISO `timestamp` in the body.
    pub created: Option<u64>,
    /// The merchant id, when sent.
    pub merchant_id: Option<String>,
    /// Live or test mode, when sent.
    pub livemode: Option<bool>,
    /// The same for every copy of one event, different between events: the event id, or
    /// `sha256:` and the digest of the event's canonical content when there is no id
    /// (see [`crate::canonical_json`]).
    pub idempotency_key: String,
    /// The payment, for payment events.
    pub payment: Option<PaymentDetails>,
    /// The subscription, for subscription events.
    pub subscription: Option<SubscriptionDetails>,
    /// The original `data` object as sent (exact text, numbers included), for fields the
    /// model does not name; `serde_json::from_str(event.data.get())` reads it. The JSON
    /// output ([`to_json`]) writes amounts, and numbers no host could hold exactly, as strings.
    pub data: RawJson,
}

impl Event {
    /// The category of this event's kind.
    pub fn category(&self) -> Category {
        self.kind.category()
    }
}

/// A freshness requirement on the signed timestamp inside the body.
///
/// The clock is a parameter so callers (and tests) decide what "now" is. The
/// `X-CasPay-Timestamp` header is not signed and is never used for this.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Freshness {
    /// Largest accepted distance between `created` and `now`, in seconds.
    pub tolerance_seconds: u64,
    /// The current unix time in seconds.
    pub now: u64,
}

/// Options for [`parse_event_with`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ParseOptions {
    /// Size and nesting limits.
    pub limits: Limits,
    /// When set, events outside the tolerance fail with `timestamp_outside_tolerance`.
    pub freshness: Option<Freshness>,
}

/// Parses a raw body with the default limits and no freshness check.
///
/// This does NOT verify the signature: use [`crate::construct_event`] (or verify first) for
/// anything received over the network.
///
/// ```
/// use caspay_webhooks::{parse_event, EventKind};
/// let body = br#"{"id":"evt_123","type":"payment.completed","created":1640000000,"data":{"payment":{"id":"pay_123","amount":100000000000,"currency":"CSPR","status":"completed"}}}"#;
/// let event = parse_event(body).unwrap();
/// assert_eq!(event.kind, EventKind::PaymentCompleted);
/// let amount = event.payment.unwrap().amount;
/// assert_eq!((amount.motes(), amount.cspr().as_deref()), (Some("100000000000"), Some("100")));
/// ```
pub fn parse_event(body: &[u8]) -> Result<Event, Error> {
    parse_event_with(body, &ParseOptions::default())
}

/// Parses a raw body with explicit limits and an optional freshness check.
pub fn parse_event_with(body: &[u8], options: &ParseOptions) -> Result<Event, Error> {
    let document = parse_body(body, &options.limits)?;
    // parse_body checked that the body is an object.
    let top = Fields::root(&document).ok_or_else(|| Error::new(ErrorCode::InvalidEvent))?;

    // Shapes A and B name the type `type`; shape C names it `event`.
    let (type_field, type_is_event) = match (top.raw(Name::Type), top.raw(Name::Event)) {
        (None, Some(_)) => (Name::Event, true),
        _ => (Name::Type, false),
    };
    let event_type = top.string(&[type_field])?.unwrap_or_default();
    if event_type.is_empty() {
        return Err(top.error(
            type_field,
            "is missing or empty (the event type goes in `type`, or `event` in the flat shape)",
        ));
    }
    let data = top
        .raw(Name::Data)
        .ok_or_else(|| top.error(Name::Data, "is missing"))?;
    let data_fields = top
        .nested(Name::Data, "data")?
        .ok_or_else(|| top.error(Name::Data, "is missing"))?;
    let object_fields = data_fields.nested(Name::Object, "data.object")?;
    let shape = match (type_is_event, object_fields.is_some()) {
        (true, _) => Shape::C,
        (false, true) => Shape::B,
        (false, false) => Shape::A,
    };

    let id = top.string(&[Name::Id])?;
    if id.as_deref() == Some("") {
        return Err(top.error(Name::Id, "must not be empty"));
    }
    let created = match top.unix_seconds(Name::Created)? {
        Some(created) => Some(created),
        None => read_iso_timestamp(&top)?,
    };
    let kind = EventKind::from_type(&event_type);

    // Where the typed details live: shape A nests them by category, B under
    // `data.object`, C flattens them into `data`.
    let details = |a_name: Name, a_path: &'static str| -> Result<Fields<'_>, Error> {
        match shape {
            Shape::B => object_fields.ok_or_else(|| data_fields.error(Name::Object, "is missing")),
            Shape::C => Ok(data_fields),
            Shape::A => data_fields
                .nested(a_name, a_path)?
                .ok_or_else(|| data_fields.error(a_name, "is missing")),
        }
    };
    let (payment, subscription) = match kind.category() {
        Category::Payment => (
            Some(PaymentDetails::read(
                &details(Name::Payment, "data.payment")?,
                shape,
            )?),
            None,
        ),
        Category::Subscription => (
            None,
            Some(SubscriptionDetails::read(
                &details(Name::Subscription, "data.subscription")?,
                shape,
            )?),
        ),
        _ => (None, None),
    };

    let event = Event {
        idempotency_key: idempotency_key(id.as_deref(), &document),
        id,
        kind,
        shape,
        created,
        merchant_id: top.string(&[Name::MerchantId, Name::MerchantIdCamel])?,
        livemode: top.boolean(&[Name::Livemode])?,
        payment,
        subscription,
        data: RawJson::new(data),
        event_type,
    };
    if let Some(freshness) = options.freshness {
        check_freshness(event.created, &freshness)?;
    }
    Ok(event)
}

/// Shape C's ISO-8601 `timestamp`, used when there is no `created`.
fn read_iso_timestamp(top: &Fields<'_>) -> Result<Option<u64>, Error> {
    match top.string(&[Name::Timestamp])? {
        None => Ok(None),
        Some(iso) => parse_iso8601(&iso).map(Some).ok_or_else(|| {
            top.error(
                Name::Timestamp,
                "must be an ISO-8601 time such as 2026-11-27T10:00:00.000Z",
            )
        }),
    }
}

fn check_freshness(created: Option<u64>, freshness: &Freshness) -> Result<(), Error> {
    let outside = Error::new(ErrorCode::TimestampOutsideTolerance);
    let created = created.ok_or_else(|| {
        outside
            .clone()
            .with_reason("the event carries no signed timestamp to check")
    })?;
    if created.abs_diff(freshness.now) > freshness.tolerance_seconds {
        return Err(outside
            .with_reason("its distance from now exceeds the tolerance in seconds of")
            .with_number(freshness.tolerance_seconds));
    }
    Ok(())
}
