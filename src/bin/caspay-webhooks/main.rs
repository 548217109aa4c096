//! `caspay-webhooks`: sign, verify, sample and send CasPay webhooks from a terminal, to
//! test an endpoint exactly as CasPay's server will call it.

mod send;

use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use caspay_webhooks::sample::{sample_body, SampleOptions};
use caspay_webhooks::{parse_event, sign, to_json, EventKind, Shape, Verifier};
use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Parser)]
#[command(
    name = "caspay-webhooks",
    version,
    about = "Sign, verify, sample and send CasPay webhooks"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print the lowercase hex HMAC-SHA256 signature of a body.
    Sign {
        #[command(flatten)]
        secret: SecretArgs,
        /// The body file; `-` or nothing reads standard input.
        file: Option<PathBuf>,
    },
    /// Check a signature: exit 0 and print `valid`, or exit 1 with the error code.
    Verify {
        #[command(flatten)]
        secret: SecretArgs,
        /// The X-CasPay-Signature value.
        #[arg(long)]
        signature: String,
        /// The body file; `-` or nothing reads standard input.
        file: Option<PathBuf>,
    },
    /// Print the normalized event for a body (no signature check).
    Parse {
        /// The body file; `-` or nothing reads standard input.
        file: Option<PathBuf>,
    },
    /// Print a realistic body for an event type.
    Sample {
        /// The event type, e.g. payment.completed (see --help for the list).
        #[arg(value_parser = event_type)]
        event_type: String,
        #[command(flatten)]
        sample: SampleArgs,
    },
    /// POST one delivery the way CasPay's server does and print the response.
    Send {
        /// The endpoint, e.g. http://127.0.0.1:3000/webhook.
        #[arg(long)]
        url: String,
        /// The endpoint secret (whsec_...), used verbatim as the key.
        #[arg(long)]
        secret: String,
        /// The event type of the generated body.
        #[arg(long = "type", default_value = "payment.received", value_parser = event_type)]
        event_type: String,
        #[command(flatten)]
        sample: SampleArgs,
        /// Send this body instead of a generated one.
        #[arg(long)]
        body: Option<PathBuf>,
        /// Change the body after signing, as an attacker would.
        #[arg(long)]
        tamper: bool,
        /// Send this X-CasPay-Signature instead of signing (the dashboard's test button
        /// sends `test_signature`).
        #[arg(long, conflicts_with = "tamper")]
        signature: Option<String>,
    },
}

#[derive(Args)]
#[group(required = true, multiple = false)]
struct SecretArgs {
    /// The secret as text (whsec_...), its UTF-8 bytes used verbatim.
    #[arg(long)]
    secret: Option<String>,
    /// The secret as hex-encoded raw bytes.
    #[arg(long)]
    secret_hex: Option<String>,
}

#[derive(Args)]
struct SampleArgs {
    /// The body shape: a (documented), b (data.object) or c (what the server posts today).
    #[arg(long, value_enum, default_value = "c")]
    shape: ShapeArg,
    /// Suffix of the ids in the body; random when not given.
    #[arg(long)]
    seed: Option<String>,
    /// Creation time in unix seconds; now when not given.
    #[arg(long)]
    created: Option<u64>,
}

#[derive(Clone, Copy, ValueEnum)]
enum ShapeArg {
    A,
    B,
    C,
}

impl From<ShapeArg> for Shape {
    fn from(shape: ShapeArg) -> Shape {
        match shape {
            ShapeArg::A => Shape::A,
            ShapeArg::B => Shape::B,
            ShapeArg::C => Shape::C,
        }
    }
}

fn event_type(text: &str) -> Result<String, String> {
    if EventKind::from_type(text) == EventKind::Unknown {
        return Err(format!(
            "unknown event type; one of: {}",
            EventKind::TYPE_NAMES.join(", ")
        ));
    }
    Ok(text.to_owned())
}

/// A failure to report: the message, and the exit code (1 = rejected, 2 = bad input).
struct Failure(String, u8);

fn main() -> ExitCode {
    match run(Cli::parse().command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure(message, code)) => {
            eprintln!("{message}");
            ExitCode::from(code)
        }
    }
}

fn run(command: Command) -> Result<(), Failure> {
    match command {
        Command::Sign { secret, file } => {
            let body = read_body(file.as_ref())?;
            let signature = sign(&body, &secret.bytes()?).map_err(rejected)?;
            println!("{signature}");
        }
        Command::Verify {
            secret,
            signature,
            file,
        } => {
            let body = read_body(file.as_ref())?;
            Verifier::new(&secret.bytes()?)
                .and_then(|v| v.verify(&body, &signature))
                .map_err(rejected)?;
            println!("valid");
        }
        Command::Parse { file } => {
            let event = parse_event(&read_body(file.as_ref())?).map_err(rejected)?;
            println!("{}", String::from_utf8_lossy(&to_json(&event)));
        }
        Command::Sample { event_type, sample } => println!("{}", sample.body(&event_type)),
        Command::Send {
            url,
            secret,
            event_type,
            sample,
            body,
            tamper,
            signature,
        } => {
            let body = match body {
                Some(path) => read_body(Some(&path))?,
                None => sample.body(&event_type).into_bytes(),
            };
            let delivery = match signature {
                Some(signature) => send::Delivery::with_signature(body, signature, &event_type),
                None => send::Delivery::signed(body, secret.as_bytes(), &event_type, tamper)
                    .map_err(rejected)?,
            };
            let outcome = delivery
                .post(&url)
                .map_err(|e| Failure(format!("delivery failed: {e}"), 1))?;
            println!(
                "{} {} in {} ms",
                outcome.status,
                outcome.body.trim(),
                outcome.elapsed.as_millis()
            );
        }
    }
    Ok(())
}

fn rejected(error: caspay_webhooks::Error) -> Failure {
    Failure(format!("{}: {}", error.code().as_str(), error.message()), 1)
}

impl SecretArgs {
    fn bytes(&self) -> Result<Vec<u8>, Failure> {
        match (&self.secret, &self.secret_hex) {
            (Some(text), _) => Ok(text.as_bytes().to_vec()),
            (None, Some(hex)) => hex::decode(hex.trim())
                .map_err(|e| Failure(format!("--secret-hex is not valid hex: {e}"), 2)),
            (None, None) => Err(Failure("give --secret or --secret-hex".into(), 2)),
        }
    }
}

impl SampleArgs {
    fn body(&self, event_type: &str) -> String {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        let random_seed = format!("{:x}{:04x}", now.as_secs(), now.subsec_nanos() & 0xffff);
        let options = SampleOptions {
            seed: self.seed.as_deref().unwrap_or(&random_seed),
            created: self.created.unwrap_or(now.as_secs()),
        };
        // event_type was validated by clap's value parser, so a sample always exists.
        sample_body(event_type, self.shape.into(), &options).unwrap_or_default()
    }
}

fn read_body(file: Option<&PathBuf>) -> Result<Vec<u8>, Failure> {
    let mut body = Vec::new();
    let result = match file {
        Some(path) if path.as_os_str() != "-" => {
            std::fs::File::open(path).and_then(|mut f| f.read_to_end(&mut body))
        }
        _ => std::io::stdin().read_to_end(&mut body),
    };
    result.map_err(|e| Failure(format!("cannot read the body: {e}"), 2))?;
    Ok(body)
}
