#!/usr/bin/env bash
# Assembles the npm package in pkg/: the WebAssembly build, the module's bytes embedded in
# JavaScript for the entries that must not read a file (Node, Bun, Deno, /embedded), the
# CommonJS bundles for `require` with their declarations, the Node.js ESM bundle, and the
# license. The other ESM sources in pkg/src ship as they are.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-node-deps.sh
scripts/build-wasm.sh
cp LICENSE pkg/LICENSE

# The glue made loadable by every bundler and runtime, and the module's bytes as base64
# text for the entries that cannot read a file (see scripts/package-wasm.mjs).
node scripts/package-wasm.mjs

npx esbuild pkg/src/node-cjs.js --bundle --platform=node --format=cjs --target=node18 \
  --outfile=pkg/dist/node.cjs --log-level=warning
# The Node.js ESM entry ships as one file too: loading the fourteen modules of src/ one by one
# took most of a cold start (bench/node/run.mjs measures import + first call).
npx esbuild pkg/src/node.js --bundle --platform=node --format=esm --target=node18 \
  --outfile=pkg/dist/node.mjs --log-level=warning
# The stores' CommonJS builds; their database drivers stay the app's own dependencies.
for store in sqlite postgres; do
  npx esbuild "pkg/src/stores/$store.js" --bundle --platform=node --format=cjs --target=node18 \
    --external:better-sqlite3 --external:pg --outfile="pkg/dist/$store.cjs" --log-level=warning
done
# Declarations for `require` (TypeScript's node16/nodenext in a CommonJS project): the same
# text as types/*.d.ts, as .d.cts files beside the bundles, so TypeScript sees CommonJS
# modules (an ESM declaration there is error TS1479).
for name in index sqlite postgres; do
  sed "s#from './index.js'#from './index.cjs'#" "pkg/types/$name.d.ts" > "pkg/dist/$name.d.cts"
done
