#!/usr/bin/env bash
# The PHP part of `make bench` (issue 9): the WordPress plugin's two engines against the
# code a merchant writes by hand, as ratios of alternatives measured in the same run.
#   1. Warm, in a PHP process (three of them, for the median): verify + parse and verify
#      alone through CasPay_Webhooks on the WebAssembly and the pure-PHP engine, and
#      hash_hmac + hash_equals + json_decode (bench/php/warm.php).
#   2. Per request: `php -S` with opcache, one delivery per request on each engine and a
#      plain request (bench/php/router.php, bench/php/requests.mjs), the WebAssembly engine
#      also on a server that preloads Wasmtime's declarations (ffi.preload); once without
#      the module cache.
#   3. WordPress end to end: a real WordPress and a private MariaDB (scripts/wordpress-env.sh,
#      the setup of scripts/test-wordpress.sh), signed deliveries to the REST endpoint with
#      the WebAssembly engine (with and without Wasmtime preloaded) and with the PHP engine.
# Writes artifacts/bench/php.json for bench/report.mjs and prints the tables. Installs what
# it needs (skipped when present); every server binds 127.0.0.1 and is stopped on exit.
# About three minutes on an idle machine.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD

scripts/ensure-apt.sh php8.2-cli php8.2-mysql php8.2-mbstring mariadb-server wordpress curl zip unzip
command -v node >/dev/null || scripts/ensure-apt.sh nodejs
CASPAY_WEBHOOKS_WASMTIME_LIB=$(scripts/ensure-wasmtime.sh)
export CASPAY_WEBHOOKS_WASMTIME_LIB
[ -s wordpress-plugin/wasm/caspay_webhooks_abi.wasm ] || scripts/build-wasm.sh
# bodies.mjs signs with the npm package (sampleEvent, sign), as bench/node does.
node -e "require('caspay-webhooks')" 2>/dev/null || scripts/build-pkg.sh
scripts/plugin-zip.sh >/dev/null

