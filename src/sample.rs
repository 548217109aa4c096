//! Realistic bodies for every known event type in every shape, for merchants' own tests,
//! the CLI's `sample` and `send`, and the playground.

use alloc::string::String;

use sha2::{Digest, Sha256};

use crate::event::{Category, EventKind, Shape};
use crate::json::write_string;
use crate::timestamp::format_iso8601;

/// What varies between two sample deliveries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SampleOptions<'a> {
    /// Suffix of every id in the body (`evt_<seed>`, `pay_<seed>`); only ASCII letters,
    /// digits and `_` are kept.
    pub seed: &'a str,
    /// The creation time, unix seconds.
    pub created: u64,
}

impl Default for SampleOptions<'_> {
    fn default() -> Self {
        SampleOptions {
            seed: "7f3a9c2e51d04b8a",
            created: 1_795_780_800,
        }
    }
}

/// A body CasPay could send for `event_type` in `shape`; `None` for a type this version
/// does not know.
///
/// ```
/// use caspay_webhooks::{parse_event, sample::{sample_body, SampleOptions}, Shape};
/// let body = sample_body("subscription.renewed", Shape::C, &SampleOptions::default()).unwrap();
/// assert_eq!(parse_event(body.as_bytes()).unwrap().event_type, "subscription.renewed");
/// ```
pub fn sample_body(event_type: &str, shape: Shape, options: &SampleOptions<'_>) -> Option<String> {
    let kind = EventKind::from_type(event_type);
    if kind == EventKind::Unknown {
        return None;
    }
    let seed: String = options
        .seed
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    let ids = Ids::new(&seed);
    let status = status_of(event_type);
    let flat = shape == Shape::C;
    let details = match kind.category() {
        Category::Payment => payment(&ids, status, flat),
        Category::Subscription => subscription(&ids, status, kind, flat),
        Category::Invoice => invoice(&ids, status),
        Category::Payout => payout(&ids, status),
        Category::Contract => contract(&ids, kind),
        Category::Test | Category::Unknown => JsonObject::new()
            .str("message", "This is a test webhook from CasPay")
            .finish(),
    };
    let data = match (shape, kind.category()) {
        (Shape::C, _) | (Shape::A, Category::Test) => details,
        (Shape::B, _) => JsonObject::new().raw("object", &details).finish(),
        (Shape::A, category) => JsonObject::new().raw(category.as_str(), &details).finish(),
    };
    let mut number = itoa::Buffer::new();
    Some(match shape {
        Shape::C => JsonObject::new()
            .str("event", event_type)
            .raw("data", &data)
            .str("timestamp", &format_iso8601(options.created, 0))
            .str("merchant_id", &ids.merchant)
            .finish(),
        Shape::A | Shape::B => JsonObject::new()
            .str("id", &ids.event)
            .str("type", event_type)
            .raw("created", number.format(options.created))
            .raw("livemode", "false")
            .raw("data", &data)
            .finish(),
    })
}

struct Ids {
    seed: String,
    event: String,
    merchant: String,
    transaction_hash: String,
    account: String,
}

impl Ids {
    fn new(seed: &str) -> Self {
        let digest = |label: &str| {
            hex::encode(
                Sha256::new()
                    .chain_update(label)
                    .chain_update(seed)
                    .finalize(),
            )
        };
        Ids {
            seed: String::from(seed),
            event: prefixed("evt_", seed),
            merchant: prefixed("MERCH_", seed),
            transaction_hash: digest("transaction"),
            // An Ed25519 public key as Casper writes it: tag 01 and 32 bytes.
            account: prefixed("01", &digest("account")),
        }
    }

    fn id(&self, prefix: &str) -> String {
        prefixed(prefix, &self.seed)
    }
}

fn prefixed(prefix: &str, rest: &str) -> String {
    let mut s = String::with_capacity(prefix.len() + rest.len());
    s.push_str(prefix);
    s.push_str(rest);
    s
}

