//! `verify`: check a signature the way a receiver does, with one or several secrets.

use std::path::PathBuf;

use caspay_webhooks::Verifier;
use clap::{ArgMatches, Args};

use crate::failure::Failure;
use crate::input::read_body;
use crate::output;
use crate::secrets::VerifyingSecrets;

#[derive(Args, Debug)]
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
