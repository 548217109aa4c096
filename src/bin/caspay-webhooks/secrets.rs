//! Where secrets come from. A secret on the command line is visible to every user of the
//! machine (`ps`, /proc/PID/cmdline), so files and the environment are offered everywhere.

use std::path::{Path, PathBuf};

use clap::{ArgMatches, Args};

use crate::failure::Failure;

/// The variable read when no secret flag is given; comma-separated for rotation.
pub const SECRET_ENV: &str = "CASPAY_WEBHOOK_SECRET";

/// The `--help` text on secrets, shared by every command that takes one.
pub const SECRETS_HELP: &str = "\
Secrets: --secret-file PATH (one secret, a trailing newline is ignored), the environment
variable CASPAY_WEBHOOK_SECRET (read when no secret flag is given), --secret-hex HEX (raw
key bytes), or --secret TEXT (for scripts: visible to other users in `ps`). A text secret
is used verbatim as the key, whsec_ prefix included. Where deliveries are verified
(verify, listen), several secrets serve a rotation: repeat the flags, or separate them with
commas in the variable, the current secret first. Signing uses the first one.";

/// One secret to sign with.
#[derive(Args, Debug)]
#[group(multiple = false)]
pub struct SigningSecret {
    /// The secret as text (whsec_...); visible to other users in `ps`, prefer the others.
    #[arg(long, value_name = "TEXT")]
    secret: Option<String>,
    /// A file holding the secret (a trailing newline is ignored).
    #[arg(long, value_name = "PATH")]
    secret_file: Option<PathBuf>,
    /// The secret as hex-encoded raw key bytes.
    #[arg(long, value_name = "HEX")]
    secret_hex: Option<String>,
}

impl SigningSecret {
    /// The key: from the flag given, else the first secret in the environment variable.
    pub fn key(&self) -> Result<Vec<u8>, Failure> {
        if let Some(text) = &self.secret {
            return text_secret(text, "--secret");
        }
        if let Some(path) = &self.secret_file {
            return file_secret(path);
        }
        if let Some(hex) = &self.secret_hex {
            return hex_secret(hex);
        }
        env_secrets()?
            .into_iter()
            .next()
            .ok_or_else(|| Failure::usage(NO_SECRET))
    }

    /// Whether a secret flag or the environment variable gives a key.
    pub fn is_given(&self) -> bool {
        self.secret.is_some()
            || self.secret_file.is_some()
            || self.secret_hex.is_some()
            || std::env::var_os(SECRET_ENV).is_some()
    }
}

/// The secrets a delivery may be signed with, current first.
#[derive(Args, Debug)]
pub struct VerifyingSecrets {
    /// A secret as text (whsec_...); repeat for a rotation. Visible to other users in `ps`.
    #[arg(long, value_name = "TEXT")]
    secret: Vec<String>,
    /// A file holding one secret (a trailing newline is ignored); repeat for a rotation.
    #[arg(long, value_name = "PATH")]
    secret_file: Vec<PathBuf>,
    /// A secret as hex-encoded raw key bytes; repeat for a rotation.
    #[arg(long, value_name = "HEX")]
    secret_hex: Vec<String>,
}

impl VerifyingSecrets {
    /// Every key in the order given on the command line (clap keeps each flag's values
    /// apart, so their positions in `matches` restore the order), else from the variable.
    pub fn keys(&self, matches: &ArgMatches) -> Result<Vec<Vec<u8>>, Failure> {
        let mut keys: Vec<(usize, Vec<u8>)> = Vec::new();
        for (at, text) in positions(matches, "secret").zip(&self.secret) {
            keys.push((at, text_secret(text, "--secret")?));
        }
        for (at, path) in positions(matches, "secret_file").zip(&self.secret_file) {
            keys.push((at, file_secret(path)?));
        }
        for (at, hex) in positions(matches, "secret_hex").zip(&self.secret_hex) {
            keys.push((at, hex_secret(hex)?));
        }
        if keys.is_empty() {
            let keys = env_secrets()?;
            if keys.is_empty() {
                return Err(Failure::usage(NO_SECRET));
            }
            return Ok(keys);
        }
        keys.sort_by_key(|(at, _)| *at);
        Ok(keys.into_iter().map(|(_, key)| key).collect())
    }
}

const NO_SECRET: &str = "no secret: give --secret-file PATH, set CASPAY_WEBHOOK_SECRET, or give --secret or --secret-hex";

fn positions<'a>(matches: &'a ArgMatches, id: &str) -> impl Iterator<Item = usize> + 'a {
    matches.indices_of(id).into_iter().flatten()
}

fn text_secret(text: &str, source: &str) -> Result<Vec<u8>, Failure> {
    if text.is_empty() {
        return Err(Failure::usage(format!(
            "{source} is empty: copy the endpoint secret (whsec_...) from the CasPay dashboard"
        )));
    }
    Ok(text.as_bytes().to_vec())
}

fn file_secret(path: &Path) -> Result<Vec<u8>, Failure> {
    let mut bytes = std::fs::read(path).map_err(|e| {
        Failure::usage(format!(
            "cannot read the secret file {}: {e}",
            path.display()
        ))
    })?;
    while bytes.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
        bytes.pop();
    }
    if bytes.contains(&b'\n') {
        return Err(Failure::usage(format!(
            "the secret file {} holds more than one line; give one secret per file",
            path.display()
        )));
    }
    text_secret_bytes(bytes, &format!("the secret file {}", path.display()))
}

fn text_secret_bytes(bytes: Vec<u8>, source: &str) -> Result<Vec<u8>, Failure> {
    if bytes.is_empty() {
        return Err(Failure::usage(format!("{source} is empty")));
    }
    Ok(bytes)
}

fn hex_secret(hex: &str) -> Result<Vec<u8>, Failure> {
    let bytes = hex::decode(hex.trim())
        .map_err(|e| Failure::usage(format!("--secret-hex is not valid hex: {e}")))?;
    text_secret_bytes(bytes, "--secret-hex")
}

/// The secrets in the environment variable, current first; none when it is not set.
fn env_secrets() -> Result<Vec<Vec<u8>>, Failure> {
    let Some(value) = std::env::var_os(SECRET_ENV) else {
        return Ok(Vec::new());
    };
    let value = value
        .into_string()
        .map_err(|_| Failure::usage(format!("{SECRET_ENV} is not valid UTF-8")))?;
    value
        .split(',')
        .map(|secret| {
            let secret = secret.trim();
            if secret.is_empty() {
                Err(Failure::usage(format!(
                    "{SECRET_ENV} holds an empty secret; separate several with single commas"
                )))
            } else {
                Ok(secret.as_bytes().to_vec())
            }
        })
        .collect()
}
