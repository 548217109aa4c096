#!/usr/bin/env bash
# Makes cargo-fuzz runnable: a nightly toolchain (libFuzzer's sanitizer and coverage flags
# are nightly-only) and the cargo-fuzz subcommand at a pinned version. Each step is skipped
# when already satisfied, so `make fuzz-smoke` can call it on every run.
#
# Exit codes: 0 ready; 3 no nightly toolchain could be installed; 4 cargo-fuzz could not be
# installed. Each failure prints one line saying which.
set -euo pipefail
cd "$(dirname "$0")/.."

# cargo-fuzz 0.13.2 builds targets against libfuzzer-sys 0.4 (fuzz/Cargo.toml).
want=0.13.2

if ! rustup run nightly rustc --version >/dev/null 2>&1; then
  echo "ensure-fuzz: installing the nightly toolchain (minimal profile)" >&2
  rustup toolchain install nightly --profile minimal >&2 \
    || { echo "ensure-fuzz: no nightly toolchain could be installed; cargo-fuzz needs one" >&2; exit 3; }
fi

have=$(cargo fuzz --version 2>/dev/null | awk '{ print $2 }' || true)
if [ "$have" != "$want" ]; then
  echo "ensure-fuzz: installing cargo-fuzz $want (found: ${have:-none})" >&2
  # No --locked, for the same reason as wasm-bindgen-cli (scripts/ensure-wasm-tools.sh).
  cargo install cargo-fuzz --version "$want" --quiet >&2 \
    || { echo "ensure-fuzz: cargo-fuzz $want could not be installed from crates.io" >&2; exit 4; }
fi
