// Runs the shared vectors (tests/vectors/) against one loaded copy of the package API and
// returns one result per case instead of throwing, so the same module reports from Node,
// inside workerd (as a JSON response) and inside a browser page (through page.evaluate).
// Pure JavaScript on purpose: no Node built-ins, no DOM, no assertion library.
// The expectations mirror tests/vectors.rs, the reference.

/**
 * @typedef {{ utf8: string } | { hex: string } | { repeat: string, length: number }} ByteSpec
 * @typedef {{ maxPayloadBytes?: number, toleranceSeconds?: number, now?: number }} CaseOptions
 * @typedef {{ code: string, field?: string }} ExpectedError
 * @typedef {{ name: string, body: ByteSpec, secret: ByteSpec, signature: string | null, expected: string, digest?: string }} SignatureCase
 * @typedef {{ name: string, body: ByteSpec, options?: CaseOptions, expected: { event?: unknown, error?: ExpectedError } }} ParseCase
 * @typedef {{ name: string, body: ByteSpec, secrets: string[], signature: string, options?: CaseOptions, expected: { secretIndex?: number, error?: ExpectedError } }} ConstructCase
 * @typedef {{ signature: { cases: SignatureCase[] }, parse: { cases: ParseCase[] }, construct: { cases: ConstructCase[] } }} VectorFiles
 * @typedef {{ name: string, ok: boolean, detail: string }} VectorResult
 * @typedef {typeof import('caspay-webhooks')} Api
 */

const encoder = new TextEncoder();

/**
 * The bytes a spec describes.
 * @param {ByteSpec} spec
 * @returns {Uint8Array}
 */
export function bytesOf(spec) {
  if ('utf8' in spec) return encoder.encode(spec.utf8);
  if ('hex' in spec) {
    const out = new Uint8Array(spec.hex.length / 2);
    for (let i = 0; i < out.length; i++) out[i] = parseInt(spec.hex.slice(2 * i, 2 * i + 2), 16);
    return out;
  }
  const pattern = encoder.encode(spec.repeat);
  const out = new Uint8Array(spec.length);
  for (let i = 0; i < out.length; i++) out[i] = pattern[i % pattern.length];
  return out;
}

/**
 * Structural equality of JSON values; key order is ignored, as the vectors' README asks.
 * @param {unknown} a
 * @param {unknown} b
 * @returns {boolean}
 */
export function jsonEqual(a, b) {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  const ra = /** @type {Record<string, unknown>} */ (a);
  const rb = /** @type {Record<string, unknown>} */ (b);
  return ka.every((k) => Object.prototype.hasOwnProperty.call(rb, k) && jsonEqual(ra[k], rb[k]));
}

/**
 * What a call produced, as one comparable value: { value } or { error }.
 * @template T
 * @param {() => T} call
 * @returns {{ value?: T, error?: { name: string, code: string, field: string | null, message: string } }}
 */
function attempt(call) {
  try {
    return { value: call() };
  } catch (e) {
    const error = /** @type {{ name?: string, code?: string, field?: string | null, message?: string }} */ (e ?? {});
    return { error: { name: String(error.name), code: String(error.code), field: error.field ?? null, message: String(error.message) } };
  }
}

/**
 * Why an error does not match, or '' when it does (code, and field when the vector gives one).
 * @param {ReturnType<typeof attempt>} got
 * @param {ExpectedError} expected
 */
function errorMismatch(got, expected) {
  if (!got.error) return `expected error ${expected.code}, got a result`;
  if (got.error.name !== 'WebhookError') return `expected a WebhookError, got ${got.error.name}: ${got.error.message}`;
  if (got.error.code !== expected.code) return `expected ${expected.code}, got ${got.error.code}: ${got.error.message}`;
  if (expected.field !== undefined && got.error.field !== expected.field) {
    return `expected field ${expected.field}, got ${got.error.field}`;
  }
  return '';
}

/**
 * @param {string} name
 * @param {string[]} problems
 * @returns {VectorResult}
 */
const result = (name, problems) => ({ name, ok: problems.length === 0, detail: problems.join('; ') });

