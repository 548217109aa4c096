//! The member names the event model reads, so each object's members are matched against
//! them once ([`super::fields::Fields`]) instead of searched for by every lookup.

macro_rules! names {
    ($($name:ident = $text:literal,)*) => {
        /// A member name the event model reads.
        #[derive(Clone, Copy, PartialEq, Eq, Debug)]
        pub(crate) enum Name {
            $($name,)*
        }

        impl Name {
            /// How many names there are.
            pub(crate) const COUNT: usize = [$($text),*].len();

            #[cfg(test)]
            const ALL: [Name; Self::COUNT] = [$(Name::$name),*];

            /// The name as it appears in a body.
            pub(crate) const fn as_str(self) -> &'static str {
                match self {
                    $(Name::$name => $text,)*
                }
            }

            /// The name `key` is, if the model reads it.
            pub(crate) fn of(key: &str) -> Option<Name> {
                match key {
                    $($text => Some(Name::$name),)*
                    _ => None,
                }
            }
        }
    };
}

names! {
    Id = "id",
    Type = "type",
    Event = "event",
    Created = "created",
    Timestamp = "timestamp",
    Data = "data",
    MerchantId = "merchant_id",
    MerchantIdCamel = "merchantId",
    Livemode = "livemode",
    Object = "object",
    Payment = "payment",
    Subscription = "subscription",
    PaymentId = "payment_id",
    PaymentIdCamel = "paymentId",
    SubscriptionId = "subscription_id",
    SubscriptionIdCamel = "subscriptionId",
    Amount = "amount",
    Currency = "currency",
    Status = "status",
    Metadata = "metadata",
    TransactionHash = "transaction_hash",
    TransactionHashCamel = "transactionHash",
    Payer = "payer",
    ProductId = "product_id",
    ProductIdCamel = "productId",
    PlanId = "plan_id",
    PlanIdCamel = "planId",
    Subscriber = "subscriber",
}

#[cfg(test)]
mod tests {
    use super::Name;

    #[test]
    fn every_name_is_read_back_from_its_text_and_nothing_else_is() {
        for name in Name::ALL {
            assert_eq!(Name::of(name.as_str()), Some(name));
        }
        for key in [
            "",
            "Id",
            "ID",
            "payment_id ",
            "paymentid",
            "data.payment",
            "amounts",
        ] {
            assert_eq!(Name::of(key), None, "{key}");
        }
    }
}
