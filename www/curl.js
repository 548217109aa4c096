// The curl command that replays a signed delivery with CasPay's headers, for the
// merchant's own endpoint. Quoting is POSIX-shell single quotes, so the body reaches curl
// byte for byte, and --data-raw sends it as it is: newlines kept, and a leading @ not
// taken for a file name as --data-binary would.

/** @param {string} text */
export function shellQuote(text) {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/**
 * @param {{ url: string, body: string, signature: string, eventType: string, timestamp: string }} delivery
 */
export function curlCommand({ url, body, signature, eventType, timestamp }) {
  return [
    `curl -i -X POST ${shellQuote(url)}`,
    `  -H 'Content-Type: application/json'`,
    `  -H 'User-Agent: CasPay-Webhook/1.0'`,
    `  -H ${shellQuote(`X-CasPay-Event: ${eventType}`)}`,
    `  -H ${shellQuote(`X-CasPay-Timestamp: ${timestamp}`)}`,
    `  -H ${shellQuote(`X-CasPay-Signature: ${signature}`)}`,
    `  --data-raw ${shellQuote(body)}`,
  ].join(' \\\n');
}
