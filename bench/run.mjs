// `make bench`: the package against the alternatives, measured in one run, as ratios of
// medians. Competitors run interleaved round by round, so drift on a shared machine hits
// all of them alike.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { gzipSync, brotliCompressSync } from 'node:zlib';
import { createHMAC, createSHA256 } from 'hash-wasm';
import { Webhook, constructEvent, parseEvent, sampleEvent, sign, verifyWebhook } from 'caspay-webhooks';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
const ROUND_MS = Number(process.env.BENCH_ROUND_MS ?? 60);
const SECRET = 'whsec_Kq8sT2vXw9yZ3bC5dF7gH1jL4mN6pR0t';

/** Runs each function for ROUND_MS per round, ROUNDS rounds; median operations per second. */
function measure(competitors) {
  const samples = competitors.map(() => []);
  for (const [, fn] of competitors) for (let i = 0; i < 2000; i++) fn();
  for (let round = 0; round < ROUNDS; round++) {
    competitors.forEach(([, fn], index) => {
      let ops = 0;
      const start = performance.now();
      let elapsed = 0;
      while (elapsed < ROUND_MS) {
        for (let i = 0; i < 64; i++) fn();
        ops += 64;
        elapsed = performance.now() - start;
      }
      samples[index].push((ops / elapsed) * 1000);
    });
  }
  return competitors.map(([name], index) => {
    const sorted = samples[index].sort((a, b) => a - b);
    return { name, opsPerSecond: sorted[Math.floor(sorted.length / 2)] };
  });
}

function report(title, results) {
  const base = results[0].opsPerSecond;
  console.log(`\n${title}`);
  console.log('| implementation | median ops/s | ratio to first |');
  console.log('|---|---:|---:|');
  for (const { name, opsPerSecond } of results) {
    console.log(`| ${name} | ${Math.round(opsPerSecond).toLocaleString('en-US')} | ${(opsPerSecond / base).toFixed(2)}x |`);
  }
}

const nodeVerify = (body, signature) => {
  const expected = createHmac('sha256', SECRET).update(body).digest();
  const given = Buffer.from(signature, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
};
const hashWasmHmac = await createHMAC(createSHA256(), SECRET);
const hashWasmSha = await createSHA256();
const hashWasmVerify = (body, signature) => {
  hashWasmHmac.init();
  hashWasmHmac.update(body);
  return timingSafeEqual(hashWasmHmac.digest('binary'), Buffer.from(signature, 'hex'));
};

// What CasPay's delivery code posts today (shape C), trimmed to the size the brief names.
const real = sampleEvent('payment.received', 'c', { seed: 'b7e1', created: 1795773600 });
const webhook = new Webhook(SECRET);
console.log(`caspay-webhooks benchmark, node ${process.version}, ${ROUNDS} rounds of ${ROUND_MS} ms, medians`);

{
  const body = Buffer.from(real);
  const signature = sign(body, SECRET);
  report(`Verify one real ${body.length}-byte body (Buffer, as express.raw gives it)`, measure([
    ['node:crypto createHmac + timingSafeEqual', () => nodeVerify(body, signature)],
    ['caspay-webhooks Webhook.verifySignature', () => webhook.verifySignature(body, signature)],
    ['caspay-webhooks verifyWebhook', () => verifyWebhook(body, signature, SECRET)],
    ['hash-wasm HMAC (reused) + timingSafeEqual', () => hashWasmVerify(body, signature)],
  ]));
  report(`Verify the same body as a string (request.text())`, measure([
    ['node:crypto createHmac + timingSafeEqual', () => nodeVerify(real, signature)],
    ['caspay-webhooks Webhook.verifySignature', () => webhook.verifySignature(real, signature)],
  ]));
}

for (const size of [64 * 1024, 1024 * 1024]) {
  const body = Buffer.alloc(size, '{"pad":"0123456789abcdef"}');
  const signature = sign(body, SECRET);
  report(`Verify a ${size / 1024} KiB body: throughput (bytes/s = ops/s x ${size})`, measure([
    ['hash-wasm SHA-256 (the WebAssembly SHA-256 reference)', () => { hashWasmSha.init(); hashWasmSha.update(body); return hashWasmSha.digest('binary'); }],
    ['hash-wasm HMAC-SHA256', () => hashWasmVerify(body, signature)],
    ['caspay-webhooks Webhook.verifySignature', () => webhook.verifySignature(body, signature)],
    ['node:crypto (native OpenSSL, for reference)', () => nodeVerify(body, signature)],
  ]));
}

{
  const signature = sign(real, SECRET);
  report(`Parse the real body (${real.length} bytes)`, measure([
    ['JSON.parse (no validation, amounts as floats)', () => JSON.parse(real)],
    ['caspay-webhooks parseEvent', () => parseEvent(real)],
    ['caspay-webhooks Webhook.verify (verify + parse)', () => webhook.verify(real, signature)],
    ['caspay-webhooks constructEvent', () => constructEvent(real, signature, SECRET)],
  ]));
}

{
  const bytes = readFileSync(new URL('../pkg/wasm/caspay_webhooks_bg.wasm', import.meta.url));
  const times = [];
  for (let i = 0; i < 30; i++) {
    const start = performance.now();
    const module = new WebAssembly.Module(bytes);
    const imports = Object.fromEntries(WebAssembly.Module.imports(module).map(({ module: m }) => [m, new Proxy({}, { get: () => () => {} })]));
    new WebAssembly.Instance(module, imports);
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  console.log('\nThe JS .wasm');
  console.log(`| raw | gzip -9 | brotli | compile + instantiate (median of 30) |`);
  console.log('|---:|---:|---:|---:|');
  console.log(`| ${bytes.length} B | ${gzipSync(bytes, { level: 9 }).length} B | ${brotliCompressSync(bytes).length} B | ${times[15].toFixed(2)} ms |`);
}
