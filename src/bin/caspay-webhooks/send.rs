//! `send`: deliveries exactly as CasPay's server posts them, one or a sequence, from a
//! generated sample, a stored body, or a re-send of an earlier one.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use caspay_webhooks::{parse_event, sign};
use clap::Args;

use crate::delivery::{self, Answer, CASPAY_TIMEOUT};
use crate::failure::Failure;
use crate::input::read_file;
use crate::output;
use crate::reserialize::{reserialize, Reserialize};
use crate::sample::{event_type, SampleArgs};
use crate::secrets::SigningSecret;

const DEFAULT_TYPE: &str = "payment.received";

#[derive(Args, Debug)]
#[command(after_help = SEND_HELP)]
pub struct SendCommand {
    /// The endpoint, e.g. http://127.0.0.1:3000/webhook.
    #[arg(long)]
    url: String,
    #[command(flatten)]
    secret: SigningSecret,
    /// The X-CasPay-Event header and the type of a generated body [default: payment.received;
    /// with --body or --retry-of, the body's own type].
    #[arg(long = "type", value_parser = event_type)]
    event_type: Option<String>,
    #[command(flatten)]
    sample: SampleArgs,
    /// Send this file's bytes as the body, signed as they are.
    #[arg(long, value_name = "FILE", conflicts_with = "retry_of")]
    body: Option<PathBuf>,
    /// Re-send an earlier delivery's body (a stored event), as CasPay's retries do.
    #[arg(long, value_name = "FILE")]
    retry_of: Option<PathBuf>,
    /// With --retry-of: re-send the event with other bytes, as CasPay does when it re-sends
    /// a delivery stored as an object; the idempotency key must stay the same.
    #[arg(long, value_enum, requires = "retry_of")]
    reserialize: Option<Reserialize>,
    /// How many deliveries to send. Generated bodies are distinct events unless --seed is
    /// given; a --body or --retry-of file is sent that many times.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..=100_000))]
    count: u64,
    /// How many deliveries are in flight at once.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..=64))]
    concurrency: u64,
    /// Seconds to wait for each answer (CasPay gives up after 10).
    #[arg(long, value_name = "SECONDS", default_value_t = CASPAY_TIMEOUT.as_secs(),
          value_parser = clap::value_parser!(u64).range(1..=600))]
    timeout: u64,
    /// Change the body after signing, as an attacker would.
    #[arg(long)]
    tamper: bool,
    /// Send this X-CasPay-Signature instead of signing (the dashboard's test button sends
    /// `test_signature`).
    #[arg(long, conflicts_with = "tamper")]
    signature: Option<String>,
}

const SEND_HELP: &str = "\
Prints one line per delivery: its number (in a sequence), the status or `error`, the time
taken and the answer; then, for a sequence, a summary line.

Secrets: --secret-file PATH, CASPAY_WEBHOOK_SECRET (the first of a comma-separated list),
--secret-hex HEX, or --secret TEXT (visible to other users in `ps`).

Exit codes: 0 every delivery was answered 2xx; 4 at least one was answered outside 2xx;
3 at least one failed on the network (refused, timed out, unknown host); 2 usage error.";

/// Where each delivery's body comes from.
enum Source {
    Generated { event_type: String },
    Fixed { body: Vec<u8>, event_type: String },
}

struct Outcome {
    number: u64,
    result: Result<Answer, Failure>,
}

pub fn run(command: SendCommand) -> Result<(), Failure> {
    let key = match (&command.signature, command.secret.is_given()) {
        (Some(_), false) => None,
        _ => Some(command.secret.key()?),
    };
    let source = source(&command)?;
    let agent = delivery::agent(Duration::from_secs(command.timeout));
    let next = AtomicU64::new(0);
    let (outcomes, received) = mpsc::channel();
    let started = Instant::now();
    let mut summary = Summary::default();
    let printed = std::thread::scope(|scope| {
        for _ in 0..command.concurrency.min(command.count) {
            let outcomes = outcomes.clone();
            let (agent, next, source, key) = (&agent, &next, &source, &key);
            let command = &command;
            scope.spawn(move || loop {
                let number = next.fetch_add(1, Ordering::SeqCst) + 1;
                if number > command.count {
                    break;
                }
                let result = deliver(command, agent, source, key.as_deref(), number);
                if outcomes.send(Outcome { number, result }).is_err() {
                    break;
                }
            });
        }
        drop(outcomes);
        let printed = received.iter().try_for_each(|outcome| {
            let line = summary.add(outcome, command.count > 1)?;
            output::line(&line)
        });
        // On an early stop (a bad URL, a closed output) the workers' next send fails and
        // they stop instead of sending the rest of the sequence.
        drop(received);
        printed
    });
    printed?;
    if command.count > 1 {
        output::line(&summary.line(started.elapsed()))?;
    }
    summary.verdict(command.count, &command.url)
}

