//! Standard output that never panics: `println!` panics when the reader has gone
//! (`caspay-webhooks parse big.json | head -c 100`); a closed pipe ends the command quietly.

use std::io::{ErrorKind, Write};

use crate::failure::Failure;

/// Writes one line (a newline is added) and flushes it, so `listen` lines appear at once.
pub fn line(text: &str) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.write_all(b"\n"))
        .and_then(|()| out.flush())
        .map_err(|error| match error.kind() {
            ErrorKind::BrokenPipe => Failure::Quiet,
            _ => Failure::Failed(format!("cannot write to standard output: {error}")),
        })
}

/// A note for people on standard error (progress, summaries); never fails the command.
pub fn note(text: &str) {
    let _ = std::io::stderr()
        .lock()
        .write_all(format!("{text}\n").as_bytes());
}
