#!/usr/bin/env bash
# End to end on real WordPress (Debian's package) and a private MariaDB: installs the
# plugin from artifacts/caspay-webhooks.zip, serves it with `php -S` on 127.0.0.1 and sends
# real HTTP deliveries.
#   1. readme.txt's "Tested up to" is the WordPress this test runs; a 0.1.0 table upgrades
#      to the inbox; the inbox table passes the store contract on MariaDB; activation
#      schedules the sweep (every minute) and pruning, deactivation unschedules them.
#   2. With the WebAssembly engine, forced to the PHP engine, and without FFI: every body
#      shape, tampering, a wrong secret, the dashboard's test_signature, a missing
#      signature, an oversized body, signed broken JSON, four re-serializations of one
#      shape-C event and one delivery sent 8 times at once: each event processed once.
#   3. Faults: a listener that fails twice, a copy while the original runs (409 +
#      Retry-After), a fatal error in a listener, a php -S worker killed mid-listener
#      (lease expiry, then the WP-Cron sweep through wp-cron.php), a dead event processed
#      again from the admin screen (nonce, capability).
#   4. The settings page over HTTP as an administrator: wp-config.php secret constants,
#      the calm PHP-engine notice, a warning shown once on the first save.
#   5. A flood of forged deliveries stays a few log rows.
#   6. Load: 1,000 deliveries at concurrency 8 with retries, re-serializations, forgeries
#      and worker kills (tests/load/wordpress.mjs); with CASPAY_RELIABILITY=1 (make reliability)
#      its numbers go to RELIABILITY.md.
#   7. Uninstall removes tables, options, schedules and the module cache directories.
#   8. On a multisite network of 3 sites: network activation and one load of each site
#      schedule both hooks and create both tables on each, network deactivation
#      unschedules every site's, reactivation then a load puts them back on each, and
#      uninstall removes every site's tables, options and schedules.
# Everything it starts is stopped on any exit.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

scripts/ensure-apt.sh php8.2-cli php8.2-mysql php8.2-mbstring mariadb-server wordpress curl zip unzip
command -v node >/dev/null || scripts/ensure-apt.sh nodejs
CASPAY_WEBHOOKS_WASMTIME_LIB=$(scripts/ensure-wasmtime.sh)
scripts/plugin-zip.sh >/dev/null

# shellcheck source=scripts/wordpress-env.sh
. scripts/wordpress-env.sh
tmp=$(mktemp -d /tmp/caspay-wp.XXXXXX)
pids=()
cleanup() {
  local status=$?
  [ -z "${server_pid:-}" ] || kill -- "-$server_pid" 2>/dev/null || true
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wp_env_stop_mariadb
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ "$status" -ne 0 ]; then
    echo "--- failed; server logs ---" >&2
    tail -n 30 "$tmp"/*.log >&2 2>/dev/null || true
  fi
  rm -rf "$tmp"
  exit "$status"
}
trap cleanup EXIT INT TERM

fail() { echo "FAIL: $*" >&2; exit 1; }
pass() { echo "  ok  $*"; }

# --- MariaDB and WordPress, private to this run (shared with bench/php/run.sh) -------------
wp_env_start_mariadb
wp_env_install_wordpress wordpress-plugin/tests/e2e/caspay-e2e-listeners.php

tested=$(sed -n 's/^Tested up to: *//p' wordpress-plugin/readme.txt | tr -d '\r ')
[ "$(cut -d. -f1-2 <<<"$wp_version")" = "$(cut -d. -f1-2 <<<"$tested")" ] \
  || fail "readme.txt says Tested up to: $tested, this test runs WordPress $wp_version"
pass "readme.txt Tested up to: $tested = the WordPress under test ($wp_version)"

export CASPAY_VECTORS_DIR=$root/tests/vectors

# A PHP check over JSON files: php_check 'code' file...; the code sees $j (decoded files),
# $fail(message) and prints its own ok line.
php_check() {
  local code=$1; shift
  php -r '$j = array_map(fn ($f) => json_decode(file_get_contents($f), true), array_slice($argv, 1));
    $fail = function ($m) { fwrite(STDERR, "FAIL: $m\n"); exit(1); };
    '"$code" -- "$@"
}

# --- Schema, store contract, schedules ---------------------------------------------------
helper legacy-upgrade >"$tmp/legacy.json"
php_check '
  $r = $j[0];
  $r["db_version"] === "2" || $fail("schema version after the upgrade: " . json_encode($r["db_version"]));
  $r["inbox"] === [["evt_legacy_1", "done", 1795773600, "payment.completed"], ["sha256:" . str_repeat("ab", 32), "done", 1795773660, "subscription.renewed"]] || $fail("inbox after the upgrade: " . json_encode($r["inbox"]));
  $r["log"] === ["processed", "duplicate", "processed", "rejected"] || $fail("log after the upgrade: " . json_encode($r["log"]));
  $idx = array_column($r["indexes"], "NON_UNIQUE", "INDEX_NAME");
  ($idx["event_key"] ?? null) === "1" && ($idx["bucket"] ?? null) === "0" || $fail("indexes after the upgrade: " . json_encode($r["indexes"]));
  $r["sweep"] || $fail("the upgrade did not schedule the sweep");
  echo "  ok  0.1.0 table upgraded: claimed events are done inbox rows, log kept, event_key no longer unique, sweep scheduled\n";
