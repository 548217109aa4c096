#!/usr/bin/env bash
# End to end on real WordPress (Debian's package) and a private MariaDB: installs the
# plugin from artifacts/caspay-webhooks.zip, serves it with `php -S` (4 workers) on
# 127.0.0.1 and sends real HTTP deliveries: every shape of payment and subscription
# events, tampering, a wrong secret, the dashboard's test_signature, a missing signature,
# an oversized body, signed broken JSON, and one delivery sent 8 times concurrently
# (exactly one row claims it, its actions fire once). Runs with the WebAssembly engine,
# forced to the PHP engine, and on a server without FFI; then renders the admin screen
# and uninstalls. Everything it starts is stopped on any exit.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

scripts/ensure-apt.sh php8.2-cli php8.2-mysql php8.2-mbstring mariadb-server wordpress curl zip unzip
CASPAY_WEBHOOKS_WASMTIME_LIB=$(scripts/ensure-wasmtime.sh)
scripts/plugin-zip.sh >/dev/null

tmp=$(mktemp -d /tmp/caspay-wp.XXXXXX)
pids=()
cleanup() {
  local status=$?
  [ -z "${server_pid:-}" ] || kill -- "-$server_pid" 2>/dev/null || true
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  if [ -s "$tmp/mysqld.pid" ]; then kill "$(cat "$tmp/mysqld.pid")" 2>/dev/null || true; fi
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  # mariadbd removes its pid file when it has shut down.
  for _ in $(seq 50); do [ -e "$tmp/mysqld.pid" ] || break; sleep 0.1; done
  if [ "$status" -ne 0 ]; then
    echo "--- failed; server logs ---" >&2
    tail -n 30 "$tmp"/*.log >&2 2>/dev/null || true
  fi
  rm -rf "$tmp"
  exit "$status"
}
trap cleanup EXIT INT TERM

free_port() { php -r '$s = stream_socket_server("tcp://127.0.0.1:0"); echo explode(":", stream_socket_get_name($s, false))[1];'; }
fail() { echo "FAIL: $*" >&2; exit 1; }
pass() { echo "  ok  $*"; }

# --- MariaDB, private to this run --------------------------------------------------
db_port=$(free_port)
mariadb-install-db --no-defaults --datadir="$tmp/db" --user="$(id -un)" \
  --auth-root-authentication-method=normal --skip-test-db >"$tmp/mariadb-install.log" 2>&1
mariadbd --no-defaults --datadir="$tmp/db" --user="$(id -un)" --bind-address=127.0.0.1 \
  --port="$db_port" --socket="$tmp/mysqld.sock" --pid-file="$tmp/mysqld.pid" \
  --skip-name-resolve --log-error="$tmp/mariadb.log" &
pids+=($!)
for _ in $(seq 100); do
  mariadb --no-defaults -S "$tmp/mysqld.sock" -u root -e 'SELECT 1' >/dev/null 2>&1 && break
  sleep 0.2
done
mariadb --no-defaults -S "$tmp/mysqld.sock" -u root -e "
  CREATE DATABASE wordpress CHARACTER SET utf8mb4;
  CREATE USER 'wp'@'127.0.0.1' IDENTIFIED BY 'wp-e2e';
  GRANT ALL ON wordpress.* TO 'wp'@'127.0.0.1';" || fail "MariaDB did not start"
echo "MariaDB on 127.0.0.1:$db_port"

# --- WordPress ------------------------------------------------------------------------
docroot=$tmp/wordpress
cp -rL /usr/share/wordpress "$docroot" 2>/dev/null || cp -r /usr/share/wordpress "$docroot"
rm -f "$docroot/.htaccess"
mkdir -p "$docroot/wp-content/plugins" "$docroot/wp-content/mu-plugins"
unzip -q artifacts/caspay-webhooks.zip -d "$docroot/wp-content/plugins"
cp wordpress-plugin/tests/e2e/count-actions.php "$docroot/wp-content/mu-plugins/"
cp wordpress-plugin/tests/e2e/router.php "$tmp/router.php"

wp_port=$(free_port)
url="http://127.0.0.1:$wp_port"
secret="whsec_E2eTestSecretE2eTestSecret0123"
cat > "$docroot/wp-config.php" <<PHP
<?php
define( 'DB_NAME', 'wordpress' );
define( 'DB_USER', 'wp' );
define( 'DB_PASSWORD', 'wp-e2e' );
define( 'DB_HOST', '127.0.0.1:$db_port' );
define( 'DB_CHARSET', 'utf8mb4' );
define( 'DB_COLLATE', '' );
\$table_prefix = 'wp_';
define( 'AUTH_KEY', '$(head -c 24 /dev/urandom | base64)' );
define( 'SECURE_AUTH_KEY', '$(head -c 24 /dev/urandom | base64)' );
define( 'LOGGED_IN_KEY', '$(head -c 24 /dev/urandom | base64)' );
define( 'NONCE_KEY', '$(head -c 24 /dev/urandom | base64)' );
define( 'WP_DEBUG', true );
define( 'WP_DEBUG_DISPLAY', false );
define( 'WP_DEBUG_LOG', '$tmp/wp-debug.log' );
define( 'DISABLE_WP_CRON', true );
define( 'AUTOMATIC_UPDATER_DISABLED', true );
define( 'WP_HTTP_BLOCK_EXTERNAL', true );
define( 'CASPAY_WEBHOOKS_WASMTIME_LIB', '$CASPAY_WEBHOOKS_WASMTIME_LIB' );
if ( getenv( 'CASPAY_E2E_ENGINE' ) ) {
	define( 'CASPAY_WEBHOOKS_ENGINE', getenv( 'CASPAY_E2E_ENGINE' ) );
}
if ( ! defined( 'ABSPATH' ) ) {
	define( 'ABSPATH', __DIR__ . '/' );
}
require_once ABSPATH . 'wp-settings.php';
PHP

export CASPAY_E2E_URL=$url CASPAY_E2E_DOCROOT=$docroot CASPAY_E2E_SECRET=$secret
export CASPAY_VECTORS_DIR=$root/tests/vectors
helper() { php -d ffi.enable=1 "$root/wordpress-plugin/tests/e2e/e2e-helper.php" "$@"; }
endpoint=$(helper install "$url" caspay-webhooks/caspay-webhooks.php)
[ "$endpoint" = "$url/wp-json/caspay/v1/webhook" ] || fail "unexpected endpoint URL $endpoint"
echo "WordPress installed, plugin active; endpoint $endpoint"

# --- HTTP ---------------------------------------------------------------------------
server_pid=
start_server() { # engine ffi_enable
  stop_server
  # Its own process group: PHP_CLI_SERVER_WORKERS forks workers that must stop with it.
  CASPAY_E2E_ENGINE=$1 PHP_CLI_SERVER_WORKERS=4 setsid php -d ffi.enable="$2" -d display_errors=0 \
    -S "127.0.0.1:$wp_port" -t "$docroot" "$tmp/router.php" >"$tmp/php-server.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 100); do curl -s -o /dev/null "$url/wp-json/" && return; sleep 0.1; done
  fail "php -S did not start"
}
stop_server() {
  if [ -n "$server_pid" ]; then
    kill -- "-$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    for _ in $(seq 50); do curl -s -o /dev/null "$url/" || break; sleep 0.1; done
    server_pid=
  fi
}

out=$tmp/out
mkdir -p "$out" "$tmp/bodies"
send() { # name body-file signature|- [curl args...]: writes $out/name.{status,json}
  local name=$1 file=$2 signature=$3; shift 3
  local args=(-s -o "$out/$name.json" -w '%{http_code}' -X POST -H 'Content-Type: application/json'
    -H 'User-Agent: CasPay-Webhook/1.0' --data-binary "@$file")
  [ "$signature" = - ] || args+=(-H "X-CasPay-Signature: $signature")
  curl "${args[@]}" "$@" "$endpoint" >"$out/$name.status"
}
expect() { # name status json-fragment
  local status body
  status=$(cat "$out/$1.status"); body=$(cat "$out/$1.json")
  [ "$status" = "$2" ] || fail "$1: HTTP $status, expected $2: $body"
  grep -qF -- "$3" <<<"$body" || fail "$1: body $body lacks $3"
  pass "$1 → $2 $3"
}
sig() { helper sign "$1" "${2:-$secret}"; }
rows_json() { helper rows; }

run_scenario() { # label engine ffi_enable expected_engine
  local label=$1 engine=$2 ffi=$3 expected=$4
  echo "== $label (CASPAY_WEBHOOKS_ENGINE=$engine, ffi.enable=$ffi): expect engine $expected"
  helper reset
  start_server "$engine" "$ffi"
  local b=$tmp/bodies salt
  salt=$(head -c 4 /dev/urandom | od -An -tx1 | tr -d ' \n')
  helper bodies "$b" "$salt"

  for f in pay_a pay_b pay_c sub_a sub_b sub_c; do
    send "$f" "$b/$f.json" "$(sig "$b/$f.json")" -H "X-CasPay-Event: from-$f"
    expect "$f" 200 '{"received":true}'
  done
  send again "$b/pay_a.json" "$(sig "$b/pay_a.json")"
  expect again 200 '{"duplicate":true}'

  sed 's/100000000000/900000000000/' "$b/pay_b.json" >"$b/tampered.json"
  send tampered "$b/tampered.json" "$(sig "$b/pay_b.json")"
  expect tampered 401 '"code":"signature_mismatch"'
  send wrong-secret "$b/pay_b.json" "$(sig "$b/pay_b.json" whsec_NotTheSecretNotTheSecret00000)"
  expect wrong-secret 401 '"code":"signature_mismatch"'
  send test-button "$b/test.json" test_signature -H 'X-CasPay-Event: test.webhook'
  expect test-button 401 '"code":"invalid_signature_format"'
  send unsigned "$b/pay_c.json" -
  expect unsigned 401 '"code":"missing_signature"'
  send oversized "$b/big.json" "$(sig "$b/big.json")"
  expect oversized 413 '"code":"payload_too_large"'
  send broken-unsigned "$b/broken.json" -
  expect broken-unsigned 401 '"code":"missing_signature"'
  send broken-signed "$b/broken.json" "$(sig "$b/broken.json")"
  expect broken-signed 400 '"code":"invalid_json"'

  # Eight copies of one new delivery at once.
  local conc_sig i
  conc_sig=$(sig "$b/concurrent.json")
  for i in $(seq 8); do send "concurrent-$i" "$b/concurrent.json" "$conc_sig" & done
  wait_for_jobs
  local received=0 duplicate=0
  for i in $(seq 8); do
    [ "$(cat "$out/concurrent-$i.status")" = 200 ] || fail "concurrent-$i: HTTP $(cat "$out/concurrent-$i.status")"
    grep -qF '{"received":true}' "$out/concurrent-$i.json" && received=$((received + 1))
    grep -qF '{"duplicate":true}' "$out/concurrent-$i.json" && duplicate=$((duplicate + 1))
  done
  [ "$received" = 1 ] && [ "$duplicate" = 7 ] || fail "concurrent: $received received, $duplicate duplicates"
  pass "8 concurrent copies → 1 received, 7 duplicates"

  stop_server
  rows_json >"$out/rows.json"
  ROWS=$out/rows.json ACTIONS=$docroot/wp-content/caspay-actions.log EXPECTED_ENGINE=$expected SALT=$salt \
    php -r '
      $rows = json_decode(file_get_contents(getenv("ROWS")), true);
      $actions = file(getenv("ACTIONS"), FILE_IGNORE_NEW_LINES);
      $fail = function ($m) { fwrite(STDERR, "FAIL: $m\n"); exit(1); };
      $key = "evt_" . getenv("SALT") . "concurrent_payment_completed_a";
      $claims = array_filter($rows, fn ($r) => $r["idempotency_key"] === $key && null !== $r["event_key"]);
      count($claims) === 1 || $fail(count($claims) . " rows claim the concurrent event");
      count(array_filter($rows, fn ($r) => $r["idempotency_key"] === $key)) === 8 || $fail("the 8 concurrent deliveries are not all logged");
      $fired = array_count_values($actions);
      ($fired["caspay_webhook_event $key"] ?? 0) === 1 || $fail("caspay_webhook_event fired " . ($fired["caspay_webhook_event $key"] ?? 0) . " times for the concurrent event");
      ($fired["caspay_webhook_payment_completed $key"] ?? 0) === 1 || $fail("caspay_webhook_payment_completed did not fire exactly once");
      $events = array_filter($actions, fn ($l) => 0 === strpos($l, "caspay_webhook_event "));
      count($events) === 7 || $fail(count($events) . " caspay_webhook_event actions, expected 7 (6 shapes + 1 concurrent)");
      foreach (["caspay_webhook_subscription_cancelled", "caspay_webhook_subscription_canceled", "caspay_webhook_subscription_renewed", "caspay_webhook_payment_received", "caspay_webhook_subscription_created"] as $hook) {
        count(preg_grep("/^$hook /", $actions)) === 1 || $fail("$hook did not fire exactly once");
      }
      $status = array_count_values(array_map(fn ($r) => $r["status"] . " " . $r["http_status"] . " " . $r["error_code"], $rows));
      ksort($status);
      $expected = ["duplicate 200 duplicate_event" => 8, "received 200 " => 7, "rejected 400 invalid_json" => 1, "rejected 401 invalid_signature_format" => 1, "rejected 401 missing_signature" => 2, "rejected 401 signature_mismatch" => 2, "rejected 413 payload_too_large" => 1];
      $status === $expected || $fail("delivery log: " . json_encode($status));
      $engines = array_unique(array_column($rows, "engine"));
      $engines === [getenv("EXPECTED_ENGINE")] || $fail("engines used: " . json_encode(array_values($engines)));
      in_array("test.webhook", array_column($rows, "event_type"), true) || $fail("the test button delivery was not logged with its claimed type");
      echo "  ok  ", count($rows), " deliveries logged on engine ", getenv("EXPECTED_ENGINE"), "; one row and one action per event\n";
    '
}
wait_for_jobs() { local job; for job in $(jobs -p); do [ "$job" = "$server_pid" ] || [[ " ${pids[*]} " == *" $job "* ]] || wait "$job"; done; }

run_scenario "WebAssembly engine" auto 1 wasm
run_scenario "PHP engine, forced" php 1 php
run_scenario "no FFI in the web server (automatic fallback)" auto preload php

echo "== admin screen and uninstall"
helper admin >"$out/admin.html"
grep -qF "$url/wp-json/caspay/v1/webhook" "$out/admin.html" || fail "settings page lacks the endpoint URL"
grep -qF 'Active engine:' "$out/admin.html" || fail "settings page lacks the active engine"
grep -qF 'name="_wpnonce"' "$out/admin.html" || fail "settings forms lack nonces"
grep -qF 'caspay_webhooks_clear_log' "$out/admin.html" || fail "deliveries tab missing"
grep -qF "$secret" "$out/admin.html" && fail "the secret is printed on the settings page"
grep -qF 'DENIED:' "$out/admin.html" || fail "a visitor could render the settings page"
pass "settings page: URL, engine, nonces, deliveries; secret never printed; visitors denied"
left=$(helper uninstall caspay-webhooks/caspay-webhooks.php)
[ "$left" = '{"table":null,"options":[],"cron":false}' ] || fail "uninstall left: $left"
pass "uninstall removed the table, the options and the schedule"
echo "test-wordpress: all passed"
