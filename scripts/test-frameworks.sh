#!/usr/bin/env bash
# The package as merchants use it, from the tarball `npm pack` makes of pkg/: the README's
# quick starts type-checked under strict (ESM and CommonJS) and run; Express 5, Fastify 5,
# Koa, Hono and node:http servers; Next.js 15 (webpack) and 16 (Turbopack and --webpack)
# apps built and started, Node and edge routes and middleware; Vite, webpack, esbuild and
# Rollup browser bundles; Bun and Deno. The apps are installed from the npm registry into a
# cache outside the repository (tests/frameworks/support.mjs) and reused between runs.
set -euo pipefail
cd "$(dirname "$0")/.."
# PostgreSQL for the stores, Chromium for the browser bundles.
scripts/ensure-apt.sh postgresql chromium
scripts/build-pkg.sh >/dev/null
cache=$(node --input-type=module -e "import { CACHE } from './tests/frameworks/support.mjs'; console.log(CACHE)")
mkdir -p "$cache"
# One run at a time per cache: two runs building the same Next.js app collide.
exec 9>"$cache/.lock"
if ! flock -n 9; then
  echo "test-frameworks: waiting for another run that uses $cache"
  flock 9
fi
rm -f "$cache"/caspay-webhooks-*.tgz
CASPAY_TARBALL="$cache/$(cd pkg && npm pack --ignore-scripts --pack-destination "$cache" --silent | tail -1)"
export CASPAY_TARBALL
# Its own process group, so every server and build it starts stops on any exit path.
setsid node --test --test-concurrency=1 tests/frameworks/ &
run=$!
trap 'kill -TERM -- "-$run" 2>/dev/null || true' EXIT INT TERM
wait "$run"
