// The HTTP client of the PHP benchmark: sequential requests, a new connection for each
// (no keep-alive: every delivery from CasPay is its own connection), latency measured on
// the client from the request's start to its last byte. Alternatives take turns request by
// request, in a rotating order, so drift on a shared machine hits all of them alike; each
// round gives a median per alternative, and the result is the median of the round medians.
//
//   node bench/php/requests.mjs per-request BASE_URL PRELOAD_URL BODIES.json OUT.json
//     /plain, /php and /wasm of bench/php/router.php (module cache warmed first), /wasm of
//     a server that preloads Wasmtime's declarations (ffi.preload), then /wasm-nocache a
//     few times (the module compiled per request)
//   node bench/php/requests.mjs wordpress WASM_URL PRELOAD_URL PHP_URL BODIES.json OUT.json
//     the plugin's REST endpoint on three servers of one site: the WebAssembly engine, the
//     same with Wasmtime preloaded (ffi.preload), the PHP engine; each delivery a new event
//
// BENCH_HTTP_ROUNDS and BENCH_HTTP_PER_ROUND (and BENCH_WP_ROUNDS, BENCH_WP_PER_ROUND)
// change the counts.
import { request } from 'node:http';
import { readFileSync, writeFileSync } from 'node:fs';
import { median } from '../measure.mjs';

/**
 * @param {string} url
 * @param {string} body
 * @param {Record<string, string>} headers
 * @returns {Promise<{ status: number, text: string, headers: import('node:http').IncomingHttpHeaders, ms: number }>}
 */
