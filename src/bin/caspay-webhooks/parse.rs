//! `parse`: the normalized event for a body, as every host's JSON output writes it.

use std::path::PathBuf;

use caspay_webhooks::{parse_event, to_json};
use clap::Args;

use crate::failure::Failure;
use crate::input::read_body;
use crate::output;

#[derive(Args, Debug)]
pub struct ParseCommand {
    /// The body file; `-` or nothing reads standard input.
    file: Option<PathBuf>,
}

pub fn run(command: ParseCommand) -> Result<(), Failure> {
    let event = parse_event(&read_body(command.file.as_ref())?)?;
    output::line(&String::from_utf8_lossy(&to_json(&event)))
}
