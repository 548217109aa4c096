//! `sign`: the X-CasPay-Signature value for a body.

use std::path::PathBuf;

use clap::Args;

use crate::failure::Failure;
use crate::input::read_body;
use crate::output;
use crate::secrets::{SigningSecret, SECRETS_HELP};

#[derive(Args, Debug)]
#[command(after_help = SECRETS_HELP)]
pub struct SignCommand {
    #[command(flatten)]
    secret: SigningSecret,
    /// The body file; `-` or nothing reads standard input.
    file: Option<PathBuf>,
}

pub fn run(command: SignCommand) -> Result<(), Failure> {
    let key = command.secret.key()?;
    let body = read_body(command.file.as_ref())?;
    output::line(&caspay_webhooks::sign(&body, &key)?)
}
