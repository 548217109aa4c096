//! `sample`: realistic bodies for every known event type, from the core's samples.

use std::time::{SystemTime, UNIX_EPOCH};

use caspay_webhooks::sample::{sample_body, SampleOptions};
use caspay_webhooks::{EventKind, Shape};
use clap::{Args, ValueEnum};

use crate::failure::Failure;
use crate::output;

#[derive(Args, Debug)]
#[command(after_help = "Run `caspay-webhooks sample --list` for every known event type.")]
pub struct SampleCommand {
    /// The event type, e.g. payment.completed (`--list` prints them all).
    #[arg(value_parser = event_type, required_unless_present = "list")]
    event_type: Option<String>,
    /// Print every known event type, one a line, and exit.
    #[arg(long, conflicts_with = "event_type")]
    list: bool,
    #[command(flatten)]
    sample: SampleArgs,
}

/// What a generated body looks like.
#[derive(Args, Debug, Clone)]
pub struct SampleArgs {
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

#[derive(Clone, Copy, Debug, ValueEnum)]
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

/// clap's check of an event type: one the core knows (and has samples for).
pub fn event_type(text: &str) -> Result<String, String> {
    if EventKind::from_type(text) == EventKind::Unknown {
        return Err("unknown event type; `caspay-webhooks sample --list` prints them all".into());
    }
    Ok(text.to_owned())
}

pub fn run(command: SampleCommand) -> Result<(), Failure> {
    match command.event_type {
        Some(event_type) if !command.list => output::line(&command.sample.body(&event_type, 0)),
        _ => EventKind::TYPE_NAMES
            .iter()
            .try_for_each(|name| output::line(name)),
    }
}

impl SampleArgs {
    /// Whether every body generated from these arguments is the same event.
    pub fn is_seeded(&self) -> bool {
        self.seed.is_some()
    }

    /// A body for `event_type`; without `--seed`, `index` tells apart the events of one
    /// run, so a sequence sends distinct events rather than copies of one.
    pub fn body(&self, event_type: &str, index: u64) -> String {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        let random_seed = format!(
            "{:x}{:04x}{index}",
            now.as_secs(),
            now.subsec_nanos() & 0xffff
        );
        let options = SampleOptions {
            seed: self.seed.as_deref().unwrap_or(&random_seed),
            created: self.created.unwrap_or(now.as_secs()),
        };
        // Event types reach here through `event_type` above, so a sample always exists.
        sample_body(event_type, self.shape.into(), &options).unwrap_or_default()
    }
}
