#!/usr/bin/env bash
# Builds artifacts/caspay-webhooks.zip: the installable WordPress plugin (root folder
# caspay-webhooks/, the WebAssembly module and the translation template
# languages/caspay-webhooks.pot included, tests and dev files excluded), after checking
# readme.txt against wordpress.org's readme rules; then checks the zip's listing and that
# the template holds the settings page's strings.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-apt.sh zip unzip php8.2-cli
[ -s wordpress-plugin/wasm/caspay_webhooks_abi.wasm ] || scripts/build-wasm.sh

php scripts/check-readme.php --self-test >/dev/null
php scripts/check-readme.php wordpress-plugin 2>/dev/null

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/caspay-webhooks" artifacts
tar -C wordpress-plugin --exclude=./tests --exclude=./phpunit.xml.dist --exclude='*.cwasm' --exclude=./languages -cf - . \
  | tar -C "$stage/caspay-webhooks" -xf -
mkdir -p "$stage/caspay-webhooks/languages"
php scripts/make-pot.php "$stage/caspay-webhooks" "$stage/caspay-webhooks/languages/caspay-webhooks.pot" 2>/dev/null
pot=$stage/caspay-webhooks/languages/caspay-webhooks.pot
for msgid in 'Endpoint secret' 'Previous secret' 'Webhook URL' 'Timestamp tolerance' 'Maximum payload' 'Engine' \
  'PHP engine active: identical results.' 'Set in wp-config.php (%s); this field is disabled.' 'Process again' \
  'Delivery log' 'Needing attention (%s)' 'CasPay Webhooks'; do
  grep -qxF "msgid \"$msgid\"" "$pot" || { echo "plugin-zip: the .pot lacks \"$msgid\"" >&2; exit 1; }
done
if command -v msgfmt >/dev/null; then msgfmt --check -o /dev/null "$pot" 2>/dev/null; fi
rm -f artifacts/caspay-webhooks.zip
(cd "$stage" && zip -qrX "$OLDPWD/artifacts/caspay-webhooks.zip" caspay-webhooks)

listing=$(unzip -Z1 artifacts/caspay-webhooks.zip)
for expected in caspay-webhooks/caspay-webhooks.php caspay-webhooks/readme.txt caspay-webhooks/uninstall.php \
  caspay-webhooks/preload.php caspay-webhooks/index.php caspay-webhooks/includes/autoload.php \
  caspay-webhooks/includes/wasmtime-ffi.h caspay-webhooks/includes/class-caspay-webhooks.php \
  caspay-webhooks/includes/class-caspay-wasm-engine.php caspay-webhooks/includes/class-caspay-php-engine.php \
  caspay-webhooks/wasm/caspay_webhooks_abi.wasm caspay-webhooks/languages/caspay-webhooks.pot; do
  grep -qxF "$expected" <<<"$listing" || { echo "plugin-zip: $expected is missing from the zip" >&2; exit 1; }
done
if grep -vE '^caspay-webhooks/' <<<"$listing" | grep -q .; then
  echo "plugin-zip: entries outside caspay-webhooks/" >&2; exit 1
fi
if grep -qE '^caspay-webhooks/(tests/|phpunit\.xml)' <<<"$listing"; then
  echo "plugin-zip: development files leaked into the zip" >&2; exit 1
fi
printf 'artifacts/caspay-webhooks.zip: %d files, %d bytes\n' "$(wc -l <<<"$listing")" "$(wc -c < artifacts/caspay-webhooks.zip)"