fn status_of(event_type: &str) -> &'static str {
    match event_type.rsplit('.').next().unwrap_or_default() {
        "completed" | "paid" | "deployed" => "completed",
        "failed" | "error" => "failed",
        "pending" | "initiated" => "pending",
        "received" => "received",
        "confirmed" => "confirmed",
        "canceled" | "cancelled" => "canceled",
        "expired" => "expired",
        "payment_failed" => "past_due",
        "created" if event_type.starts_with("invoice") => "open",
        _ => "active",
    }
}

fn payment(ids: &Ids, status: &str, flat: bool) -> String {
    let object = if flat {
        // Shape C: flat keys, amount in major units, as the delivery code posts it.
        JsonObject::new()
            .str("payment_id", &ids.id("pay_"))
            .str("product_id", &ids.id("prod_"))
            .raw("amount", "100")
    } else {
        JsonObject::new()
            .str("id", &ids.id("pay_"))
            .raw("amount", "100000000000")
            .str("status", status)
            .str("product_id", &ids.id("prod_"))
    };
    let object = object
        .str("transaction_hash", &ids.transaction_hash)
        .str("payer", &ids.account)
        .str("currency", "CSPR");
    if flat {
        object.finish()
    } else {
        object
            .raw("metadata", r#"{"orderId":"order_456"}"#)
            .finish()
    }
}

fn subscription(ids: &Ids, status: &str, kind: EventKind, flat: bool) -> String {
    let carries_payment = matches!(
        kind,
        EventKind::SubscriptionCreated
            | EventKind::SubscriptionRenewed
            | EventKind::SubscriptionPaymentSucceeded
            | EventKind::SubscriptionPaymentFailed
    );
    let object = if flat {
        JsonObject::new().str("subscription_id", &ids.id("sub_"))
    } else {
        JsonObject::new()
            .str("id", &ids.id("sub_"))
            .str("status", status)
    };
    let mut object = object
        .str("plan_id", "plan_monthly_pro")
        .str("subscriber", &ids.account);
    if carries_payment || flat {
        object = object
            .str("payment_id", &ids.id("pay_"))
            .str("transaction_hash", &ids.transaction_hash);
    }
    object
        .raw("amount", if flat { "25" } else { "25000000000" })
        .str("currency", "CSPR")
        .finish()
}

fn invoice(ids: &Ids, status: &str) -> String {
    JsonObject::new()
        .str("id", &ids.id("inv_"))
        .str("status", status)
        .raw("amount", "250.50")
        .str("currency", "CSPR")
        .raw("due_date", "1796385600")
        .finish()
}

fn payout(ids: &Ids, status: &str) -> String {
    JsonObject::new()
        .str("id", &ids.id("po_"))
        .str("status", status)
        .raw("amount", "1250000000000")
        .str("currency", "CSPR")
        .str("destination", &ids.account)
        .finish()
}

fn contract(ids: &Ids, kind: EventKind) -> String {
    let mut object = JsonObject::new()
        .str("contract_hash", &prefixed("hash-", &ids.transaction_hash))
        .str("network", "casper-test");
    if kind == EventKind::ContractError {
        object = object.str("error", "User error: 64658");
    }
    object.finish()
}

/// Writes a JSON object in the order its keys are given, as CasPay's server does.
struct JsonObject(String);

impl JsonObject {
    fn new() -> Self {
        JsonObject(String::from("{"))
    }

    fn key(mut self, key: &str) -> Self {
        if self.0.len() > 1 {
            self.0.push(',');
        }
        self.push_string(key);
        self.0.push(':');
        self
    }

    fn push_string(&mut self, value: &str) {
        // Each piece is `value` cut at ASCII bytes, or an ASCII escape: valid UTF-8.
        write_string(value, &mut |bytes| {
            self.0
                .push_str(core::str::from_utf8(bytes).unwrap_or_default())
        });
    }

    fn str(self, key: &str, value: &str) -> Self {
        let mut this = self.key(key);
        this.push_string(value);
        this
    }

    fn raw(self, key: &str, json: &str) -> Self {
        let mut this = self.key(key);
        this.0.push_str(json);
        this
    }

    fn finish(mut self) -> String {
        self.0.push('}');
        self.0
    }
}
