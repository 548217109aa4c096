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
# The stores' CommonJS builds; their database drivers stay the app's own dependencies.
for store in sqlite postgres; do
  npx esbuild "pkg/src/stores/$store.js" --bundle --platform=node --format=cjs --target=node18 \
    --external:better-sqlite3 --external:pg --outfile="pkg/dist/$store.cjs" --log-level=warning
done