function post(url, body, headers) {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const req = request(url, {
      method: 'POST',
      agent: false,
      headers: {
        Connection: 'close',
        'Content-Type': 'application/json',
        'User-Agent': 'CasPay-Webhook/1.0',
        'Content-Length': Buffer.byteLength(body),
        ...headers,
      },
    }, (res) => {
      /** @type {Buffer[]} */
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => resolve({
        status: res.statusCode ?? 0,
        text: Buffer.concat(chunks).toString(),
        headers: res.headers,
        ms: Number(process.hrtime.bigint() - start) / 1e6,
      }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** @param {import('node:http').IncomingHttpHeaders} headers */
function benchHeader(headers) {
  const value = headers['x-bench'];
  return Object.fromEntries(String(value ?? '').split(';').filter(Boolean).map((pair) => pair.split('=')));
}

/**
 * @typedef {{ name: string, send: (index: number) => Promise<{ ms: number, info?: Record<string, string> }> }} Alternative
 * @param {Alternative[]} alternatives
 * @param {number} rounds
 * @param {number} perRound
 */
async function interleaved(alternatives, rounds, perRound) {
  const samples = alternatives.map(() => /** @type {number[][]} */ ([]));
  const infos = alternatives.map(() => /** @type {Record<string, string>[]} */ ([]));
  let sent = 0;
  for (let round = 0; round < rounds; round++) {
    samples.forEach((list) => list.push([]));
    for (let i = 0; i < perRound; i++) {
      for (let k = 0; k < alternatives.length; k++) {
        const index = (k + i + round) % alternatives.length;
        const { ms, info } = await alternatives[index].send(sent++);
        samples[index][round].push(ms);
        if (info) infos[index].push(info);
      }
    }
  }
  return alternatives.map(({ name }, index) => {
    const all = samples[index].flat();
    const sorted = [...all].sort((a, b) => a - b);
    /** @type {Record<string, number>} */
    const inside = {};
    for (const key of ['setup', 'handle', 'bind', 'engine', 'module', 'instance']) {
      const values = infos[index].map((info) => Number(info[key])).filter((value) => Number.isFinite(value));
      if (values.length > 0) inside[key] = median(values) / 1000;
    }
    return {
      name,
      ms: median(samples[index].map(median)),
      p25: sorted[Math.floor(sorted.length * 0.25)],
      p75: sorted[Math.floor(sorted.length * 0.75)],
      requests: all.length,
      ...(Object.keys(inside).length > 0 ? { inside } : {}),
    };
  });
}

const [mode, ...args] = process.argv.slice(2);

if (mode === 'per-request') {
  const [base, preloadBase, bodiesFile, out] = args;
  const { bodies } = JSON.parse(readFileSync(bodiesFile, 'utf8'));
  const { text, signature } = bodies[0];
  /** @param {string} path @param {string} [expectCache] @param {string} [at] the server */
  const route = (path, expectCache, at = base) => async () => {
    const res = await post(`${at}${path}`, text, { 'X-CasPay-Signature': signature });
    if (res.status !== 200) throw new Error(`${at}${path}: HTTP ${res.status}: ${res.text}`);
    const info = benchHeader(res.headers);
    if (path !== '/plain' && info.opcache !== '1') throw new Error(`${at}${path}: opcache is not enabled in the server`);
    if (expectCache && info.cache !== expectCache) throw new Error(`${at}${path}: module cache ${info.cache}, expected ${expectCache}`);
    // Each WebAssembly row is measured with the binding it is labelled with.
    if (path.startsWith('/wasm') && info.binding !== (at === preloadBase ? 'scope' : 'cdef')) throw new Error(`${at}${path}: Wasmtime bound by ${info.binding}`);
    return { ms: res.ms, info };
  };
  // The first /wasm request compiles the module and saves it; from then on it is loaded.
  for (let i = 0; i < 20; i++) {
    await route('/plain')();
    await route('/php')();
    await route('/wasm', i === 0 ? undefined : 'loaded')();
    await route('/wasm', i === 0 ? undefined : 'loaded', preloadBase)();
  }
  const rounds = Number(process.env.BENCH_HTTP_ROUNDS ?? 15);
  const perRound = Number(process.env.BENCH_HTTP_PER_ROUND ?? 40);
  const results = await interleaved([
    { name: 'plain', send: route('/plain') },
    { name: 'php', send: route('/php') },
    { name: 'wasm', send: route('/wasm', 'loaded') },
    { name: 'wasm-preload', send: route('/wasm', 'loaded', preloadBase) },
  ], rounds, perRound);
  // Compiling per request takes about a hundred milliseconds: a few requests tell it.
  const nocache = await interleaved([
    { name: 'plain', send: route('/plain') },
    { name: 'wasm-nocache', send: route('/wasm-nocache', 'off') },
  ], 1, Number(process.env.BENCH_NOCACHE_REQUESTS ?? 9));
  writeFileSync(out, JSON.stringify({ bytes: bodies[0].bytes, label: bodies[0].label, rounds, perRound, results, nocache }, null, 2));
} else if (mode === 'wordpress') {
  const [wasmUrl, preloadUrl, phpUrl, bodiesFile, out] = args;
  const { deliveries } = JSON.parse(readFileSync(bodiesFile, 'utf8'));
  let next = 0;
  /** @param {string} url */
  const deliver = (url) => async () => {
    const { text, signature } = deliveries[next++];
    const res = await post(url, text, { 'X-CasPay-Signature': signature, 'X-CasPay-Event': 'payment.received' });
    if (res.status !== 200 || res.text !== '{"received":true}') throw new Error(`${url}: HTTP ${res.status}: ${res.text}`);
    return { ms: res.ms };
  };
  const warmup = Number(process.env.BENCH_WP_WARMUP ?? 10);
  for (let i = 0; i < warmup; i++) {
    await deliver(wasmUrl)();
    await deliver(preloadUrl)();
    await deliver(phpUrl)();
  }
  const rounds = Number(process.env.BENCH_WP_ROUNDS ?? 9);
  const perRound = Number(process.env.BENCH_WP_PER_ROUND ?? 30);
  if (deliveries.length < 3 * (warmup + rounds * perRound)) throw new Error('not enough distinct deliveries');
  const results = await interleaved([
    { name: 'wasm', send: deliver(wasmUrl) },
    { name: 'wasm-preload', send: deliver(preloadUrl) },
    { name: 'php', send: deliver(phpUrl) },
  ], rounds, perRound);
  writeFileSync(out, JSON.stringify({ rounds, perRound, warmup, results }, null, 2));
} else {
  throw new Error(`unknown mode ${mode}`);
}
