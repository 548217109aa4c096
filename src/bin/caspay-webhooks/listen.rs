//! `listen`: a local receiver on 127.0.0.1 that verifies every delivery with the core,
//! prints one line per delivery and, with `--forward-to`, relays verified deliveries to
//! the merchant's app and answers the sender with the app's answer.

use std::collections::HashSet;
use std::io::Read;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use caspay_webhooks::timestamp::format_iso8601;
use caspay_webhooks::{
    construct_event, Amount, Error, ErrorCode, Event, ParseOptions, Verifier, EVENT_HEADER,
    SIGNATURE_HEADER, TIMESTAMP_HEADER,
};
use clap::{ArgMatches, Args};
use serde_json::{json, Value};
use tiny_http::{Header, Method, Request, Response, Server};

use crate::delivery::{self, CASPAY_TIMEOUT};
use crate::failure::Failure;
use crate::output;
use crate::secrets::VerifyingSecrets;

/// Requests handled at once (a slow app behind `--forward-to` must not hold up the rest).
const WORKERS: usize = 4;
/// How often an idle worker looks at the stop flag.
const POLL: Duration = Duration::from_millis(100);
/// How long a stop waits for deliveries in progress. tiny_http sets no read timeout, so a
/// worker reading the body of a sender that stalled would otherwise hold the exit forever.
const DRAIN: Duration = Duration::from_secs(2);
/// The headers CasPay sends, relayed unchanged to the app.
const RELAYED_HEADERS: [&str; 5] = [
    "Content-Type",
    "User-Agent",
    SIGNATURE_HEADER,
    EVENT_HEADER,
    TIMESTAMP_HEADER,
];

