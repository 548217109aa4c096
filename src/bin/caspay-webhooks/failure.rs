//! How a command ends: the exit code scripts rely on and the one line on standard error.

use std::process::ExitCode;

/// Exit codes, stable for scripts (also listed in `--help` and the README).
pub mod code {
    /// Success.
    pub const OK: u8 = 0;
    /// Verification or parsing rejected the input; stderr starts with the stable code.
    pub const REJECTED: u8 = 1;
    /// Bad arguments, an unreadable file, no secret (clap uses 2 for its own errors too).
    pub const USAGE: u8 = 2;
    /// A network error: connection refused, timeout, DNS, a port that cannot be bound.
    pub const NETWORK: u8 = 3;
    /// `send`: at least one delivery was answered with a status outside 2xx.
    pub const NOT_2XX: u8 = 4;
}

/// The `--help` text that lists the exit codes.
pub const EXIT_CODES_HELP: &str = "\
Exit codes:
  0  success
  1  rejected: the signature or body failed verification or parsing; stderr starts with
     the stable error code (signature_mismatch, invalid_json, ...)
  2  usage error: bad arguments, an unreadable file, no secret
  3  network error: connection refused, timeout, unknown host, a port that cannot be bound
  4  send: at least one delivery was answered with a status outside 2xx";

/// Why a command did not succeed.
#[derive(Debug)]
pub enum Failure {
    /// The core rejected the input (exit 1); printed as `code: message`.
    Rejected(caspay_webhooks::Error),
    /// Anything else that failed after the arguments were accepted (exit 1).
    Failed(String),
    /// Bad input from the user (exit 2).
    Usage(String),
    /// The network failed (exit 3).
    Network(String),
    /// Deliveries were answered outside 2xx (exit 4); the lines are already printed, so
    /// the message (a sequence's total) may be empty.
    Not2xx(String),
    /// Standard output was closed by its reader (`| head`): stop without a word (exit 0).
    Quiet,
}

impl Failure {
    pub fn usage(message: impl Into<String>) -> Failure {
        Failure::Usage(message.into())
    }

    /// Reports the failure on stderr and gives the exit code.
    pub fn report(self) -> ExitCode {
        let (message, status) = match self {
            Failure::Rejected(error) => (Some(error.to_string()), code::REJECTED),
            Failure::Failed(message) => (Some(message), code::REJECTED),
            Failure::Usage(message) => (Some(format!("error: {message}")), code::USAGE),
            Failure::Network(message) => (Some(message), code::NETWORK),
            Failure::Not2xx(message) => ((!message.is_empty()).then_some(message), code::NOT_2XX),
            Failure::Quiet => (None, code::OK),
        };
        if let Some(message) = message {
            // A closed stderr leaves nobody to tell; the exit code still says it.
            let _ = std::io::Write::write_all(
                &mut std::io::stderr().lock(),
                format!("{message}\n").as_bytes(),
            );
        }
        ExitCode::from(status)
    }
}

impl From<caspay_webhooks::Error> for Failure {
    fn from(error: caspay_webhooks::Error) -> Failure {
        Failure::Rejected(error)
    }
}
