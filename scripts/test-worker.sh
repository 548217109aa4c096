#!/usr/bin/env bash
# Workers host: the shared vector runner in Node, the esbuild bundles, the example Worker
# (its Durable Object inbox included) and the shared vectors on real workerd (through
# miniflare), all on 127.0.0.1; then a bounded load run of the example (5,000 deliveries,
# about a minute and a half here; scripts/test-worker-load.sh runs the full 20,000 and
# writes RELIABILITY.md).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/ensure-node-deps.sh
[ -f pkg/wasm/caspay_webhooks_bg.wasm ] || scripts/build-pkg.sh

npx tsc -p examples/cloudflare-worker
npx tsc -p tests/worker

# Its own process group, so workerd and anything else the tests started is stopped on
# every exit path, failures and Ctrl+C included.
setsid node --test --test-concurrency=2 tests/shared/ tests/bundle/ tests/worker/ &
tests=$!
trap 'kill -TERM -- "-$tests" 2>/dev/null || true' EXIT INT TERM
wait "$tests"

scripts/test-worker-load.sh --count 5000 --concurrency 32 --seed 2
