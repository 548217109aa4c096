// The Worker bench/workerd/run.mjs starts on workerd: it times the package against what a
// merchant writes by hand with WebCrypto, inside the isolate, so no HTTP is in the numbers.
//   GET /clock                          how the isolate's clock behaves (see probeClock)
//   GET /run?body=c|a|64k&group=…&rounds=N&roundMs=M&mode=cpu|io
//                                       ops/s of every competitor of the group, per round
// Competitors take turns within every round (interleaved), so drift on a shared machine hits
// all of them alike; bench/workerd/run.mjs takes the medians.
//
// Timing: Workers in production freeze Date.now()/performance.now() while code runs and only
// move them on I/O. workerd run locally (miniflare) lets the clock advance during pure CPU
// work, but coarsely (1 ms steps). So a round is not one call but batches of BATCH calls
// repeated until the round has lasted `roundMs` (100 ms by default: the 1 ms step is then at
// most 1% of a sample). /clock checks, on every run, that the clock does advance during CPU
// work; if it does not (mode=io), every batch ends with `await scheduler.wait(0)` (a timer:
// I/O to the runtime, after which the clock has moved) and the cost of that wait, measured by
// /clock, is part of the time: with batches of IO_BATCH calls it is a small overhead, and
// run.mjs reports which mode was used.
//
// The hot loops live in plain functions of their own (runSync/runAwaited), not in the async
// handler: V8 optimizes a loop resumed after an `await` in an async function much worse.
import { Webhook, constructEvent, sampleEvent, sign, verifyWebhook } from 'caspay-webhooks';

const SECRET = 'whsec_Kq8sT2vXw9yZ3bC5dF7gH1jL4mN6pR0t';
/** The bodies every host measures (bench/node too), ids and time fixed. */
const SAMPLE_OPTIONS = { seed: 'b7e1', created: 1795773600 };
/** @type {Record<string, { type: 'payment.received' | 'payment.completed', shape: 'a' | 'c' }>} */
const BODIES = {
  c: { type: 'payment.received', shape: 'c' },
  a: { type: 'payment.completed', shape: 'a' },
};
const BATCH = 64;
const IO_BATCH = 1024;
const WARM_UP_CALLS = 2000;

/**
 * workerd's extensions: `scheduler.wait` and `crypto.subtle.timingSafeEqual` (the DOM types
 * the project checks with do not declare them).
 * @type {{ scheduler: { wait(ms: number): Promise<void> }, subtle: SubtleCrypto & { timingSafeEqual(a: ArrayBuffer | ArrayBufferView, b: ArrayBuffer | ArrayBufferView): boolean } }}
 */
const workerd = {
  scheduler: /** @type {any} */ (globalThis).scheduler,
  subtle: /** @type {any} */ (crypto.subtle),
};

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** @type {number[]} hex digit value by char code, -1 elsewhere */
const HEX = Array.from({ length: 128 }, (_, code) => {
  const char = String.fromCharCode(code);
  return /[0-9a-f]/i.test(char) ? parseInt(char, 16) : -1;
});

/**
 * The signature header's hex to bytes, as a hand-written receiver does on every request
 * (WebCrypto takes bytes): a lookup table, so the peer is not slowed by a naive decode.
 * @param {string} hex
 * @returns {Uint8Array<ArrayBuffer> | null}
 */
function hexToBytes(hex) {
  if (hex.length !== 64) return null;
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) {
    const high = HEX[hex.charCodeAt(2 * i)] ?? -1;
    const low = HEX[hex.charCodeAt(2 * i + 1)] ?? -1;
    if (high < 0 || low < 0) return null;
    out[i] = (high << 4) | low;
  }
  return out;
}

/**
 * A competitor: `sync` is called and not awaited (the package), `await` is awaited one call
 * at a time (WebCrypto as a receiver uses it: each delivery awaits its own check), `batch`
 * returns one promise for BATCH calls in flight at once (a reference only).
 * @typedef {{ name: string, kind: 'sync' | 'await' | 'batch', fn: () => unknown }} Competitor
 */

