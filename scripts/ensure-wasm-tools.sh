#!/usr/bin/env bash
# Makes the WebAssembly toolchain available: the wasm32 target and the wasm-bindgen CLI at
# exactly the version Cargo.lock pins (the CLI refuses modules made by any other version).
# Each step is skipped when already satisfied.
set -euo pipefail
cd "$(dirname "$0")/.."

rustup target list --installed | grep -qx wasm32-unknown-unknown \
  || rustup target add wasm32-unknown-unknown

want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
have=$(wasm-bindgen --version 2>/dev/null | awk '{ print $2 }' || true)
if [ "$have" != "$want" ]; then
  echo "installing wasm-bindgen-cli $want (found: ${have:-none})"
  # No --locked: the registry mirror lacks one of the CLI's pinned dependency versions.
  cargo install wasm-bindgen-cli --version "$want" --quiet
fi
