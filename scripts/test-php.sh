#!/usr/bin/env bash
# PHP tests of the WordPress plugin's library: both engines over the shared vectors,
# engine parity beyond them, the WebAssembly runtime (cache, traps, ulimit -v) and the
# request handler's status mapping. Installs what it needs; fails (never skips) when FFI
# or Wasmtime is unavailable.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/ensure-apt.sh php8.2-cli php8.2-mbstring phpunit
[ -s wordpress-plugin/wasm/caspay_webhooks_abi.wasm ] || scripts/build-wasm.sh
CASPAY_WEBHOOKS_WASMTIME_LIB=$(scripts/ensure-wasmtime.sh)
export CASPAY_WEBHOOKS_WASMTIME_LIB

echo "php -l over every PHP file of the plugin"
find wordpress-plugin -name '*.php' -print0 | xargs -0 -n1 -P2 php -l >/dev/null

php -d ffi.enable=1 -r 'exit(extension_loaded("ffi") ? 0 : 1);' \
  || { echo "PHP's FFI extension is not loaded; the WebAssembly engine cannot be tested" >&2; exit 1; }

php -d ffi.enable=1 -d memory_limit=512M "$(command -v phpunit)" -c wordpress-plugin/phpunit.xml.dist "$@"