/** @type {CryptoKey | undefined} */
let hmacKey;
/** importKey once per isolate, as a merchant keeps the key in module scope. */
async function key() {
  hmacKey ??= await crypto.subtle.importKey('raw', encoder.encode(SECRET), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
  return hmacKey;
}

/**
 * `c` and `a`: the sample bodies; `64k`: 64 KiB of JSON-ish filler (the pattern bench/node
 * uses), for the hashing throughput.
 * @param {string} which
 */
async function fixture(which) {
  const spec = BODIES[which === '64k' ? 'c' : which];
  if (spec === undefined) throw new Error(`no body ${which}`);
  const text = which === '64k' ? '{"pad":"0123456789abcdef"}'.repeat(Math.ceil(65536 / 26)).slice(0, 65536) : sampleEvent(spec.type, spec.shape, SAMPLE_OPTIONS);
  // The body as `await request.arrayBuffer()` (or the package's receiver) hands it over.
  const bytes = /** @type {Uint8Array<ArrayBuffer>} */ (encoder.encode(text));
  const signature = sign(bytes, SECRET);
  return { spec, text, bytes, signature, key: await key(), webhook: new Webhook(SECRET) };
}

/**
 * @param {string} group
 * @param {Awaited<ReturnType<typeof fixture>>} f
 * @returns {Competitor[]}
 */
function competitors(group, { text, bytes, signature, key, webhook }) {
  const { subtle } = workerd;
  const webCryptoVerify = () => {
    const given = hexToBytes(signature);
    return given !== null && subtle.verify('HMAC', key, given, bytes);
  };
  const webCryptoSignCompare = async () => {
    const mac = await subtle.sign('HMAC', key, bytes);
    const given = hexToBytes(signature);
    return given !== null && subtle.timingSafeEqual(mac, given);
  };
  /** @param {unknown} ok */
  const orThrow = (ok) => {
    if (ok !== true) throw new Error('bad signature');
  };
  switch (group) {
    case 'verify':
      return [
        { name: 'WebCrypto crypto.subtle.verify (awaited)', kind: 'await', fn: webCryptoVerify },
        { name: 'WebCrypto crypto.subtle.sign + timingSafeEqual (awaited)', kind: 'await', fn: webCryptoSignCompare },
        { name: 'Webhook.verifySignature', kind: 'sync', fn: () => webhook.verifySignature(bytes, signature) },
        { name: 'verifyWebhook', kind: 'sync', fn: () => verifyWebhook(bytes, signature, SECRET) },
        {
          name: `reference: crypto.subtle.verify, ${BATCH} in flight (Promise.all; not how a receiver awaits)`,
          kind: 'batch',
          fn: () => Promise.all(Array.from({ length: BATCH }, webCryptoVerify)),
        },
      ];
    case 'throughput':
      return [
        { name: 'WebCrypto crypto.subtle.verify (awaited)', kind: 'await', fn: webCryptoVerify },
        { name: 'Webhook.verifySignature', kind: 'sync', fn: () => webhook.verifySignature(bytes, signature) },
      ];
    case 'parse-bytes':
      return [
        { name: 'WebCrypto verify + JSON.parse(TextDecoder) (awaited)', kind: 'await', fn: async () => { orThrow(await webCryptoVerify()); return JSON.parse(decoder.decode(bytes)); } },
        { name: 'WebCrypto sign + timingSafeEqual + JSON.parse(TextDecoder) (awaited)', kind: 'await', fn: async () => { orThrow(await webCryptoSignCompare()); return JSON.parse(decoder.decode(bytes)); } },
        { name: 'Webhook.verify', kind: 'sync', fn: () => webhook.verify(bytes, signature) },
        { name: 'constructEvent', kind: 'sync', fn: () => constructEvent(bytes, signature, SECRET) },
      ];
    case 'parse-text':
      return [
        {
          name: 'TextEncoder + WebCrypto verify + JSON.parse (awaited)',
          kind: 'await',
          fn: async () => {
            const given = hexToBytes(signature);
            orThrow(given !== null && (await subtle.verify('HMAC', key, given, /** @type {Uint8Array<ArrayBuffer>} */ (encoder.encode(text)))));
            return JSON.parse(text);
          },
        },
        { name: 'Webhook.verify (string)', kind: 'sync', fn: () => webhook.verify(text, signature) },
        { name: 'constructEvent (string)', kind: 'sync', fn: () => constructEvent(text, signature, SECRET) },
      ];
    default:
      throw new Error(`no group ${group}`);
  }
}

/**
 * Every competitor must give the right answer before it is timed, and reject a tampered body.
 * @param {string} group
 * @param {Awaited<ReturnType<typeof fixture>>} f
 */
async function check(group, f) {
  const tampered = { ...f, bytes: f.bytes.slice(), text: `${f.text} ` };
  tampered.bytes[10] ^= 1;
  for (const [which, input, good] of /** @type {const} */ ([['genuine', f, true], ['tampered', tampered, false]])) {
    for (const { name, kind, fn } of competitors(group, input)) {
      /** @type {unknown} */
      let result;
      try {
        result = await fn();
      } catch {
        result = false;
      }
      if (kind === 'batch') result = Array.isArray(result) && result.every((r) => r === true);
      let accepted;
      if (group === 'verify' || group === 'throughput') accepted = result === true || result === 0;
      else accepted = typeof result === 'object' && result !== null && JSON.stringify(result).includes(f.spec.type);
      if (accepted !== good) throw new Error(`${name} ${good ? 'rejected the genuine' : 'accepted the tampered'} ${which} body`);
    }
  }
}

/** @type {unknown} keeps results alive, so no call can be optimized away */
let sink;

/** @param {() => unknown} fn @param {number} n */
function runSync(fn, n) {
  let last;
  for (let i = 0; i < n; i++) last = fn();
  sink = last;
}

/** @param {() => unknown} fn @param {number} n */
async function runAwaited(fn, n) {
  let last;
  for (let i = 0; i < n; i++) last = await fn();
  sink = last;
}

/**
 * Ops/s of one round: batches until `roundMs` have passed.
 * @param {Competitor} competitor
 * @param {number} roundMs
 * @param {'cpu' | 'io'} mode
 */
async function round({ kind, fn }, roundMs, mode) {
  const batch = mode === 'io' ? IO_BATCH : BATCH;
  let ops = 0;
  let elapsed = 0;
  const start = performance.now();
  while (elapsed < roundMs) {
    if (kind === 'sync') runSync(fn, batch);
    else if (kind === 'await') await runAwaited(fn, batch);
    else for (let done = 0; done < batch; done += BATCH) sink = await fn();
    ops += batch;
    if (mode === 'io') await workerd.scheduler.wait(0);
    elapsed = performance.now() - start;
  }
  return (ops / elapsed) * 1000;
}

/**
 * @param {string} group
 * @param {string} body
 * @param {number} rounds
 * @param {number} roundMs
 * @param {'cpu' | 'io'} mode
 */
async function run(group, body, rounds, roundMs, mode) {
  const f = await fixture(body);
  await check(group, f);
  const list = competitors(group, f);
  for (const { kind, fn } of list) {
    if (kind === 'sync') runSync(fn, WARM_UP_CALLS);
    else if (kind === 'await') await runAwaited(fn, WARM_UP_CALLS);
    else for (let done = 0; done < WARM_UP_CALLS; done += BATCH) sink = await fn();
  }
  /** @type {number[][]} */
  const samples = list.map(() => []);
  for (let r = 0; r < rounds; r++) {
    for (let index = 0; index < list.length; index++) samples[index].push(await round(list[index], roundMs, mode));
  }
  return {
    bytes: f.bytes.length,
    results: list.map(({ name, kind }, index) => ({ name, kind, opsPerSecond: samples[index] })),
  };
}

/** A busy loop of `n` steps, in a function of its own so it is optimized like the benchmarks. */
function spin(/** @type {number} */ n) {
  let x = 0;
  for (let i = 0; i < n; i++) x = (x + Math.imul(i, 7)) | 0;
  return x;
}

/**
 * Does the clock move during pure CPU work, and in what steps? And how long does an
 * `await scheduler.wait(0)` take (when the clock moves, so it can be timed)?
 */
async function probeClock() {
  const perfStart = performance.now();
  const dateStart = Date.now();
  sink = spin(2e7);
  const cpuPerfMs = performance.now() - perfStart;
  const cpuDateMs = Date.now() - dateStart;
  // The clock's step: the smallest difference between successive distinct readings.
  let step = Infinity;
  let previous = performance.now();
  const until = previous + 20;
  for (let reads = 0; reads < 5e6; reads++) {
    const now = performance.now();
    if (now !== previous) {
      step = Math.min(step, now - previous);
      previous = now;
      if (now >= until) break;
    }
  }
  const waits = 2000;
  const waitStart = performance.now();
  for (let i = 0; i < waits; i++) await workerd.scheduler.wait(0);
  const waitUs = ((performance.now() - waitStart) / waits) * 1000;
  // Spin again, then wait once: does the wait (I/O) bring a frozen clock up to date?
  const ioStart = performance.now();
  sink = spin(2e7);
  await workerd.scheduler.wait(0);
  const spinThenWaitMs = performance.now() - ioStart;
  return { cpuPerfMs, cpuDateMs, stepMs: Number.isFinite(step) ? step : null, waitUs, spinThenWaitMs };
}

export default {
  /** @param {Request} request */
  async fetch(request) {
    const url = new URL(request.url);
    try {
      if (url.pathname === '/clock') return Response.json(await probeClock());
      if (url.pathname === '/run') {
        const p = url.searchParams;
        const mode = p.get('mode') === 'io' ? 'io' : 'cpu';
        return Response.json(await run(p.get('group') ?? '', p.get('body') ?? '', Number(p.get('rounds') ?? 15), Number(p.get('roundMs') ?? 100), mode));
      }
      return new Response('not found', { status: 404 });
    } catch (error) {
      return new Response(String(error instanceof Error ? error.stack : error), { status: 500 });
    }
  },
};
