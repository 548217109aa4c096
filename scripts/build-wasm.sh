#!/usr/bin/env bash
# Builds the two WebAssembly modules from the one core:
#   pkg/wasm/            the wasm-bindgen build for the npm package (features js)
#   wordpress-plugin/wasm/caspay_webhooks_abi.wasm   the import-free build (features abi)
# Each feature set has its own target directory, so switching between them stays cached.
set -euo pipefail
shopt -s inherit_errexit
cd "$(dirname "$0")/.."
scripts/ensure-wasm-tools.sh
scripts/ensure-node-deps.sh

# wasm-opt comes from the npm package binaryen: Debian's binaryen 108 turns
# wasm-bindgen's externref table into a funcref one. The flags are the wasm32 target's
# default features (Rust >= 1.82); --all-features would let it emit stringref.
WASM_FEATURES=(--enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext
  --enable-mutable-globals --enable-reference-types --enable-multivalue)

build() { # features -> path of the built module
  local dir="target/wasm-$1"
  cargo rustc --quiet --release --target wasm32-unknown-unknown --target-dir "$dir" \
    --no-default-features --features "$1" --crate-type cdylib
  echo "$dir/wasm32-unknown-unknown/release/caspay_webhooks.wasm"
}

optimize() { # in out
  node_modules/.bin/wasm-opt -Oz --strip-debug --strip-producers "${WASM_FEATURES[@]}" "$1" -o "$2"
}

abi=$(build abi)
mkdir -p wordpress-plugin/wasm
optimize "$abi" wordpress-plugin/wasm/caspay_webhooks_abi.wasm

js=$(build js)
wasm-bindgen --target web --experimental-reset-state-function --out-dir pkg/wasm --out-name caspay_webhooks "$js"
optimize pkg/wasm/caspay_webhooks_bg.wasm pkg/wasm/caspay_webhooks_bg.wasm

for module in pkg/wasm/caspay_webhooks_bg.wasm wordpress-plugin/wasm/caspay_webhooks_abi.wasm; do
  printf '%-52s %7d bytes, %6d gzip\n' "$module" "$(wc -c < "$module")" "$(gzip -9c "$module" | wc -c)"
done
