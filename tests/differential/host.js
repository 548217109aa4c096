// The differential fuzzer's host side, in plain JavaScript (no Node built-ins, no DOM), so
// the same code runs the cases in Node (ESM and CommonJS builds), inside workerd and in a
// Chromium page. Every host reports one outcome per case in the same shape, and
// tests/differential/run.mjs compares them with the Rust core's and the PHP engines'.

/**
 * @typedef {{ body: string, signature: string | null, secrets: string[], options: { maxPayloadBytes?: number, toleranceSeconds?: number, now?: number } }} Case
 *   `body` is hex: bodies need not be UTF-8.
 * @typedef {{ event?: unknown, code?: string, field?: string | null }} Outcome
 * @typedef {{ construct: Outcome, parse: Outcome }} CaseOutcome
 */

/** @param {string} hex */
export function bytesFromHex(hex) {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/**
 * @param {() => unknown} call
 * @returns {Outcome}
 */
function outcome(call) {
  try {
    return { event: call() };
  } catch (e) {
    const error = /** @type {{ name?: string, code?: string, field?: string | null, message?: string }} */ (e ?? {});
    if (error.name !== 'WebhookError') return { code: `not a WebhookError: ${error.name}: ${error.message}` };
    return { code: error.code, field: error.field ?? null };
  }
}

/**
 * @param {typeof import('caspay-webhooks')} api the package, initialised
 * @param {Case[]} cases
 * @returns {CaseOutcome[]}
 */
export function runCases(api, cases) {
  return cases.map((c) => {
    const body = bytesFromHex(c.body);
    return {
      construct: outcome(() => api.constructEvent(body, c.signature ?? '', c.secrets, c.options)),
      parse: outcome(() => api.parseEvent(body, c.options)),
    };
  });
}