# shellcheck source=scripts/wordpress-env.sh
. scripts/wordpress-env.sh
tmp=$(mktemp -d /tmp/caspay-bench-php.XXXXXX)
pids=()
servers=()
cleanup() {
  local status=$?
  local pid
  # Each server runs in its own process group (setsid).
  for pid in "${servers[@]}"; do kill -- "-$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wp_env_stop_mariadb
  for pid in "${servers[@]}" "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ "$status" -ne 0 ]; then
    echo "--- bench/php failed; server logs ---" >&2
    tail -n 20 "$tmp"/*.log >&2 2>/dev/null || true
  fi
  rm -rf "$tmp"
  exit "$status"
}
trap cleanup EXIT INT TERM

# The flags of every measured PHP: FFI allowed (the WebAssembly engine needs it), opcache on.
php_flags=(-d ffi.enable=1 -d opcache.enable=1 -d opcache.enable_cli=1 -d display_errors=0)

# Further php -d flags for the next start_server.
server_flags=()
start_server() { # log-name port docroot router [VAR=value...]: a php -S, waits until it answers
  local name=$1 port=$2 docroot=$3 router=$4; shift 4
  env "$@" setsid php "${php_flags[@]}" "${server_flags[@]}" -S "127.0.0.1:$port" -t "$docroot" "$router" >"$tmp/$name.log" 2>&1 &
  servers+=($!)
  for _ in $(seq 100); do
    curl -s -o /dev/null "http://127.0.0.1:$port/" && return
    sleep 0.1
  done
  echo "bench/php: php -S ($name) did not start" >&2
  exit 1
}
stop_servers() {
  local pid
  for pid in "${servers[@]}"; do kill -- "-$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  servers=()
}

# Every body is made up front: the two measured bodies and the WordPress deliveries,
# signed with the secret the test site is installed with.
deliveries=$(( 3 * (${BENCH_WP_WARMUP:-10} + ${BENCH_WP_ROUNDS:-9} * ${BENCH_WP_PER_ROUND:-30}) ))
node bench/php/bodies.mjs "$tmp/bodies.json" "$wp_env_secret" "$deliveries"

echo "== PHP warm: the plugin's API against hash_hmac + hash_equals + json_decode, in three processes"
# Three processes rather than one: a process can run slow throughout (one run's WebAssembly
# engine took 1.6x the time of its own measured parts), which interleaved rounds inside it
# cannot see; bench/php/report.mjs takes the median of the three.
for run in 1 2 3; do
  php "${php_flags[@]}" bench/php/warm.php "$tmp/bodies.json" >"$tmp/warm-$run.json"
done

echo "== PHP per request: php -S with opcache, a plain request, each engine, Wasmtime preloaded; the module compiled per request"
port=$(free_port)
mkdir -m 0700 "$tmp/module-cache"
bench_secret=$(node -e "console.log(JSON.parse(require('fs').readFileSync(process.argv[1], 'utf8')).secret)" "$tmp/bodies.json")
start_server per-request "$port" "$tmp" "$root/bench/php/router.php" \
  CASPAY_BENCH_CACHE_DIR="$tmp/module-cache" CASPAY_BENCH_SECRET="$bench_secret"
# readme.txt's route for php-fpm (ffi.enable=preload), as wordpress-env.sh sets it up.
preload_port=$(free_port)
wp_env_preload_route "$root/wordpress-plugin/preload.php"
server_flags=("${wp_env_preload_flags[@]}")
start_server per-request-preload "$preload_port" "$tmp" "$root/bench/php/router.php" \
  CASPAY_BENCH_CACHE_DIR="$tmp/module-cache" CASPAY_BENCH_SECRET="$bench_secret"
server_flags=()
node bench/php/requests.mjs per-request "http://127.0.0.1:$port" "http://127.0.0.1:$preload_port" "$tmp/bodies.json" "$tmp/per-request.json"
stop_servers

echo "== WordPress delivery end to end: the REST endpoint with each engine, and with Wasmtime preloaded"
wp_env_start_mariadb
wp_env_install_wordpress
php_port=$(free_port)
# The engine constant comes from CASPAY_E2E_ENGINE (wp-config.php of wordpress-env.sh).
start_server wordpress-wasm "$wp_port" "$docroot" "$tmp/router.php" CASPAY_E2E_ENGINE=wasm
start_server wordpress-php "$php_port" "$docroot" "$tmp/router.php" CASPAY_E2E_ENGINE=php
wp_preload_port=$(free_port)
wp_env_preload_route "$docroot/wp-content/plugins/caspay-webhooks/preload.php"
server_flags=("${wp_env_preload_flags[@]}")
start_server wordpress-wasm-preload "$wp_preload_port" "$docroot" "$tmp/router.php" CASPAY_E2E_ENGINE=wasm
server_flags=()
node bench/php/requests.mjs wordpress "$endpoint" "http://127.0.0.1:$wp_preload_port/wp-json/caspay/v1/webhook" \
  "http://127.0.0.1:$php_port/wp-json/caspay/v1/webhook" "$tmp/bodies.json" "$tmp/wordpress.json"
stop_servers
# The delivery log names the engine of every delivery: a fallback to PHP would show here.
helper rows >"$tmp/rows.json"
engines=$(php -r '
  $rows = json_decode(file_get_contents($argv[1]), true)["log"];
  $hits = [];
  foreach ($rows as $r) { $hits[$r["engine"] . " " . $r["status"]] = ($hits[$r["engine"] . " " . $r["status"]] ?? 0) + (int) $r["hits"]; }
  ksort($hits);
  $third = (int) $argv[2] / 3;
  if ($hits !== ["php processed" => $third, "wasm processed" => 2 * $third]) { fwrite(STDERR, "bench/php: delivery log " . json_encode($hits) . ", expected $third processed per server\n"); exit(1); }
  echo "$third processed by each server";' "$tmp/rows.json" "$deliveries")

node -e '
  const [out, php, wasmtime, wordpress, mariadb, engines] = process.argv.slice(1);
  const cpus = require("node:os").cpus();
  require("node:fs").writeFileSync(out, JSON.stringify({ php, wasmtime, wordpress, mariadb, wordpress_engines: engines,
    cpus: `${cpus.length} × ${cpus[0]?.model.trim() ?? "unknown CPU"}` }));' \
  "$tmp/meta.json" "$(php -r 'echo PHP_VERSION;')" \
  "$(php -r 'define("CASPAY_WEBHOOKS_LIBRARY", 1); require "wordpress-plugin/includes/class-caspay-wasm-runtime.php"; echo CasPay_Wasm_Runtime::WASMTIME_VERSION;')" \
  "$wp_version" "$(mariadbd --version | sed -n 's/.*Ver \([^ ]*\).*/\1/p')" "$engines"

node bench/php/report.mjs "$tmp"
