#!/usr/bin/env bash
# `make ct`: a dudect-style constant-time test of the signature check in every host (the
# native core, the npm package in Node, both PHP engines), each next to a known-leaky
# control, then Welch's t-test (ct/analyze.mjs), written to RELIABILITY.md between the
# ct markers. Slow (minutes) and sensitive to other load: not part of `make test`.
#
# Exits non-zero only when a control is not detected (the harness could not see a known
# leak); a leak in the real code is printed as a FINDING.
#
# CT_SAMPLES: measurements per class and per variant (default 1000000).
# CT_HOSTS: hosts to measure, a subset of "native node php-wasm php" (default all).
set -euo pipefail
cd "$(dirname "$0")/.."

samples=${CT_SAMPLES:-1000000}
hosts=${CT_HOSTS:-native node php-wasm php}
command="make ct"
[ "$samples" = 1000000 ] || command="CT_SAMPLES=$samples $command"
[ "$hosts" = "native node php-wasm php" ] || command="CT_HOSTS='$hosts' $command"

has() { [[ " $hosts " == *" $1 "* ]]; }

echo "ct: preparing (the package, the wasm modules, PHP, Wasmtime, the native harness)"
scripts/build-pkg.sh >/dev/null
if has php-wasm || has php; then
  scripts/ensure-apt.sh php8.2-cli
  CASPAY_WEBHOOKS_WASMTIME_LIB=$(scripts/ensure-wasmtime.sh)
  export CASPAY_WEBHOOKS_WASMTIME_LIB
fi
# ct/native is its own workspace: its build stays in ct/native/target.
(unset CARGO_TARGET_DIR; cd ct/native && cargo build --release --quiet)

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || uname -m)
wasmtime=$(basename "$(dirname "${CASPAY_WEBHOOKS_WASMTIME_LIB:-/unknown/-/x}")")
runtimes="$(rustc --version | awk '{ print $1, $2 }'), Node $(node --version)"
if has php-wasm || has php; then
  runtimes="$runtimes, PHP $(php -r 'echo PHP_VERSION;'), Wasmtime $wasmtime (C API)"
fi
node -e '
  const [command, date, machine, load, runtimes, body] = process.argv.slice(1);
  process.stdout.write(JSON.stringify({ command, date, machine, load, runtimes, bodyBytes: Number(body) }));
' "$command" "$(date -u '+%Y-%m-%d %H:%M UTC')" "$cpu, $(nproc) cores, $(uname -sr)" \
  "$(cut -d' ' -f1-3 /proc/loadavg)" "$runtimes" \
  "$(node -e 'process.stdout.write(String(Buffer.byteLength(require("./ct/inputs.json").body)))')" \
  >"$dir/machine.json"

# One host at a time: two cores, and every other process adds noise.
for host in $hosts; do
  echo "ct: measuring $host ($samples per class, real and control)"
  start=$SECONDS
  case $host in
    native) ct/native/target/release/caspay-ct-native "$samples" "$dir" ;;
    node) node ct/node/measure.mjs "$samples" "$dir" ;;
    php-wasm) php -d ffi.enable=1 -d memory_limit=4G ct/php/measure.php wasm "$samples" "$dir" ;;
    php) php -d memory_limit=4G ct/php/measure.php php "$samples" "$dir" ;;
    *) echo "ct: unknown host $host" >&2; exit 2 ;;
  esac
  echo "ct: $host took $((SECONDS - start)) s"
done

node ct/analyze.mjs "$dir" --write RELIABILITY.md
