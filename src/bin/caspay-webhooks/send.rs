//! One delivery, with exactly the headers and body format CasPay's server sends.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use caspay_webhooks::timestamp::format_iso8601;
use caspay_webhooks::{sign, Error, EVENT_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER};

const USER_AGENT: &str = "CasPay-Webhook/1.0";
/// CasPay expects an answer within 5 seconds; waiting twice that shows slow endpoints.
const TIMEOUT: Duration = Duration::from_secs(10);

pub struct Delivery {
    body: Vec<u8>,
    signature: String,
    event_type: String,
}

pub struct Outcome {
    pub status: u16,
    pub body: String,
    pub elapsed: Duration,
}

impl Delivery {
    /// Signs the body; with `tamper`, changes one byte afterwards so the signature no
    /// longer matches, as a body altered in transit would.
    pub fn signed(
        mut body: Vec<u8>,
        secret: &[u8],
        event_type: &str,
        tamper: bool,
    ) -> Result<Self, Error> {
        let signature = sign(&body, secret)?;
        if tamper {
            match body.iter().rposition(u8::is_ascii_digit) {
                Some(at) => body[at] = if body[at] == b'9' { b'0' } else { body[at] + 1 },
                None => body.push(b' '),
            }
        }
        Ok(Delivery {
            body,
            signature,
            event_type: event_type.to_owned(),
        })
    }

    /// A delivery with a given signature header, e.g. the dashboard's `test_signature`.
    pub fn with_signature(body: Vec<u8>, signature: String, event_type: &str) -> Self {
        Delivery {
            body,
            signature,
            event_type: event_type.to_owned(),
        }
    }

    pub fn post(&self, url: &str) -> Result<Outcome, String> {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        let agent = ureq::AgentBuilder::new().timeout(TIMEOUT).build();
        let started = Instant::now();
        let response = agent
            .post(url)
            .set("Content-Type", "application/json")
            .set("User-Agent", USER_AGENT)
            .set(SIGNATURE_HEADER, &self.signature)
            .set(EVENT_HEADER, &self.event_type)
            .set(
                TIMESTAMP_HEADER,
                &format_iso8601(now.as_secs(), now.subsec_millis()),
            )
            .send_bytes(&self.body);
        let response = match response {
            Ok(response) | Err(ureq::Error::Status(_, response)) => response,
            Err(error) => return Err(error.to_string()),
        };
        let status = response.status();
        let body = response.into_string().unwrap_or_default();
        Ok(Outcome {
            status,
            body,
            elapsed: started.elapsed(),
        })
    }
}
