//! The keyed HMAC state of the last secret a one-shot call was given.
//!
//! Hosts without keyed state of their own (PHP through the plain ABI) pass the secret with
//! every delivery, and keying HMAC hashes two SHA-256 blocks, about a fifth of what a small
//! delivery hashes. A site has one secret, so one entry is enough; during a rotation a
//! delivery signed with the previous secret re-keys, as every call did before.

use alloc::vec::Vec;

use subtle::ConstantTimeEq;

use crate::{Error, Verifier};

pub(crate) struct LastSecret {
    keyed: Option<(Vec<u8>, Verifier)>,
}

impl LastSecret {
    pub(crate) const fn new() -> Self {
        LastSecret { keyed: None }
    }

    /// The verifier for `secret`, keyed only when it differs from the last one. The
    /// comparison takes the same time wherever the secrets differ.
    pub(crate) fn verifier(&mut self, secret: &[u8]) -> Result<&Verifier, Error> {
        let keyed = match self.keyed.take() {
            Some(keyed) if bool::from(keyed.0.as_slice().ct_eq(secret)) => keyed,
            _ => (secret.to_vec(), Verifier::new(secret)?),
        };
        Ok(&self.keyed.insert(keyed).1)
    }
}

#[cfg(test)]
mod tests {
    use super::LastSecret;
    use crate::{sign, ErrorCode};

    #[test]
    fn each_secret_verifies_its_own_signatures_whatever_came_before() {
        let body = br#"{"id":"evt_1","type":"payment.completed","data":{}}"#;
        let mut last = LastSecret::new();
        for secret in [
            &b"whsec_a"[..],
            b"whsec_b",
            b"whsec_a",
            b"whsec_a",
            b"whsec_ab",
        ] {
            let verifier = last.verifier(secret).unwrap();
            assert_eq!(
                verifier.verify(body, sign(body, secret).unwrap()).unwrap(),
                0
            );
            for other in [&b"whsec_a"[..], b"whsec_b", b"whsec_ab"] {
                if other != secret {
                    let wrong = sign(body, other).unwrap();
                    assert_eq!(
                        verifier.verify(body, wrong).unwrap_err().code(),
                        ErrorCode::SignatureMismatch
                    );
                }
            }
        }
    }

    #[test]
    fn an_empty_secret_is_refused_and_the_next_call_works() {
        let body = b"{}";
        let mut last = LastSecret::new();
        last.verifier(b"whsec_a").unwrap();
        assert_eq!(
            last.verifier(b"").unwrap_err().code(),
            ErrorCode::InvalidSecret
        );
        let verifier = last.verifier(b"whsec_a").unwrap();
        assert_eq!(
            verifier
                .verify(body, sign(body, b"whsec_a").unwrap())
                .unwrap(),
            0
        );
    }
}