const LISTEN_HELP: &str = "\
Prints one line per delivery: time, type, idempotency key, amount in motes, verdict with
its stable code, and the status answered (or the app's status with --forward-to). Rejected
deliveries are answered with their code's HTTP status (401, 400, 413; 415 for a body sent
with a Content-Encoding) and never forwarded.
A verified copy of an event already seen is marked duplicate_event (and still forwarded:
deduplicating is the app's job). Ctrl-C or SIGTERM stops; a second one stops at once.

Secrets: --secret-file PATH, CASPAY_WEBHOOK_SECRET (comma-separated for a rotation, current
first), --secret-hex HEX, or --secret TEXT (visible to other users in `ps`); repeat the
flags for a rotation.

Exit codes: 0 stopped by a signal (or its output was closed); 2 usage error; 3 the port
cannot be bound; 130 stopped at once by a second signal.";

#[derive(Args, Debug)]
#[command(after_help = LISTEN_HELP)]
pub struct ListenCommand {
    #[command(flatten)]
    secrets: VerifyingSecrets,
    /// The port on 127.0.0.1; 0 picks a free one (the address is printed on stderr).
    #[arg(long, default_value_t = 4242)]
    port: u16,
    /// The path deliveries are posted to; other paths are answered 404.
    #[arg(long, default_value = "/webhook")]
    path: String,
    /// Relay verified deliveries, bytes and CasPay's headers unchanged, to this URL (your
    /// app) and answer with its status and body.
    #[arg(long, value_name = "URL")]
    forward_to: Option<String>,
    /// Print one JSON object per delivery instead of a line of text.
    #[arg(long)]
    json: bool,
}

struct Listener {
    verifier: Verifier,
    path: String,
    forward_to: Option<String>,
    agent: ureq::Agent,
    json: bool,
    seen: Mutex<HashSet<String>>,
    accepted: AtomicU64,
    rejected: AtomicU64,
    stop: Arc<AtomicBool>,
}

pub fn run(command: ListenCommand, matches: &ArgMatches) -> Result<(), Failure> {
    let verifier = Verifier::with_secrets(command.secrets.keys(matches)?)?;
    if !command.path.starts_with('/') {
        return Err(Failure::usage("--path must start with /"));
    }
    if let Some(url) = &command.forward_to {
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(Failure::usage(format!(
                "--forward-to must be an http:// or https:// URL, not {url:?}"
            )));
        }
    }
    let stop = Arc::new(AtomicBool::new(false));
    for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        // Registered first, so the second signal (the flag already set) exits at once.
        signal_hook::flag::register_conditional_shutdown(signal, 130, Arc::clone(&stop))
            .and_then(|_| signal_hook::flag::register(signal, Arc::clone(&stop)))
            .map_err(|e| Failure::Failed(format!("cannot handle signals: {e}")))?;
    }
    let server = Server::http(("127.0.0.1", command.port)).map_err(|e| {
        Failure::Network(format!("cannot listen on 127.0.0.1:{}: {e}", command.port))
    })?;
    let port = server
        .server_addr()
        .to_ip()
        .map_or(command.port, |a| a.port());
    let listener = Arc::new(Listener {
        verifier,
        path: command.path,
        forward_to: command.forward_to,
        agent: delivery::agent(CASPAY_TIMEOUT),
        json: command.json,
        seen: Mutex::new(HashSet::new()),
        accepted: AtomicU64::new(0),
        rejected: AtomicU64::new(0),
        stop,
    });
    let server = Arc::new(server);
    output::note(&format!(
        "listening on http://127.0.0.1:{port}{} ({} secret{}){}; Ctrl-C stops",
        listener.path,
        listener.verifier.secret_count(),
        if listener.verifier.secret_count() == 1 {
            ""
        } else {
            "s"
        },
        match &listener.forward_to {
            Some(url) => format!(", forwarding verified deliveries to {url}"),
            None => String::new(),
        }
    ));
    let workers: Vec<_> = (0..WORKERS)
        .map(|_| {
            let (listener, server) = (Arc::clone(&listener), Arc::clone(&server));
            std::thread::spawn(move || listener.serve(&server))
        })
        .collect();
    let finished = |workers: &[std::thread::JoinHandle<_>]| workers.iter().all(|w| w.is_finished());
    while !listener.stop.load(Ordering::SeqCst) && !finished(&workers) {
        std::thread::sleep(POLL);
    }
    let deadline = Instant::now() + DRAIN;
    while !finished(&workers) && Instant::now() < deadline {
        std::thread::sleep(POLL);
    }
    // A worker still reading a stalled sender's body is left behind: the process exits.
    let result = workers
        .into_iter()
        .filter(|worker| worker.is_finished())
        .map(|worker| worker.join().unwrap_or(Ok(())))
        .find(Result::is_err)
        .unwrap_or(Ok(()));
    let accepted = listener.accepted.load(Ordering::SeqCst);
    let rejected = listener.rejected.load(Ordering::SeqCst);
    let total = accepted + rejected;
    output::note(&format!(
        "stopped: {total} deliver{}, {accepted} accepted, {rejected} rejected",
        if total == 1 { "y" } else { "ies" }
    ));
    match result {
        Err(Failure::Quiet) => Ok(()),
        other => other,
    }
}

impl Listener {
    fn serve(&self, server: &Server) -> Result<(), Failure> {
        while !self.stop.load(Ordering::SeqCst) {
            let outcome = match server.recv_timeout(POLL) {
                Ok(Some(request)) => self.handle(request),
                Ok(None) => Ok(()),
                Err(error) => Err(Failure::Network(format!("the listener failed: {error}"))),
            };
            if outcome.is_err() {
                // Stdout closed (`| head`) or the socket failed: every worker stops.
                self.stop.store(true, Ordering::SeqCst);
                return outcome;
            }
        }
        Ok(())
    }