fn source(command: &SendCommand) -> Result<Source, Failure> {
    if let Some(path) = &command.retry_of {
        let original = read_file(path)?;
        let event = parse_event(&original).map_err(|error| {
            Failure::Failed(format!(
                "{error} (--retry-of re-sends a stored event; {} is not one)",
                path.display()
            ))
        })?;
        let body = match command.reserialize {
            Some(mode) => {
                let body = reserialize(&original, mode)?;
                let again = parse_event(&body)?;
                output::note(&format!(
                    "retry of {}: {} bytes re-serialized as {} ({} before), {}",
                    event.idempotency_key,
                    body.len(),
                    mode.name(),
                    original.len(),
                    if again.idempotency_key == event.idempotency_key {
                        "same idempotency key".to_owned()
                    } else {
                        format!("idempotency key now {}", again.idempotency_key)
                    }
                ));
                body
            }
            None => original,
        };
        let event_type = command.event_type.clone().unwrap_or(event.event_type);
        return Ok(Source::Fixed { body, event_type });
    }
    if let Some(path) = &command.body {
        let body = read_file(path)?;
        // The header follows the body, as CasPay's would; a body that is not an event
        // (to test a receiver's errors) gets --type or the default.
        let event_type = command
            .event_type
            .clone()
            .or_else(|| parse_event(&body).ok().map(|event| event.event_type))
            .unwrap_or_else(|| DEFAULT_TYPE.to_owned());
        return Ok(Source::Fixed { body, event_type });
    }
    let event_type = command
        .event_type
        .clone()
        .unwrap_or_else(|| DEFAULT_TYPE.to_owned());
    if command.sample.is_seeded() {
        let body = command.sample.body(&event_type, 0).into_bytes();
        return Ok(Source::Fixed { body, event_type });
    }
    Ok(Source::Generated { event_type })
}

fn deliver(
    command: &SendCommand,
    agent: &ureq::Agent,
    source: &Source,
    key: Option<&[u8]>,
    number: u64,
) -> Result<Answer, Failure> {
    let (mut body, event_type) = match source {
        Source::Generated { event_type } => (
            command.sample.body(event_type, number).into_bytes(),
            event_type,
        ),
        Source::Fixed { body, event_type } => (body.clone(), event_type),
    };
    let signature = match (&command.signature, key) {
        (Some(signature), _) => signature.clone(),
        (None, Some(key)) => sign(&body, key)?,
        (None, None) => return Err(Failure::usage("no secret to sign with")),
    };
    if command.tamper {
        tamper(&mut body);
    }
    let headers = delivery::caspay_headers(&signature, event_type);
    delivery::post(agent, &command.url, &headers, &body)
}

/// Changes one byte after signing, as a body altered in transit would be.
fn tamper(body: &mut Vec<u8>) {
    match body.iter().rposition(u8::is_ascii_digit) {
        Some(at) => body[at] = if body[at] == b'9' { b'0' } else { body[at] + 1 },
        None => body.push(b' '),
    }
}

#[derive(Default)]
struct Summary {
    ok: u64,
    not_2xx: u64,
    network: u64,
    first_network_error: Option<String>,
    millis: Vec<u128>,
}

impl Summary {
    /// Counts the outcome and gives its line; a usage error (a bad URL) stops the run.
    fn add(&mut self, outcome: Outcome, numbered: bool) -> Result<String, Failure> {
        let prefix = if numbered {
            format!("#{} ", outcome.number)
        } else {
            String::new()
        };
        match outcome.result {
            Ok(answer) => {
                self.millis.push(answer.elapsed.as_millis());
                if (200..300).contains(&answer.status) {
                    self.ok += 1;
                } else {
                    self.not_2xx += 1;
                }
                Ok(format!(
                    "{prefix}{} {} ms {}",
                    answer.status,
                    answer.elapsed.as_millis(),
                    one_line(&answer.body)
                ))
            }
            Err(Failure::Network(message)) => {
                self.network += 1;
                let line = format!("{prefix}error {message}");
                self.first_network_error.get_or_insert(message);
                Ok(line)
            }
            Err(other) => Err(other),
        }
    }

    fn line(&self, elapsed: Duration) -> String {
        let mut millis = self.millis.clone();
        millis.sort_unstable();
        let timing = match (millis.first(), millis.get(millis.len() / 2), millis.last()) {
            (Some(min), Some(median), Some(max)) => {
                format!("; {min}/{median}/{max} ms min/median/max")
            }
            _ => String::new(),
        };
        format!(
            "summary: {} deliveries in {} ms: {} answered 2xx, {} not 2xx, {} network errors{timing}",
            self.ok + self.not_2xx + self.network,
            elapsed.as_millis(),
            self.ok,
            self.not_2xx,
            self.network,
        )
    }

    fn verdict(self, count: u64, url: &str) -> Result<(), Failure> {
        if let Some(message) = self.first_network_error {
            return Err(Failure::Network(format!(
                "{} of {count} deliveries to {url} failed on the network: {message}",
                self.network
            )));
        }
        if self.not_2xx > 0 {
            // One delivery's line already shows its status; only a sequence needs a total.
            return Err(Failure::Not2xx(if count > 1 {
                format!(
                    "{} of {count} deliveries to {url} were answered outside 2xx",
                    self.not_2xx
                )
            } else {
                String::new()
            }));
        }
        Ok(())
    }
}

/// An answer body on one line, cut to a readable length.
fn one_line(body: &[u8]) -> String {
    const MAX_CHARS: usize = 200;
    let text = String::from_utf8_lossy(body);
    let flat: String = text
        .trim()
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    match flat.char_indices().nth(MAX_CHARS) {
        Some((cut, _)) => format!("{}...", &flat[..cut]),
        None => flat,
    }
}
