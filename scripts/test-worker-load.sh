#!/usr/bin/env bash
# The Cloudflare Worker example under load, on real workerd (miniflare, 127.0.0.1):
# 20,000 deliveries at concurrency 32 (retries at once and later, re-serialized copies,
# tampered bodies, wrong secrets), then the example's own records are checked (no forgery
# accepted, every event processed exactly once, none lost) and RELIABILITY.md's `worker`
# section is written. Other arguments replace the defaults, e.g. `--count 5000` for a
# shorter run that writes nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/ensure-node-deps.sh
[ -f pkg/wasm/caspay_webhooks_bg.wasm ] || scripts/build-pkg.sh

if [ "$#" -eq 0 ]; then
  set -- --count 20000 --concurrency 32 --seed 1 --reliability RELIABILITY.md
fi
# Its own process group, so workerd is stopped on every exit path, Ctrl+C included.
setsid node tests/load/worker.mjs "$@" &
run=$!
trap 'kill -TERM -- "-$run" 2>/dev/null || true' EXIT INT TERM
wait "$run"