    fn handle(&self, mut request: Request) -> Result<(), Failure> {
        let time = now_iso();
        let path = request.url().split('?').next().unwrap_or_default();
        if path != self.path {
            output::note(&format!(
                "{time} {} {}: 404, listening on {}",
                request.method(),
                request.url(),
                self.path
            ));
            let answer =
                json!({"error": "not_found", "message": format!("deliveries go to {}", self.path)});
            respond(request, 404, &answer.to_string(), None);
            return Ok(());
        }
        if *request.method() != Method::Post {
            output::note(&format!(
                "{time} {} {}: 405, CasPay posts",
                request.method(),
                request.url()
            ));
            let answer =
                json!({"error": "method_not_allowed", "message": "CasPay delivers with POST"});
            respond(request, 405, &answer.to_string(), None);
            return Ok(());
        }
        let limits = ParseOptions::default().limits;
        let mut body = Vec::new();
        // One byte over the limit is enough for the core to answer payload_too_large.
        let read = request
            .as_reader()
            .take(limits.max_payload_bytes as u64 + 1)
            .read_to_end(&mut body);
        if let Err(error) = read {
            output::note(&format!("{time} the body could not be read: {error}"));
            return Ok(());
        }
        let relayed: Vec<(String, String)> = RELAYED_HEADERS
            .iter()
            .filter_map(|name| header(&request, name))
            .collect();
        let value_of = |name: &str| {
            relayed
                .iter()
                .find(|(sent, _)| sent.eq_ignore_ascii_case(name))
                .map(|(_, value)| value.clone())
        };
        let signature = value_of(SIGNATURE_HEADER).unwrap_or_default();
        let mut report = Report::new(time, value_of(EVENT_HEADER), body.len());

        // CasPay signs plain JSON: what it signed cannot be known from an encoded body.
        let encoded = header(&request, "Content-Encoding").is_some_and(|(_, encoding)| {
            let encoding = encoding.trim();
            !encoding.is_empty() && !encoding.eq_ignore_ascii_case("identity")
        });
        let verdict = if encoded {
            Err(Error::new(ErrorCode::UnsupportedEncoding))
        } else {
            construct_event(&body, &signature, &self.verifier, &ParseOptions::default())
        };
        match verdict {
            Err(error) => {
                self.rejected.fetch_add(1, Ordering::SeqCst);
                let status = error.code().http_status();
                report.rejected(&error, status);
                let answer = json!({"error": error.code().as_str(), "message": error.message()});
                respond(request, status, &answer.to_string(), None);
            }
            Ok(event) => {
                self.accepted.fetch_add(1, Ordering::SeqCst);
                let duplicate = !self
                    .seen
                    .lock()
                    .map(|mut seen| seen.insert(event.idempotency_key.clone()))
                    .unwrap_or(true);
                // construct_event does not say which secret matched; during a rotation
                // that is worth seeing (who still signs with the old one).
                let secret_index = (self.verifier.secret_count() > 1)
                    .then(|| self.verifier.verify(&body, &signature).ok())
                    .flatten();
                report.accepted(&event, duplicate, secret_index);
                match &self.forward_to {
                    None => {
                        let answer = json!({"received": true, "duplicate": duplicate});
                        report.status = 200;
                        respond(request, 200, &answer.to_string(), None);
                    }
                    Some(url) => match delivery::post(&self.agent, url, &relayed, &body) {
                        Ok(answer) => {
                            report.status = answer.status;
                            report.forward = Some(Forward::Answered {
                                url: url.clone(),
                                status: answer.status,
                                millis: answer.elapsed.as_millis(),
                            });
                            respond_bytes(
                                request,
                                answer.status,
                                answer.body,
                                answer.content_type.as_deref(),
                            );
                        }
                        Err(failure) => {
                            let message = match failure {
                                Failure::Network(message) | Failure::Usage(message) => message,
                                other => format!("{other:?}"),
                            };
                            report.status = 502;
                            let answer = json!({"error": "forward_failed", "message": message});
                            report.forward = Some(Forward::Failed {
                                url: url.clone(),
                                message,
                            });
                            respond(request, 502, &answer.to_string(), None);
                        }
                    },
                }
            }
        }
        output::line(&if self.json {
            report.to_json().to_string()
        } else {
            report.to_line()
        })
    }
}

/// The first header called `name` (any case): its name as sent, and its value.
fn header(request: &Request, name: &'static str) -> Option<(String, String)> {
    request
        .headers()
        .iter()
        .find(|h| h.field.equiv(name))
        .map(|h| (h.field.as_str().to_string(), h.value.to_string()))
}

fn respond(request: Request, status: u16, json_body: &str, content_type: Option<&str>) {
    respond_bytes(
        request,
        status,
        json_body.as_bytes().to_vec(),
        content_type.or(Some("application/json")),
    );
}

fn respond_bytes(request: Request, status: u16, body: Vec<u8>, content_type: Option<&str>) {
    let mut response = Response::from_data(body).with_status_code(status);
    if let Some(header) = content_type.and_then(|v| Header::from_bytes("Content-Type", v).ok()) {
        response.add_header(header);
    }
    // The sender may have gone (CasPay gives up after 10 s); nothing is left to answer.
    let _ = request.respond(response);
}

fn now_iso() -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    format_iso8601(now.as_secs(), now.subsec_millis())
}

