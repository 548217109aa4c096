//! The typed details of payment and subscription events, read from any of the three shapes.

use alloc::string::String;

use super::fields::Fields;
use super::names::Name;
use super::Shape;
use crate::amount::{Amount, AmountUnit};
use crate::error::Error;
use crate::json::RawJson;

/// A payment, as carried by `payment.*` events.
#[derive(Debug, Clone)]
pub struct PaymentDetails {
    /// CasPay's payment id (`pay_…`).
    pub id: String,
    /// The amount exactly as sent, its unit, and the exact amount in motes for CSPR.
    pub amount: Amount,
    /// The currency code, e.g. `CSPR`.
    pub currency: String,
    /// The payment status, when sent.
    pub status: Option<String>,
    /// The merchant's metadata object, when sent.
    pub metadata: Option<RawJson>,
    /// The Casper deploy/transaction hash, when sent.
    pub transaction_hash: Option<String>,
    /// The payer's account (public key or account hash), when sent.
    pub payer: Option<String>,
    /// The product the payment is for, when sent.
    pub product_id: Option<String>,
}

/// A subscription, as carried by `subscription.*` events.
#[derive(Debug, Clone)]
pub struct SubscriptionDetails {
    /// CasPay's subscription id (`sub_…`).
    pub id: String,
    /// The plan subscribed to, when sent.
    pub plan_id: Option<String>,
    /// The subscriber's account, when sent.
    pub subscriber: Option<String>,
    /// The subscription status, when sent.
    pub status: Option<String>,
    /// The amount exactly as sent, its unit and motes, when sent.
    pub amount: Option<Amount>,
    /// The currency code, when sent.
    pub currency: Option<String>,
    /// The payment this event concerns, when sent.
    pub payment_id: Option<String>,
    /// The Casper transaction hash, when sent.
    pub transaction_hash: Option<String>,
    /// The merchant's metadata object, when sent.
    pub metadata: Option<RawJson>,
}

const TRANSACTION_HASH: &[Name] = &[Name::TransactionHash, Name::TransactionHashCamel];
const PRODUCT_ID: &[Name] = &[Name::ProductId, Name::ProductIdCamel];
const PLAN_ID: &[Name] = &[Name::PlanId, Name::PlanIdCamel];
const PAYMENT_ID: &[Name] = &[Name::PaymentId, Name::PaymentIdCamel];

impl PaymentDetails {
    /// Shapes A and B name the payment `id`; shape C flattens it into `payment_id`.
    pub(crate) fn read(fields: &Fields<'_>, shape: Shape) -> Result<Self, Error> {
        let id = fields.required_string(&[Name::Id, Name::PaymentId, Name::PaymentIdCamel])?;
        let amount = fields.required_amount_text(&[Name::Amount])?;
        let currency = fields.required_string(&[Name::Currency])?;
        Ok(PaymentDetails {
            id,
            amount: fields.amount_in(amount, AmountUnit::of(Some(&currency), shape))?,
            currency,
            status: fields.string(&[Name::Status])?,
            metadata: fields.object_value(&[Name::Metadata])?,
            transaction_hash: fields.string(TRANSACTION_HASH)?,
            payer: fields.string(&[Name::Payer])?,
            product_id: fields.string(PRODUCT_ID)?,
        })
    }
}

impl SubscriptionDetails {
    /// Shapes A and B name the subscription `id`; shape C uses `subscription_id`.
    pub(crate) fn read(fields: &Fields<'_>, shape: Shape) -> Result<Self, Error> {
        let id =
            fields.required_string(&[Name::Id, Name::SubscriptionId, Name::SubscriptionIdCamel])?;
        let plan_id = fields.string(PLAN_ID)?;
        let subscriber = fields.string(&[Name::Subscriber])?;
        let status = fields.string(&[Name::Status])?;
        let amount = fields.amount_text(&[Name::Amount])?;
        let currency = fields.string(&[Name::Currency])?;
        let unit = AmountUnit::of(currency.as_deref(), shape);
        Ok(SubscriptionDetails {
            id,
            plan_id,
            subscriber,
            status,
            amount: amount.map(|a| fields.amount_in(a, unit)).transpose()?,
            currency,
            payment_id: fields.string(PAYMENT_ID)?,
            transaction_hash: fields.string(TRANSACTION_HASH)?,
            metadata: fields.object_value(&[Name::Metadata])?,
        })
    }
}
