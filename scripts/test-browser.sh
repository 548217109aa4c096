#!/usr/bin/env bash
# Browser host: the playground (www/) in Debian's Chromium through playwright-core, with
# the shared vectors run in the page; a screenshot lands in artifacts/playground.png.
set -euo pipefail
cd "$(dirname "$0")/.."

# curl: the test runs the page's copied curl command against a local receiver.
scripts/ensure-apt.sh chromium curl
scripts/ensure-node-deps.sh
[ -f pkg/wasm/caspay_webhooks_bg.wasm ] || scripts/build-pkg.sh

npx tsc -p www

# Its own process group, so Chromium and the page server are stopped on every exit path.
setsid node --test tests/browser/ &
tests=$!
trap 'kill -TERM -- "-$tests" 2>/dev/null || true' EXIT INT TERM
wait "$tests"