/**
 * @param {Api} api
 * @param {SignatureCase} c
 */
function signatureCase(api, c) {
  const body = bytesOf(c.body);
  const secret = bytesOf(c.secret);
  const signature = c.signature ?? '';
  const problems = [];
  // The error code of a failed check comes from the keyed verifier; verifyWebhook must agree.
  const verified = attempt(() => new api.Webhook(secret).verifySignature(body, signature));
  const got = verified.error ? verified.error.code : 'valid';
  if (got !== c.expected) problems.push(`verify: expected ${c.expected}, got ${got}${verified.error ? `: ${verified.error.message}` : ''}`);
  const boolean = api.verifyWebhook(body, signature, secret);
  if (boolean !== (c.expected === 'valid')) problems.push(`verifyWebhook returned ${boolean}`);
  if (c.digest !== undefined) {
    const signed = attempt(() => api.sign(body, secret));
    if (signed.value !== c.digest) problems.push(`sign: expected ${c.digest}, got ${signed.value ?? signed.error?.code}`);
  }
  return result(`signature: ${c.name}`, problems);
}

/**
 * @param {Api} api
 * @param {ParseCase} c
 */
function parseCase(api, c) {
  const got = attempt(() => api.parseEvent(bytesOf(c.body), c.options ?? {}));
  const problems = [];
  if (c.expected.event !== undefined) {
    if (got.error) problems.push(`expected an event, got ${got.error.code}: ${got.error.message}`);
    else if (!jsonEqual(got.value, c.expected.event)) problems.push(`event differs: got ${JSON.stringify(got.value)}`);
  } else if (c.expected.error) {
    const why = errorMismatch(got, c.expected.error);
    if (why) problems.push(why);
  }
  return result(`parse: ${c.name}`, problems);
}

/**
 * @param {Api} api
 * @param {ConstructCase} c
 */
function constructCase(api, c) {
  const body = bytesOf(c.body);
  const options = c.options ?? {};
  const got = attempt(() => api.constructEvent(body, c.signature, c.secrets, options));
  const problems = [];
  if (c.expected.secretIndex !== undefined) {
    if (got.error) {
      problems.push(`expected an event, got ${got.error.code}: ${got.error.message}`);
    } else {
      const index = attempt(() => new api.Webhook(c.secrets).verifySignature(body, c.signature));
      if (index.value !== c.expected.secretIndex) problems.push(`secret index: expected ${c.expected.secretIndex}, got ${index.value ?? index.error?.code}`);
      // A verified delivery must parse exactly as the unsigned parser parses it.
      const parsed = attempt(() => api.parseEvent(body, options));
      if (!jsonEqual(got.value, parsed.value)) problems.push('constructEvent and parseEvent disagree');
    }
  } else if (c.expected.error) {
    const why = errorMismatch(got, c.expected.error);
    if (why) problems.push(why);
  }
  return result(`construct: ${c.name}`, problems);
}

/**
 * Runs every case of the three vector files.
 * @param {Api} api the package's exports, already initialised
 * @param {VectorFiles} vectors the parsed JSON of signature.json, parse.json and construct.json
 * @returns {VectorResult[]}
 */
export function runVectors(api, vectors) {
  /** @type {(run: () => VectorResult, name: string) => VectorResult} */
  const guarded = (run, name) => {
    try {
      return run();
    } catch (e) {
      return { name, ok: false, detail: `threw ${e}` };
    }
  };
  return [
    ...vectors.signature.cases.map((c) => guarded(() => signatureCase(api, c), `signature: ${c.name}`)),
    ...vectors.parse.cases.map((c) => guarded(() => parseCase(api, c), `parse: ${c.name}`)),
    ...vectors.construct.cases.map((c) => guarded(() => constructCase(api, c), `construct: ${c.name}`)),
  ];
}

/** How many cases the vector files hold, so a host that silently ran fewer is caught. */
export function caseCount(/** @type {VectorFiles} */ vectors) {
  return vectors.signature.cases.length + vectors.parse.cases.length + vectors.construct.cases.length;
}
