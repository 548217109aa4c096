//! Every event type CasPay documents or emits, and the category each belongs to.

/// What an event is about; decides which typed details it carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Category {
    /// `payment.*`: carries [`crate::PaymentDetails`].
    Payment,
    /// `subscription.*`: carries [`crate::SubscriptionDetails`].
    Subscription,
    /// `invoice.*`.
    Invoice,
    /// `payout.*`.
    Payout,
    /// `contract.*`.
    Contract,
    /// `test.webhook`, the dashboard's test button.
    Test,
    /// A type this version does not know yet.
    Unknown,
}

impl Category {
    /// The stable lowercase name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Category::Payment => "payment",
            Category::Subscription => "subscription",
            Category::Invoice => "invoice",
            Category::Payout => "payout",
            Category::Contract => "contract",
            Category::Test => "test",
            Category::Unknown => "unknown",
        }
    }
}

macro_rules! event_kinds {
    ($($variant:ident => $canonical:literal $(| $alias:literal)* : $category:ident, $doc:literal;)*) => {
        /// The known event types. Spelling variants CasPay uses (`subscription.cancelled`)
        /// map to one kind; a type not listed is [`EventKind::Unknown`] and still parses.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum EventKind {
            $(#[doc = $doc] $variant,)*
            /// A type this version does not know.
            Unknown,
        }

        impl EventKind {
            /// Every known kind (without `Unknown`).
            pub const KNOWN: &'static [EventKind] = &[$(EventKind::$variant),*];

            /// The kind of an event type string.
            pub fn from_type(event_type: &str) -> EventKind {
                match event_type {
                    $($canonical $(| $alias)* => EventKind::$variant,)*
                    _ => EventKind::Unknown,
                }
            }

            /// The canonical type name (`unknown` for unknown types).
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(EventKind::$variant => $canonical,)*
                    EventKind::Unknown => "unknown",
                }
            }

            /// Every type string that maps to a known kind, aliases included.
            pub const TYPE_NAMES: &'static [&'static str] = &[$($canonical, $($alias,)*)*];

            /// The category this kind belongs to.
            pub const fn category(self) -> Category {
                match self {
                    $(EventKind::$variant => Category::$category,)*
                    EventKind::Unknown => Category::Unknown,
                }
            }
        }
    };
}

event_kinds! {
    PaymentCompleted => "payment.completed": Payment, "A payment settled on chain (documented).";
    PaymentFailed => "payment.failed": Payment, "A payment failed (documented).";
    PaymentPending => "payment.pending": Payment, "A payment awaits confirmation (documented).";
    PaymentReceived => "payment.received": Payment, "The server saw the payment transaction.";
    PaymentConfirmed => "payment.confirmed": Payment, "The payment transaction was confirmed.";
    SubscriptionCreated => "subscription.created": Subscription, "A subscription started (documented).";
    SubscriptionUpdated => "subscription.updated": Subscription, "A subscription changed (documented).";
    SubscriptionCanceled => "subscription.canceled" | "subscription.cancelled": Subscription, "A subscription was canceled (both spellings are sent).";
    SubscriptionPaymentSucceeded => "subscription.payment_succeeded": Subscription, "A recurring payment succeeded (documented).";
    SubscriptionPaymentFailed => "subscription.payment_failed": Subscription, "A recurring payment failed (documented).";
    SubscriptionRenewed => "subscription.renewed": Subscription, "A subscription renewed.";
    SubscriptionExpired => "subscription.expired": Subscription, "A subscription expired.";
    InvoiceCreated => "invoice.created": Invoice, "An invoice was issued.";
    InvoicePaid => "invoice.paid": Invoice, "An invoice was paid.";
    PayoutInitiated => "payout.initiated": Payout, "A payout to the merchant started.";
    PayoutCompleted => "payout.completed": Payout, "A payout to the merchant completed.";
    PayoutFailed => "payout.failed": Payout, "A payout to the merchant failed.";
    ContractDeployed => "contract.deployed": Contract, "A merchant contract was deployed.";
    ContractError => "contract.error": Contract, "A merchant contract reported an error.";
    TestWebhook => "test.webhook": Test, "The dashboard's \"send test webhook\" button.";
}
