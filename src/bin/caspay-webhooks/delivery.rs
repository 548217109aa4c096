//! HTTP deliveries: what CasPay's server posts (`send`), and the relay of a received
//! delivery to the merchant's app (`listen --forward-to`).

use std::io::Read;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use caspay_webhooks::timestamp::format_iso8601;
use caspay_webhooks::{EVENT_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER};

use crate::failure::Failure;

/// CasPay's User-Agent.
pub const USER_AGENT: &str = "CasPay-Webhook/1.0";
/// CasPay's sender aborts a delivery after 10 s (`AbortSignal.timeout(10000)`).
pub const CASPAY_TIMEOUT: Duration = Duration::from_secs(10);
/// Answers are shown and relayed, never stored: more than this is cut.
const MAX_ANSWER_BYTES: u64 = 1024 * 1024;

/// An HTTP answer.
pub struct Answer {
    pub status: u16,
    pub content_type: Option<String>,
    pub body: Vec<u8>,
    pub elapsed: Duration,
}

/// An agent that reports redirects instead of following them, so a misconfigured URL
/// shows its 3xx instead of silently turning the POST into a GET.
pub fn agent(timeout: Duration) -> ureq::Agent {
    ureq::AgentBuilder::new()
        .timeout(timeout)
        .redirects(0)
        .build()
}

/// CasPay's headers for one delivery, the timestamp being now.
pub fn caspay_headers(signature: &str, event_type: &str) -> Vec<(String, String)> {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    vec![
        ("Content-Type".into(), "application/json".into()),
        ("User-Agent".into(), USER_AGENT.into()),
        (SIGNATURE_HEADER.into(), signature.into()),
        (EVENT_HEADER.into(), event_type.into()),
        (
            TIMESTAMP_HEADER.into(),
            format_iso8601(now.as_secs(), now.subsec_millis()),
        ),
    ]
}

/// POSTs `body` with exactly `headers`; any status is an answer, only the network fails.
pub fn post(
    agent: &ureq::Agent,
    url: &str,
    headers: &[(String, String)],
    body: &[u8],
) -> Result<Answer, Failure> {
    let started = Instant::now();
    let request = headers
        .iter()
        .fold(agent.post(url), |request, (name, value)| {
            request.set(name, value)
        });
    let response = match request.send_bytes(body) {
        Ok(response) | Err(ureq::Error::Status(_, response)) => response,
        Err(ureq::Error::Transport(error)) => {
            return Err(match error.kind() {
                ureq::ErrorKind::InvalidUrl | ureq::ErrorKind::UnknownScheme => {
                    Failure::usage(format!("bad URL {url:?}: {error}"))
                }
                _ => Failure::Network(network_message(&error)),
            })
        }
    };
    let status = response.status();
    let content_type = response.header("Content-Type").map(str::to_owned);
    let mut answer = Vec::new();
    // A body cut short by the peer still leaves the status, which is what counts here.
    let _ = response
        .into_reader()
        .take(MAX_ANSWER_BYTES)
        .read_to_end(&mut answer);
    Ok(Answer {
        status,
        content_type,
        body: answer,
        elapsed: started.elapsed(),
    })
}

/// The cause of a network failure in a few words (ureq's text repeats the URL and kind).
fn network_message(error: &ureq::Transport) -> String {
    let mut cause: Option<&dyn std::error::Error> = std::error::Error::source(error);
    let mut text = None;
    while let Some(inner) = cause {
        text = Some(inner.to_string());
        cause = inner.source();
    }
    let detail = text.or_else(|| error.message().map(str::to_owned));
    match detail {
        Some(detail) if !detail.is_empty() => format!("{}: {detail}", error.kind()),
        _ => error.kind().to_string(),
    }
}
