#!/usr/bin/env bash
# Builds artifacts/caspay-webhooks.zip: the installable WordPress plugin (root folder
# caspay-webhooks/, the WebAssembly module included, tests and dev files excluded), then
# checks its listing.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-apt.sh zip unzip
[ -s wordpress-plugin/wasm/caspay_webhooks_abi.wasm ] || scripts/build-wasm.sh

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/caspay-webhooks" artifacts
tar -C wordpress-plugin --exclude=./tests --exclude=./phpunit.xml.dist --exclude='*.cwasm' -cf - . \
  | tar -C "$stage/caspay-webhooks" -xf -
rm -f artifacts/caspay-webhooks.zip
(cd "$stage" && zip -qrX "$OLDPWD/artifacts/caspay-webhooks.zip" caspay-webhooks)

listing=$(unzip -Z1 artifacts/caspay-webhooks.zip)
for expected in caspay-webhooks/caspay-webhooks.php caspay-webhooks/readme.txt caspay-webhooks/uninstall.php \
  caspay-webhooks/preload.php caspay-webhooks/index.php caspay-webhooks/includes/autoload.php \
  caspay-webhooks/includes/wasmtime-ffi.h caspay-webhooks/includes/class-caspay-webhooks.php \
  caspay-webhooks/includes/class-caspay-wasm-engine.php caspay-webhooks/includes/class-caspay-php-engine.php \
  caspay-webhooks/wasm/caspay_webhooks_abi.wasm; do
  grep -qxF "$expected" <<<"$listing" || { echo "plugin-zip: $expected is missing from the zip" >&2; exit 1; }
done
if grep -vE '^caspay-webhooks/' <<<"$listing" | grep -q .; then
  echo "plugin-zip: entries outside caspay-webhooks/" >&2; exit 1
fi
if grep -qE '^caspay-webhooks/(tests/|phpunit\.xml)' <<<"$listing"; then
  echo "plugin-zip: development files leaked into the zip" >&2; exit 1
fi
printf 'artifacts/caspay-webhooks.zip: %d files, %d bytes\n' "$(wc -l <<<"$listing")" "$(wc -c < artifacts/caspay-webhooks.zip)"
