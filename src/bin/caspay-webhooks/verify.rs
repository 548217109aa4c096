//! `verify`: check a signature the way a receiver does, with one or several secrets.

use std::path::PathBuf;

use caspay_webhooks::Verifier;
use clap::{ArgMatches, Args};

use crate::failure::Failure;
use crate::input::read_body;
use crate::output;
use crate::secrets::VerifyingSecrets;

const VERIFY_HELP: &str = "\
Secrets: --secret-file PATH, CASPAY_WEBHOOK_SECRET (comma-separated for a rotation, current
first), --secret-hex HEX, or --secret TEXT (visible to other users in `ps`); repeat the
flags for a rotation.

Exit codes: 0 valid; 1 rejected, stderr starts with the stable code (missing_signature,
invalid_signature_format, signature_mismatch); 2 usage error.";

#[derive(Args, Debug)]
#[command(after_help = VERIFY_HELP)]
pub struct VerifyCommand {
    #[command(flatten)]
    secrets: VerifyingSecrets,
    /// The X-CasPay-Signature value.
    #[arg(long)]
    signature: String,
    /// The body file; `-` or nothing reads standard input.
    file: Option<PathBuf>,
}

pub fn run(command: VerifyCommand, matches: &ArgMatches) -> Result<(), Failure> {
    let verifier = Verifier::with_secrets(command.secrets.keys(matches)?)?;
    let body = read_body(command.file.as_ref())?;
    verifier.verify(&body, &command.signature)?;
    output::line("valid")
}
