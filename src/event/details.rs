//! The typed details of payment and subscription events, read from any of the three shapes.

use alloc::string::String;

use alloc::boxed::Box;
use serde::Serialize;
use serde_json::value::RawValue;

use super::fields::Fields;
use crate::amount::Amount;
use crate::error::Error;

/// A payment, as carried by `payment.*` events.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentDetails {
    /// CasPay's payment id (`pay_…`).
    pub id: String,
    /// The amount exactly as sent (integer motes or a decimal in major units).
    pub amount: Amount,
    /// The currency code, e.g. `CSPR`.
    pub currency: String,
    /// The payment status, when sent.
    pub status: Option<String>,
    /// The merchant's metadata object, when sent.
    pub metadata: Option<Box<RawValue>>,
    /// The Casper deploy/transaction hash, when sent.
    pub transaction_hash: Option<String>,
    /// The payer's account (public key or account hash), when sent.
    pub payer: Option<String>,
    /// The product the payment is for, when sent.
    pub product_id: Option<String>,
}

/// A subscription, as carried by `subscription.*` events.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SubscriptionDetails {
    /// CasPay's subscription id (`sub_…`).
    pub id: String,
    /// The plan subscribed to, when sent.
    pub plan_id: Option<String>,
    /// The subscriber's account, when sent.
    pub subscriber: Option<String>,
    /// The subscription status, when sent.
    pub status: Option<String>,
    /// The amount exactly as sent, when sent.
    pub amount: Option<Amount>,
    /// The currency code, when sent.
    pub currency: Option<String>,
    /// The payment this event concerns, when sent.
    pub payment_id: Option<String>,
    /// The Casper transaction hash, when sent.
    pub transaction_hash: Option<String>,
    /// The merchant's metadata object, when sent.
    pub metadata: Option<Box<RawValue>>,
}

const TRANSACTION_HASH: &[&str] = &["transaction_hash", "transactionHash"];
const PRODUCT_ID: &[&str] = &["product_id", "productId"];
const PLAN_ID: &[&str] = &["plan_id", "planId"];
const PAYMENT_ID: &[&str] = &["payment_id", "paymentId"];

impl PaymentDetails {
    /// Shapes A and B name the payment `id`; shape C flattens it into `payment_id`.
    pub(crate) fn read(fields: &Fields<'_>) -> Result<Self, Error> {
        Ok(PaymentDetails {
            id: fields.required_string(&["id", "payment_id", "paymentId"])?,
            amount: fields.required_amount(&["amount"])?,
            currency: fields.required_string(&["currency"])?,
            status: fields.string(&["status"])?,
            metadata: fields.object_value(&["metadata"])?,
            transaction_hash: fields.string(TRANSACTION_HASH)?,
            payer: fields.string(&["payer"])?,
            product_id: fields.string(PRODUCT_ID)?,
        })
    }
}

impl SubscriptionDetails {
    /// Shapes A and B name the subscription `id`; shape C uses `subscription_id`.
    pub(crate) fn read(fields: &Fields<'_>) -> Result<Self, Error> {
        Ok(SubscriptionDetails {
            id: fields.required_string(&["id", "subscription_id", "subscriptionId"])?,
            plan_id: fields.string(PLAN_ID)?,
            subscriber: fields.string(&["subscriber"])?,
            status: fields.string(&["status"])?,
            amount: fields.amount(&["amount"])?,
            currency: fields.string(&["currency"])?,
            payment_id: fields.string(PAYMENT_ID)?,
            transaction_hash: fields.string(TRANSACTION_HASH)?,
            metadata: fields.object_value(&["metadata"])?,
        })
    }
}