' "$tmp/legacy.json"
contract=$(helper store-contract)
[ "$contract" = "[]" ] || fail "the inbox table breaks the store contract: $contract"
pass "the inbox table on MariaDB passes the store contract (claims, fencing, leases, dead, retry)"
helper cron >"$tmp/cron.json"
php_check '$c = $j[0]; ($c["sweep_schedule"] === "caspay_webhooks_every_minute" && $c["interval"] === 60 && $c["sweep"] && $c["prune"]) || $fail("schedules: " . json_encode($c));
  echo "  ok  sweep scheduled every minute (custom interval), pruning daily\n";' "$tmp/cron.json"
[ "$(helper reactivate caspay-webhooks/caspay-webhooks.php)" = '{"deactivated":[false,false],"activated":[true,true]}' ] \
  || fail "deactivation does not unschedule, or activation does not schedule, the sweep and pruning"
pass "deactivation unschedules the sweep and pruning; activation schedules them again"

# --- HTTP ---------------------------------------------------------------------------
server_pid=
# Further php -d flags for the next start_server (run_scenario sets them).
server_php_flags=()
start_server() { # engine ffi_enable [workers] [VAR=value...]
  stop_server
  local engine=$1 ffi=$2 workers=${3:-4}; shift 3 || shift $#
  # Its own process group: PHP_CLI_SERVER_WORKERS forks workers that must stop with it.
  env "$@" CASPAY_E2E_ENGINE="$engine" PHP_CLI_SERVER_WORKERS="$workers" setsid php -d ffi.enable="$ffi" -d display_errors=0 \
    "${server_php_flags[@]}" -S "127.0.0.1:$wp_port" -t "$docroot" "$tmp/router.php" >"$tmp/php-server.log" 2>&1 &
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
b=$tmp/bodies
mkdir -p "$out" "$b"
send() { # name body-file signature|- [curl args...]: writes $out/name.{status,json,headers}
  local name=$1 file=$2 signature=$3; shift 3
  local args=(-s -o "$out/$name.json" -D "$out/$name.headers" -w '%{http_code}' -X POST -H 'Content-Type: application/json'
    -H 'User-Agent: CasPay-Webhook/1.0' --data-binary "@$file")
  [ "$signature" = - ] || args+=(-H "X-CasPay-Signature: $signature")
  curl "${args[@]}" "$@" "$endpoint" >"$out/$name.status" || true
}
expect() { # name status json-fragment
  local status body
  status=$(cat "$out/$1.status"); body=$(cat "$out/$1.json" 2>/dev/null || true)
  [ "$status" = "$2" ] || fail "$1: HTTP $status, expected $2: $body"
  grep -qF -- "$3" <<<"$body" || fail "$1: body $body lacks $3"
  pass "$1 → $2 $3"
}
retry_after() { sed -n 's/^[Rr]etry-[Aa]fter: *\([0-9]*\).*/\1/p' "$out/$1.headers" | tr -d '\r'; }
sig() { helper sign "$1" "${2:-$secret}"; }
rows() { helper rows >"$out/rows.json"; }
wait_for_jobs() { local job; for job in $(jobs -p); do [ "$job" = "$server_pid" ] || [[ " ${pids[*]} " == *" $job "* ]] || wait "$job" || true; done; }
new_bodies() { rm -f "$b"/*; salt=$(head -c 4 /dev/urandom | od -An -tx1 | tr -d ' \n'); helper bodies "$b" "$salt"; }
actions=$docroot/wp-content/caspay-actions.log
behavior=$docroot/wp-content/caspay-behavior.log

run_scenario() { # label engine ffi_enable expected [php -d flags...]
  local label=$1 engine=$2 ffi=$3 expected=$4
  shift 4
  echo "== $label (CASPAY_WEBHOOKS_ENGINE=$engine, ffi.enable=$ffi${*:+ $*}): expect engine $expected"
  helper reset
  server_php_flags=("$@")
  start_server "$engine" "$ffi" 4
  server_php_flags=()
  new_bodies

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
  # Compressed on the way (a proxy): refused as such, not as a bad signature.
  gzip -c "$b/sub_b.json" >"$b/gzipped.json"
  send gzipped "$b/gzipped.json" "$(sig "$b/sub_b.json")" -H 'Content-Encoding: gzip'
  expect gzipped 415 '"code":"unsupported_encoding"'

  # One shape-C event as sent, in jsonb key order, pretty-printed and with its keys
  # reversed: four byte strings, four signatures, one content key, one processing.
  local variant
  for variant in as-sent jsonb pretty reversed; do
    send "reser-$variant" "$b/reser-$variant.json" "$(sig "$b/reser-$variant.json")"
  done
  expect reser-as-sent 200 '{"received":true}'
  for variant in jsonb pretty reversed; do expect "reser-$variant" 200 '{"duplicate":true}'; done

  # Eight copies of one new delivery at once: one runs it, the others are told it is
  # being processed (409 + Retry-After) or already done.
  local conc_sig i
  conc_sig=$(sig "$b/concurrent.json")
  for i in $(seq 8); do send "concurrent-$i" "$b/concurrent.json" "$conc_sig" & done
  wait_for_jobs
  local received=0 others=0
  for i in $(seq 8); do
    case "$(cat "$out/concurrent-$i.status") $(cat "$out/concurrent-$i.json")" in
      '200 {"received":true}') received=$((received + 1)) ;;
      '200 {"duplicate":true}') others=$((others + 1)) ;;
      409*in_progress*) [ -n "$(retry_after "concurrent-$i")" ] || fail "concurrent-$i: 409 without Retry-After"; others=$((others + 1)) ;;
      *) fail "concurrent-$i: $(cat "$out/concurrent-$i.status") $(cat "$out/concurrent-$i.json")" ;;
    esac
  done
  [ "$received" = 1 ] && [ "$others" = 7 ] || fail "concurrent: $received processed, $others others"
  pass "8 concurrent copies → 1 processed, 7 answered 409 (Retry-After) or duplicate"

  stop_server
  rows
  ACTIONS=$actions EXPECTED_ENGINE=$expected SALT=$salt php_check '
    $rows = $j[0];
    $actions = array_map(fn ($l) => explode("\t", $l), file(getenv("ACTIONS"), FILE_IGNORE_NEW_LINES));
    $key = "evt_" . getenv("SALT") . "concurrent_payment_completed_a";
    $fired = [];
    foreach ($actions as $a) { $fired[$a[0] . " " . $a[1]] = ($fired[$a[0] . " " . $a[1]] ?? 0) + 1; }
    ($fired["caspay_webhook_event $key"] ?? 0) === 1 || $fail("caspay_webhook_event ran " . ($fired["caspay_webhook_event $key"] ?? 0) . " times for the concurrent event");
    ($fired["caspay_webhook_payment_completed $key"] ?? 0) === 1 || $fail("caspay_webhook_payment_completed did not run exactly once");
    $events = array_filter($actions, fn ($a) => $a[0] === "caspay_webhook_event");
    count($events) === 8 || $fail(count($events) . " caspay_webhook_event runs, expected 8 (6 shapes + re-serialized + concurrent)");
    max(array_count_values(array_column($events, 1))) === 1 || $fail("an event ran twice");
    foreach (["caspay_webhook_subscription_cancelled" => 1, "caspay_webhook_subscription_canceled" => 1, "caspay_webhook_subscription_renewed" => 2, "caspay_webhook_payment_received" => 1, "caspay_webhook_subscription_created" => 1] as $hook => $n) {
      count(array_filter($actions, fn ($a) => $a[0] === $hook)) === $n || $fail("$hook did not run $n time(s)");
    }
    count($rows["inbox"]) === 8 || $fail(count($rows["inbox"]) . " inbox rows, expected 8");
    foreach ($rows["inbox"] as $r) { ($r["state"] === "done" && $r["attempts"] === "1") || $fail("inbox row " . $r["idempotency_key"] . ": " . $r["state"] . " after " . $r["attempts"]); }
    $status = [];
    foreach ($rows["log"] as $r) { $k = $r["status"] . " " . $r["http_status"] . " " . $r["error_code"]; $status[$k] = ($status[$k] ?? 0) + (int) $r["hits"]; }
    $copies = ($status["duplicate 200 duplicate_event"] ?? 0) + ($status["in_progress 409 processing_in_progress"] ?? 0);
    $copies === 11 || $fail("copies logged: " . json_encode($status));
    unset($status["duplicate 200 duplicate_event"], $status["in_progress 409 processing_in_progress"]);
    ksort($status);
    $want = ["processed 200 " => 8, "rejected 400 invalid_json" => 1, "rejected 401 invalid_signature_format" => 1, "rejected 401 missing_signature" => 2, "rejected 401 signature_mismatch" => 2, "rejected 413 payload_too_large" => 1, "rejected 415 unsupported_encoding" => 1];
    $status === $want || $fail("delivery log: " . json_encode($status));
    $engines = array_values(array_unique(array_column($rows["log"], "engine")));
    $engines === [getenv("EXPECTED_ENGINE")] || $fail("engines used: " . json_encode($engines));
    in_array("test.webhook", array_column($rows["log"], "event_type"), true) || $fail("the test button delivery was not logged with its claimed type");
    echo "  ok  ", array_sum(array_column($rows["log"], "hits")), " deliveries in ", count($rows["log"]), " log rows on engine ", getenv("EXPECTED_ENGINE"), "; every event done once\n";
  ' "$out/rows.json"
}

run_scenario "WebAssembly engine" auto 1 wasm
run_scenario "PHP engine, forced" php 1 php
run_scenario "no FFI in the web server (automatic fallback)" auto preload php
wp_env_preload_route "$docroot/wp-content/plugins/caspay-webhooks/preload.php"
run_scenario "FFI for preloaded code only (ffi.preload, opcache.preload)" auto preload wasm "${wp_env_preload_flags[@]}"

# A raised size limit: the densest body it lets in (1.5 MB of one-digit numbers, which
# needs about 60 times its size while parsed) fits in the WebAssembly engine's memory.
echo "== a 1.5 MB dense body under a 2 MiB limit, WebAssembly engine"
helper reset
helper option caspay_webhooks_max_payload_bytes 2097152
start_server auto 1 4
php -r 'echo "{\"id\":\"evt_dense\",\"type\":\"payment.completed\",\"data\":{\"payment\":{\"id\":\"pay_dense\",\"amount\":100,\"currency\":\"CSPR\",\"metadata\":{\"a\":[", rtrim(str_repeat("0,", 750000), ","), "]}}}}";' >"$b/dense.json"
send dense "$b/dense.json" "$(sig "$b/dense.json")"
expect dense 200 '{"received":true}'
stop_server
helper option caspay_webhooks_max_payload_bytes
rows
php_check '
  $engines = array_values(array_unique(array_column($j[0]["log"], "engine")));
  $engines === ["wasm"] || $fail("engines used: " . json_encode($engines));' "$out/rows.json"
pass "the dense body was processed by the WebAssembly engine"

# --- Faults ---------------------------------------------------------------------------
echo "== faults: failing, slow, fatal and killed listeners; dead events; the sweep"
helper reset
# The inbox keeps times in whole seconds, so a backoff of N seconds comes due after N-1 to N
# seconds: 3 leaves the "before the retry is due" copy over 2 s to arrive, even on a slow machine.
backoff=3
wait_until_retry_due() { sleep "$backoff.2"; }
helper option caspay_e2e_lease 5
helper option caspay_e2e_backoff "$backoff"
start_server auto 1 4
new_bodies
key_of() { php -r 'echo json_decode(file_get_contents($argv[1]))->data->payment_id;' "$1"; }
count_runs() { # payment-id hook → number of runs
  awk -F'\t' -v id="$1" -v hook="$2" '$4 == id && $1 == hook' "$actions" 2>/dev/null | wc -l | tr -d ' '
}

# A listener that fails twice then succeeds: 500, 409 before the retry is due, 500, 200.
s=$(sig "$b/fault-fail-twice.json")
send ft-1 "$b/fault-fail-twice.json" "$s"; expect ft-1 500 '"code":"processing_failed"'
send ft-early "$b/fault-fail-twice.json" "$s"; expect ft-early 409 '"code":"retry_scheduled"'
[ -n "$(retry_after ft-early)" ] || fail "retry_scheduled without Retry-After"
wait_until_retry_due; send ft-2 "$b/fault-fail-twice.json" "$s"; expect ft-2 500 '"code":"processing_failed"'
wait_until_retry_due; send ft-3 "$b/fault-fail-twice.json" "$s"; expect ft-3 200 '{"received":true}'
send ft-4 "$b/fault-fail-twice.json" "$s"; expect ft-4 200 '{"duplicate":true}'
id=$(key_of "$b/fault-fail-twice.json")
[ "$(awk -F'\t' '$1 == "fail-twice" {print $3}' "$behavior" | tr '\n' ' ')" = "1 2 3 " ] || fail "the failing listener ran: $(cat "$behavior")"
[ "$(count_runs "$id" caspay_webhook_event)" = 1 ] && [ "$(count_runs "$id" caspay_webhook_payment_completed)" = 1 ] \
  || fail "listeners that succeeded on attempt 1 ran again: $(grep "$id" "$actions")"
pass "failing listener: attempts 1, 2, 3; the listeners that succeeded ran once"

# A copy while the original runs: 409 with Retry-After, then the original finishes.
s=$(sig "$b/fault-sleep3.json")
send slow "$b/fault-sleep3.json" "$s" & slow_job=$!
# The copy goes once the original's listener has started (it logs its behavior first).
for _ in $(seq 100); do grep -q '^sleep:3' "$behavior" 2>/dev/null && break; sleep 0.05; done
grep -q '^sleep:3' "$behavior" || fail "the slow listener did not start"
send slow-copy "$b/fault-sleep3.json" "$s"; expect slow-copy 409 '"code":"processing_in_progress"'
ra=$(retry_after slow-copy)
[ -n "$ra" ] && [ "$ra" -ge 1 ] && [ "$ra" -le 5 ] || fail "Retry-After '$ra' is not within the lease"
wait "$slow_job" || true
expect slow 200 '{"received":true}'
send slow-after "$b/fault-sleep3.json" "$s"; expect slow-after 200 '{"duplicate":true}'
[ "$(count_runs "$(key_of "$b/fault-sleep3.json")" caspay_webhook_event)" = 1 ] || fail "the slow event ran more than once"
pass "copy during processing → 409 Retry-After: $ra"

# A fatal error (memory exhausted) in a listener: recorded as failed at once, then retried.
s=$(sig "$b/fault-fatal-once.json")
send fatal "$b/fault-fatal-once.json" "$s"
[ "$(cat "$out/fatal.status")" = 500 ] || fail "fatal: HTTP $(cat "$out/fatal.status")"
rows
FATAL_ID=$(key_of "$b/fault-fatal-once.json") php_check '
  $row = current(array_filter($j[0]["inbox"], fn ($r) => str_contains((string) $r["event_json"], getenv("FATAL_ID"))));
  $row && $row["state"] === "failed" && str_contains((string) $row["last_error"], "Allowed memory size") || $fail("after a fatal error: " . json_encode($row));
  echo "  ok  fatal error → 500, recorded as failed: ", strtok($row["last_error"], "\n"), "\n";' "$out/rows.json"
wait_until_retry_due
send fatal-retry "$b/fault-fatal-once.json" "$s"; expect fatal-retry 200 '{"received":true}'
[ "$(count_runs "$(key_of "$b/fault-fatal-once.json")" caspay_webhook_event)" = 1 ] || fail "the fatal event did not run exactly once after the retry"

# A worker killed (SIGKILL) mid-listener: the lease stays; a copy gets 409; once the lease
# expires the WP-Cron sweep (a real request to wp-cron.php) processes it, once.
rm -f "$docroot/wp-content/caspay-e2e.pid"
s=$(sig "$b/fault-hang.json")
send hang "$b/fault-hang.json" "$s" --max-time 30 & hang_job=$!
for _ in $(seq 100); do [ -s "$docroot/wp-content/caspay-e2e.pid" ] && break; sleep 0.1; done
[ -s "$docroot/wp-content/caspay-e2e.pid" ] || fail "the hanging listener did not start"
kill -9 "$(cat "$docroot/wp-content/caspay-e2e.pid")"
wait "$hang_job" || true
[ "$(cat "$out/hang.status")" = 000 ] || fail "killed worker: HTTP $(cat "$out/hang.status"), expected no answer"
send hang-copy "$b/fault-hang.json" "$s"; expect hang-copy 409 '"code":"processing_in_progress"'
sleep "$(( $(retry_after hang-copy) + 1 ))"
helper cron-due
curl -s -o /dev/null "$url/wp-cron.php"
rows
HANG_ID=$(key_of "$b/fault-hang.json") php_check '
  $row = current(array_filter($j[0]["inbox"], fn ($r) => str_contains((string) $r["event_json"], getenv("HANG_ID"))));
  $row && $row["state"] === "done" && $row["attempts"] === "2" || $fail("after the sweep: " . json_encode($row));
  $swept = array_filter($j[0]["log"], fn ($l) => $l["via"] === "cron" && $l["status"] === "processed");
  count($swept) === 1 || $fail("sweep log rows: " . json_encode(array_values($swept)));
  echo "  ok  killed worker: lease expired, wp-cron.php sweep processed it (attempt 2)\n";' "$out/rows.json"
[ "$(count_runs "$(key_of "$b/fault-hang.json")" caspay_webhook_event)" = 1 ] || fail "the killed event did not run exactly once"
send hang-after "$b/fault-hang.json" "$s"; expect hang-after 200 '{"duplicate":true}'

# A listener broken until fixed, 2 attempts: dead; copies get 200 with the state; the
# administrator fixes it and presses "Process again" on the Deliveries screen.
helper option caspay_e2e_max_attempts 2
helper option caspay_e2e_broken 1
s=$(sig "$b/fault-broken.json")
send dead-1 "$b/fault-broken.json" "$s"; expect dead-1 500 '"code":"processing_failed"'
wait_until_retry_due; send dead-2 "$b/fault-broken.json" "$s"; expect dead-2 500 '"code":"processing_failed"'
send dead-3 "$b/fault-broken.json" "$s"; expect dead-3 200 '{"duplicate":true,"state":"dead"}'
cookie=$(helper login)
admin_get() { curl -s -H "Cookie: $cookie" "$url/wp-admin/$1"; }
admin_get 'options-general.php?page=caspay-webhooks&tab=deliveries' >"$out/deliveries.html"
grep -qF 'LogicException: e2e listener broken until fixed' "$out/deliveries.html" || fail "the dead event's error is not shown"
grep -qF 'RuntimeException: e2e flaky listener, attempt 1' "$out/deliveries.html" || fail "the listener's exception is not in the delivery log"
grep -qF 'Allowed memory size' "$out/deliveries.html" || fail "the fatal error is not in the delivery log"
form=$(php -r '
  $html = file_get_contents($argv[1]);
  preg_match("~<form[^>]*admin-post\.php[^>]*>(?:(?!</form>).)*name=\"action\" value=\"caspay_webhooks_process_again\"(?:(?!</form>).)*</form>~s", $html, $m) || exit(1);
  preg_match("~name=\"event\" value=\"(\d+)\"~", $m[0], $e); preg_match("~name=\"_wpnonce\" value=\"([0-9a-f]+)\"~", $m[0], $n);
  echo $e[1], " ", $n[1];' "$out/deliveries.html") || fail "no Process again form"
read -r event_id nonce <<<"$form"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $cookie" --data "action=caspay_webhooks_process_again&event=$event_id&_wpnonce=0000000000" "$url/wp-admin/admin-post.php")
[ "$code" = 403 ] || fail "Process again with a bad nonce: HTTP $code"
code=$(curl -s -o /dev/null -w '%{http_code}' --data "action=caspay_webhooks_process_again&event=$event_id&_wpnonce=$nonce" "$url/wp-admin/admin-post.php")
[ "$code" != 302 ] || fail "Process again without logging in redirected (HTTP $code)"
# A subscriber with a valid nonce of their own: only the capability check stands in the way.
{ read -r subscriber_cookie; read -r subscriber_nonce; } < <(helper login-subscriber "caspay_webhooks_process_again_$event_id")
code=$(curl -s -o "$out/subscriber.html" -w '%{http_code}' -H "Cookie: $subscriber_cookie" --data "action=caspay_webhooks_process_again&event=$event_id&_wpnonce=$subscriber_nonce" "$url/wp-admin/admin-post.php")
[ "$code" = 403 ] && grep -qF 'You do not have permission to manage CasPay webhooks.' "$out/subscriber.html" \
  || fail "Process again by a subscriber: HTTP $code, $(head -c 300 "$out/subscriber.html")"
helper option caspay_e2e_broken
location=$(curl -s -o /dev/null -w '%{redirect_url}' -H "Cookie: $cookie" --data "action=caspay_webhooks_process_again&event=$event_id&_wpnonce=$nonce" "$url/wp-admin/admin-post.php")
[[ "$location" == *"processed=processed"* ]] || fail "Process again redirected to '$location'"
[ "$(count_runs "$(key_of "$b/fault-broken.json")" caspay_webhook_event)" = 1 ] || fail "the re-run event did not run exactly once"
send dead-4 "$b/fault-broken.json" "$s"; expect dead-4 200 '{"duplicate":true}'
pass "dead after 2 attempts; Process again (refused with a bad nonce, to a visitor and to a subscriber) processed it once"

# "Clear the delivery log": refused to a subscriber holding a valid nonce; an administrator's
# empties the log and leaves the inbox, which recognizes repeated deliveries.
admin_get 'options-general.php?page=caspay-webhooks&tab=deliveries' >"$out/deliveries.html"
clear_nonce=$(php -r '
  preg_match("~value=\"caspay_webhooks_clear_log\"\s*/>\s*<input[^>]*name=\"_wpnonce\" value=\"([0-9a-f]+)\"~", file_get_contents($argv[1]), $m) || exit(1);
  echo $m[1];' "$out/deliveries.html") || fail "no Clear the delivery log form"
{ read -r subscriber_cookie; read -r subscriber_nonce; } < <(helper login-subscriber caspay_webhooks_clear_log)
code=$(curl -s -o "$out/subscriber.html" -w '%{http_code}' -H "Cookie: $subscriber_cookie" --data "action=caspay_webhooks_clear_log&_wpnonce=$subscriber_nonce" "$url/wp-admin/admin-post.php")
[ "$code" = 403 ] && grep -qF 'You do not have permission to manage CasPay webhooks.' "$out/subscriber.html" \
  || fail "Clear the delivery log by a subscriber: HTTP $code, $(head -c 300 "$out/subscriber.html")"
helper rows >"$out/before-clear.json"
location=$(curl -s -o /dev/null -w '%{redirect_url}' -H "Cookie: $cookie" --data "action=caspay_webhooks_clear_log&_wpnonce=$clear_nonce" "$url/wp-admin/admin-post.php")
[[ "$location" == *"cleared=1"* ]] || fail "Clear the delivery log redirected to '$location'"
rows
php_check '
  [$before, $after] = $j;
  count($before["log"]) > 0 || $fail("the log was empty before clearing it");
  $after["log"] === [] || $fail("the log after clearing it: " . count($after["log"]) . " rows");
  count($after["inbox"]) === count($before["inbox"]) || $fail("clearing the log changed the inbox");' "$out/before-clear.json" "$out/rows.json"
pass "Clear the delivery log: refused to a subscriber; the administrator's emptied the log, the inbox kept its" \
  "$(php -r 'echo count(json_decode(file_get_contents($argv[1]), true)["inbox"]);' "$out/rows.json") events"

# "Needing attention" pages through every event an operator must see, 50 at a time.
helper dead-events 57
admin_get 'options-general.php?page=caspay-webhooks&tab=deliveries' >"$out/attention-1.html"
admin_get 'options-general.php?page=caspay-webhooks&tab=deliveries&attention=2' >"$out/attention-2.html"
admin_get 'options-general.php?page=caspay-webhooks&tab=deliveries&attention=9' >"$out/attention-9.html"
helper dead-events 0
php_check '
  [$first, $second, $beyond] = array_map(fn ($f) => file_get_contents($f), array_slice($argv, 1));
  $keys = fn ($html) => preg_match_all("~<code>(e2e-dead-\d+)</code>~", $html, $m) ? $m[1] : [];
  $expected = fn ($from, $to) => array_map(fn ($i) => "e2e-dead-$i", range($from, $to));
  str_contains($first, "Needing attention (57)") || $fail("the heading does not count 57 events");
  $keys($first) === $expected(57, 8) || $fail("page 1 lists " . json_encode($keys($first)));
  substr_count($first, "value=\"caspay_webhooks_process_again\"") === 50 || $fail("page 1 has not 50 Process again forms");
  preg_match("~caspay-attention-pages.*?href=\"[^\"]*attention=2~s", $first) || $fail("page 1 has no link to page 2");
  $keys($second) === $expected(7, 1) || $fail("page 2 lists " . json_encode($keys($second)));
  $keys($beyond) === $keys($second) || $fail("a page beyond the last is not the last");' \
  "$out/attention-1.html" "$out/attention-2.html" "$out/attention-9.html"
pass "Needing attention: 57 events listed 50 then 7, most recently changed first, a page beyond the last shows the last"
helper option caspay_e2e_max_attempts
stop_server

# --- The settings page over HTTP -----------------------------------------------------------
echo "== settings page: wp-config.php constants, engine notice, first save"
# The option holds a wrong secret; the constant (the right one) must win.
helper option caspay_webhooks_secret whsec_WrongOptionWrongOptionWrong000
helper option caspay_webhooks_previous_secret
start_server auto preload 4 CASPAY_E2E_CONST_SECRET=1
admin_get 'options-general.php?page=caspay-webhooks' >"$out/settings.html"
grep -qF 'Set in wp-config.php (<code>CASPAY_WEBHOOKS_SECRET</code>)' "$out/settings.html" || fail "the constant's state is not shown"
grep -qE '<input type="password" id="caspay_webhooks_secret"[^>]*disabled="disabled"' "$out/settings.html" || fail "the secret field is not disabled"
grep -qF 'PHP engine active: identical results.' "$out/settings.html" || fail "the calm engine notice is missing"
grep -qF 'notice-error' "$out/settings.html" && fail "the settings page shows an error notice"
grep -qF "$secret" "$out/settings.html" && fail "the secret is printed on the settings page"
grep -qF 'name="_wpnonce"' "$out/settings.html" || fail "the settings form lacks a nonce"
pass "settings page: constant shown as set in wp-config.php (field disabled), calm PHP-engine notice, secret never printed"
send const "$b/pay_a.json" "$(sig "$b/pay_a.json")"; expect const 200 '{"received":true}'
pass "the wp-config.php constant overrides the option"
nonce=$(php -r 'preg_match("~name=[\"\x27]option_page[\"\x27] value=[\"\x27]caspay_webhooks[\"\x27].*?name=[\"\x27]_wpnonce[\"\x27] value=[\"\x27]([0-9a-f]+)~s", file_get_contents($argv[1]), $m) || exit(1); echo $m[1];' "$out/settings.html") \
  || fail "no nonce in the settings form"
location=$(curl -s -o /dev/null -w '%{redirect_url}' -H "Cookie: $cookie" \
  --data-urlencode option_page=caspay_webhooks --data-urlencode action=update --data-urlencode "_wpnonce=$nonce" \
  --data-urlencode '_wp_http_referer=/wp-admin/options-general.php?page=caspay-webhooks' \
  --data-urlencode caspay_webhooks_previous_secret=whsec_tooShort --data-urlencode caspay_webhooks_tolerance=0 \
  --data-urlencode caspay_webhooks_max_payload_bytes=65536 --data-urlencode caspay_webhooks_engine=auto \
  "$url/wp-admin/options.php")
[[ "$location" == *settings-updated=true* ]] || fail "saving the settings redirected to '$location'"
curl -s -H "Cookie: $cookie" "$location" >"$out/saved.html"
n=$(grep -o 'does not look like a CasPay secret' "$out/saved.html" | wc -l)
[ "$n" = 1 ] || fail "the first save shows the secret warning $n times"
pass "first save: the warning is shown once"
stop_server
helper option caspay_webhooks_secret "$secret"
helper option caspay_webhooks_previous_secret

# --- A flood of forged deliveries -----------------------------------------------------------
echo "== flood: 600 forged deliveries"
helper reset
start_server auto preload 4
urls=(); for _ in $(seq 300); do urls+=("$endpoint"); done
curl -s -Z --parallel-max 8 -o /dev/null -X POST -H 'Content-Type: application/json' -H 'X-CasPay-Signature: 0000000000000000000000000000000000000000000000000000000000000000' --data-binary "@$b/pay_a.json" "${urls[@]}" >/dev/null
curl -s -Z --parallel-max 8 -o /dev/null -X POST -H 'Content-Type: application/json' --data-binary "@$b/pay_a.json" "${urls[@]}" >/dev/null
stop_server
rows
php_check '
  $log = $j[0]["log"];
  array_sum(array_column($log, "hits")) === 600 || $fail("logged " . array_sum(array_column($log, "hits")) . " of 600 forged deliveries");
  count($log) <= 4 || $fail(count($log) . " log rows for 600 forged deliveries");
  $j[0]["inbox"] === [] || $fail("forged deliveries reached the inbox");
  echo "  ok  600 forged deliveries → ", count($log), " log rows (one per code and minute, with counts); nothing recorded\n";' "$out/rows.json"

# --- Load ---------------------------------------------------------------------------------
echo "== load: 1,000 deliveries at concurrency 8"
helper reset
helper option caspay_e2e_lease 8
helper option caspay_e2e_backoff 1
start_server auto 1 12
CASPAY_E2E_HELPER="$root/wordpress-plugin/tests/e2e/e2e-helper.php" CASPAY_E2E_ACTIONS=$actions \
  node tests/load/wordpress.mjs --url "$endpoint" --secret "$secret" --seed 1 --count 1000 --concurrency 8 --crashes 3 \
  --workers 12 --engine wasm --wordpress "$wp_version" ${CASPAY_RELIABILITY:+--reliability "$root/RELIABILITY.md"}
stop_server
helper option caspay_e2e_lease
helper option caspay_e2e_backoff

# --- The admin screen as rendered by WordPress, then uninstall --------------------------------
echo "== admin screen and uninstall"
helper admin >"$out/admin.html"
grep -qF "$url/wp-json/caspay/v1/webhook" "$out/admin.html" || fail "settings page lacks the endpoint URL"
grep -qF 'engine active' "$out/admin.html" || fail "settings page lacks the active engine"
grep -qF 'caspay_webhooks_clear_log' "$out/admin.html" || fail "deliveries tab missing"
grep -qF "$secret" "$out/admin.html" && fail "the secret is printed on the settings page"
grep -qF 'DENIED:' "$out/admin.html" || fail "a visitor could render the settings page"
pass "settings page: URL, engine, deliveries; secret never printed; visitors denied"
grep -qF 'caspay-module-cache' "$out/admin.html" && fail "the module cache warning is shown while the cache works"
# A module cache that cannot be used (here a symbolic link, refused): the screen says what
# compiling costs per delivery on this server and how to fix it.
cache_dir=$docroot/wp-content/cache/caspay-webhooks
mv "$cache_dir" "$cache_dir.real" && ln -s "$cache_dir.real" "$cache_dir"
helper admin >"$out/admin-nocache.html"
rm "$cache_dir" && mv "$cache_dir.real" "$cache_dir"
grep -qF 'The compiled WebAssembly module cannot be cached.' "$out/admin-nocache.html" || fail "no module cache warning without a usable cache"
grep -qE 'compiles it again: that took [0-9,]+ ms on this server' "$out/admin-nocache.html" || fail "the module cache warning lacks the compile time"
grep -qF 'is a symbolic link' "$out/admin-nocache.html" || fail "the module cache warning lacks the reason"
grep -qF 'caspay_webhooks_wasm_config' "$out/admin-nocache.html" || fail "the module cache warning lacks the fix"
pass "without a usable module cache the settings page says what compiling costs here, why, and how to fix it"
left=$(helper uninstall caspay-webhooks/caspay-webhooks.php)
[ "$left" = '{"before":{"cache_dir":true,"cache_parent":true},"tables":[],"options":[],"cron":[false,false],"cache":[false,false]}' ] \
  || fail "uninstall left: $left"
pass "uninstall removed both tables, the options, both schedules, the module cache and the wp-content/cache it created"
# --- Multisite ------------------------------------------------------------------------------
echo "== multisite: a network of 3 sites, activated, deactivated, reactivated and uninstalled network-wide"
# A network beside the single site, on tables of its own (net_) in the same database, run
# by the helper only: wp-config.php reads CASPAY_E2E_NETWORK (scripts/wordpress-env.sh).
# Each site is loaded by a helper run at its path: WordPress's bootstrap, which runs a
# network-active plugin's plugins_loaded on that site alone. network-state reads every
# site through switch_to_blog(), which loads no plugin.
plugin=caspay-webhooks/caspay-webhooks.php
net() { CASPAY_E2E_NETWORK=multisite CASPAY_E2E_URL=http://127.0.0.1 helper "$@"; }
load_each_site() {
  local path id=1
  for path in / /two/ /three/; do
    [ "$(net load "$path")" = "$id" ] || fail "loading $path did not load site $id"
    id=$((id + 1))
  done
}
CASPAY_E2E_NETWORK=single CASPAY_E2E_URL=http://127.0.0.1 helper network-install
[ "$(net network-sites /two/ /three/)" = "2 3" ] || fail "the sub-sites were not created as sites 2 and 3"
net network-activate "$plugin"
load_each_site
net network-state "$plugin" >"$out/net-activated.json"
# Activation runs on the main site only: the sub-sites' schedules and tables come from
# their first load.
php_check '$s = $j[0];
  $s["network_active"] === true || $fail("the plugin is not network-active");
  array_keys($s["sites"]) === ["/", "/two/", "/three/"] || $fail("sites: " . json_encode(array_keys($s["sites"])));
  foreach ($s["sites"] as $path => $site) {
    $site["cron"] === [true, true] || $fail("site $path after network activation and a load: prune and sweep scheduled " . json_encode($site["cron"]));
    $site["tables"] === ["caspay_webhook_inbox", "caspay_webhook_deliveries"] || $fail("site $path after network activation and a load: tables " . json_encode($site["tables"]));
  }
  echo "  ok  network activation, then one load of each of 3 sites: each has both tables, the sweep and pruning\n";' "$out/net-activated.json"
net network-deactivate "$plugin"
net network-state "$plugin" >"$out/net-deactivated.json"
php_check '$s = $j[0];
  $s["network_active"] === false || $fail("the plugin is still network-active");
  foreach ($s["sites"] as $path => $site) {
    $site["cron"] === [false, false] || $fail("site $path after network deactivation: prune and sweep scheduled " . json_encode($site["cron"]));
    count($site["tables"]) === 2 || $fail("site $path lost its tables on deactivation");
  }
  echo "  ok  network deactivation unschedules the sweep and pruning of every site (their data stays)\n";' "$out/net-deactivated.json"
net network-activate "$plugin"
load_each_site
net network-state "$plugin" >"$out/net-reactivated.json"
# Reactivation runs activate() on the main site only: the others reschedule on load.
php_check '$s = $j[0];
  $s["network_active"] === true || $fail("the plugin is not network-active again");
  foreach ($s["sites"] as $path => $site) {
    $site["cron"] === [true, true] || $fail("site $path after network reactivation and a load: prune and sweep scheduled " . json_encode($site["cron"]));
    in_array("caspay_webhooks_db_version", $site["options"], true) || $fail("site $path has no caspay_webhooks_db_version");
  }
  echo "  ok  network reactivation, then one load of each site: every site has the sweep and pruning again\n";' "$out/net-reactivated.json"
net network-deactivate "$plugin"
net network-uninstall "$plugin"
net network-state "$plugin" >"$out/net-uninstalled.json"
php_check '$s = $j[0];
  count($s["sites"]) === 3 || $fail(count($s["sites"]) . " sites after uninstall");
  foreach ($s["sites"] as $path => $site) {
    ($site["tables"] === [] && $site["options"] === [] && $site["cron"] === [false, false]) || $fail("uninstall left on site $path: " . json_encode($site));
  }
  $s["network_options"] === [] || $fail("uninstall left network options " . json_encode($s["network_options"]));
  echo "  ok  network deactivation and uninstall: no site keeps a table, an option or a schedule of the plugin\n";' "$out/net-uninstalled.json"

if grep -E 'PHP (Warning|Notice|Deprecated|Fatal error|Parse error)' "$tmp/wp-debug.log" | grep -F 'plugins/caspay-webhooks/'; then
  fail "PHP reported the lines above in the plugin's code"
fi
pass "no PHP warning, notice or deprecation from the plugin's code in wp-debug.log"
echo "test-wordpress: all passed"
