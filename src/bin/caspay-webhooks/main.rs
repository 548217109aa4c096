//! `caspay-webhooks`: sign, verify, sample, send and receive CasPay webhooks from a
//! terminal, to test an endpoint exactly as CasPay's server will call it.

mod delivery;
mod failure;
mod input;
mod listen;
mod output;
mod parse;
mod reserialize;
mod sample;
mod secrets;
mod send;
mod sign;
mod verify;

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

use failure::EXIT_CODES_HELP;

#[derive(Parser)]
#[command(
    name = "caspay-webhooks",
    version,
    about = "Sign, verify, sample, send and receive CasPay webhooks",
    after_help = EXIT_CODES_HELP,
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print the lowercase hex HMAC-SHA256 signature of a body.
    Sign(sign::SignCommand),
    /// Check a signature: print `valid`, or exit 1 with the stable error code on stderr.
    Verify(verify::VerifyCommand),
    /// Print the normalized event for a body (no signature check).
    Parse(parse::ParseCommand),
    /// Print a realistic body for an event type (`--list` prints the types).
    Sample(sample::SampleCommand),
    /// POST deliveries the way CasPay's server does and print each answer.
    Send(send::SendCommand),
    /// Receive deliveries on 127.0.0.1, verify them, and optionally forward them to your app.
    Listen(listen::ListenCommand),
}

fn main() -> ExitCode {
    let matches = Cli::command().get_matches();
    let command = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli.command,
        Err(error) => error.exit(),
    };
    // Verifying commands read their secrets' order from the subcommand's matches.
    let sub_matches = matches
        .subcommand()
        .map(|(_, sub)| sub.clone())
        .unwrap_or_default();
    let result = match command {
        Command::Sign(command) => sign::run(command),
        Command::Verify(command) => verify::run(command, &sub_matches),
        Command::Parse(command) => parse::run(command),
        Command::Sample(command) => sample::run(command),
        Command::Send(command) => send::run(command),
        Command::Listen(command) => listen::run(command, &sub_matches),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => failure.report(),
    }
}
