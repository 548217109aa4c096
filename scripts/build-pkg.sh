#!/usr/bin/env bash
# Assembles the npm package in pkg/: the WebAssembly build, the CommonJS bundle for
# `require`, and the license. The ESM sources in pkg/src ship as they are.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-node-deps.sh
scripts/build-wasm.sh
cp LICENSE pkg/LICENSE
npx esbuild pkg/src/node-cjs.js --bundle --platform=node --format=cjs --target=node18 \
  --outfile=pkg/dist/node.cjs --log-level=warning --log-override:empty-import-meta=silent
