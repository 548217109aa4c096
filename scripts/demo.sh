#!/usr/bin/env bash
# The demo: a Node receiver on 127.0.0.1 built on the npm package with its SQLite inbox,
# and the CLI sending it what CasPay sends (every shape, a retry, the same event re-sent
# from CasPay's database with other bytes, a tampered body, the dashboard's test button).
set -euo pipefail
cd "$(dirname "$0")/.."
cli=target/release/caspay-webhooks
secret="whsec_$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 32)"
port=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
url="http://127.0.0.1:$port/webhook"
work=$(mktemp -d)
log="$work/receiver.log"

CASPAY_WEBHOOK_SECRET="$secret" PORT="$port" CASPAY_INBOX="$work/inbox.db" CASPAY_PROCESSING_MS=300 \
  node examples/node-http/server.mjs >"$log" 2>&1 &
receiver=$!
trap 'kill $receiver 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do grep -q "listening on" "$log" && break; sleep 0.05; done

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
send() { # description, then CLI send arguments
  local what=$1; shift
  printf '  %-58s -> %s\n' "$what" "$("$cli" send --url "$url" --secret "$secret" "$@")"
}

step "A realistic body (payment.completed, documented shape A)"
"$cli" sample payment.completed --shape a | tee "$work/payment.json"
step "Signing it, then verifying the signature"
signature=$("$cli" sign --secret "$secret" "$work/payment.json")
echo "  X-CasPay-Signature: $signature"
echo "  verify: $("$cli" verify --secret "$secret" --signature "$signature" "$work/payment.json")"
echo "  verify with the dashboard's test_signature: $("$cli" verify --secret "$secret" --signature test_signature "$work/payment.json" 2>&1 || true)"

step "Deliveries to the Node receiver at $url"
send "payment.completed, shape A (documented)" --type payment.completed --shape a
send "payment.received, shape C (what the server posts today)" --type payment.received --shape c
send "payment.confirmed, shape B (data.object)" --type payment.confirmed --shape b
send "subscription.created, shape A" --type subscription.created --shape a
send "subscription.renewed, shape C" --type subscription.renewed --shape c
send "subscription.cancelled, shape B (double l)" --type subscription.cancelled --shape b
"$cli" sample payment.received --shape c > "$work/retried.json"
send "payment.received, first attempt" --type payment.received --body "$work/retried.json"
send "the same delivery retried by CasPay" --type payment.received --body "$work/retried.json"
send "re-sent from CasPay's jsonb row (other key order)" --type payment.received --retry-of "$work/retried.json" --reserialize jsonb
send "re-sent pretty-printed" --type payment.received --retry-of "$work/retried.json" --reserialize pretty
send "a tampered body (changed after signing)" --type payment.completed --shape a --tamper
send "the dashboard's test button (test_signature)" --type test.webhook --shape b --signature test_signature
send "signed with the wrong secret" --type payment.completed --shape c --signature "$("$cli" sign --secret whsec_wrong < "$work/payment.json")"

sleep 1 # the receiver answers once the event is recorded, then processes it
step "The receiver's log"
sed 's/^/  /' "$log"