enum Forward {
    Answered {
        url: String,
        status: u16,
        millis: u128,
    },
    Failed {
        url: String,
        message: String,
    },
}

/// What one delivery was and what it got, printed as a line or a JSON object.
struct Report {
    time: String,
    event_header: Option<String>,
    bytes: usize,
    event_type: Option<String>,
    id: Option<String>,
    key: Option<String>,
    amount: Option<(Amount, Option<String>)>,
    accepted: bool,
    code: Option<&'static str>,
    message: Option<String>,
    status: u16,
    secret_index: Option<usize>,
    forward: Option<Forward>,
}

impl Report {
    fn new(time: String, event_header: Option<String>, bytes: usize) -> Report {
        Report {
            time,
            event_header,
            bytes,
            event_type: None,
            id: None,
            key: None,
            amount: None,
            accepted: false,
            code: None,
            message: None,
            status: 0,
            secret_index: None,
            forward: None,
        }
    }

    fn rejected(&mut self, error: &caspay_webhooks::Error, status: u16) {
        self.code = Some(error.code().as_str());
        self.message = Some(error.message());
        self.status = status;
    }

    fn accepted(&mut self, event: &Event, duplicate: bool, secret_index: Option<usize>) {
        self.accepted = true;
        self.event_type = Some(event.event_type.clone());
        self.id = event.id.clone();
        self.key = Some(event.idempotency_key.clone());
        self.code = duplicate.then_some(ErrorCode::DuplicateEvent.as_str());
        self.secret_index = secret_index;
        self.amount = match (&event.payment, &event.subscription) {
            (Some(payment), _) => Some((payment.amount.clone(), Some(payment.currency.clone()))),
            (None, Some(subscription)) => subscription
                .amount
                .clone()
                .map(|amount| (amount, subscription.currency.clone())),
            (None, None) => None,
        };
    }

    fn to_line(&self) -> String {
        let event_type = self
            .event_type
            .as_deref()
            .or(self.event_header.as_deref())
            .unwrap_or("-");
        let amount = match &self.amount {
            None => "-".to_owned(),
            Some((amount, currency)) => match (amount.motes(), amount.unit().as_str()) {
                (Some(motes), "cspr") => format!("{motes} motes ({} cspr)", amount.as_str()),
                (Some(motes), _) => format!("{motes} motes"),
                (None, _) => format!(
                    "{} {} (not CSPR)",
                    amount.as_str(),
                    currency.as_deref().unwrap_or("(no currency)")
                ),
            },
        };
        let verdict = match (self.accepted, self.code) {
            (true, None) => "accepted".to_owned(),
            (true, Some(code)) => format!("accepted {code}"),
            (false, code) => format!("rejected {}", code.unwrap_or("-")),
        };
        let answer = match &self.forward {
            None => self.status.to_string(),
            Some(Forward::Answered { status, millis, .. }) => {
                format!("forwarded {status} in {millis} ms")
            }
            Some(Forward::Failed { message, .. }) => format!("forward failed 502: {message}"),
        };
        let secret = match self.secret_index {
            Some(index) => format!(" (secret {})", index + 1),
            None => String::new(),
        };
        format!(
            "{} {event_type} {} {amount} {verdict} {answer}{secret}",
            self.time,
            self.key.as_deref().unwrap_or("-"),
        )
    }

    fn to_json(&self) -> Value {
        let amount = self.amount.as_ref().map(|(amount, currency)| {
            json!({
                "value": amount.as_str(),
                "unit": amount.unit().as_str(),
                "motes": amount.motes(),
                "currency": currency,
            })
        });
        let forward = self.forward.as_ref().map(|forward| match forward {
            Forward::Answered {
                url,
                status,
                millis,
            } => json!({"url": url, "status": status, "ms": millis}),
            Forward::Failed { url, message } => json!({"url": url, "error": message}),
        });
        json!({
            "time": self.time,
            "verdict": if self.accepted { "accepted" } else { "rejected" },
            "code": self.code,
            "message": self.message,
            "status": self.status,
            "type": self.event_type,
            "eventHeader": self.event_header,
            "id": self.id,
            "idempotencyKey": self.key,
            "amount": amount,
            "secretIndex": self.secret_index,
            "bytes": self.bytes,
            "forward": forward,
        })
    }
}
