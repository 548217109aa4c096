#!/usr/bin/env bash
# The cross-host differential fuzzer (tests/differential/run.mjs): one fixed seed, a few
# thousand cases, through the Rust core, Node (ESM and CommonJS), workerd, Chromium and
# both PHP engines. Installs what the hosts need; any disagreement fails.
#   scripts/test-differential.sh [--seed N] [--count N]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-apt.sh chromium php8.2-cli php8.2-mbstring
scripts/ensure-node-deps.sh
scripts/build-pkg.sh >/dev/null
CASPAY_WEBHOOKS_WASMTIME_LIB=$(scripts/ensure-wasmtime.sh)
export CASPAY_WEBHOOKS_WASMTIME_LIB
# Its own process group, so workerd and Chromium stop on every exit path.
setsid node tests/differential/run.mjs "$@" &
run=$!
trap 'kill -TERM -- "-$run" 2>/dev/null || true' EXIT INT TERM
wait "$run"
