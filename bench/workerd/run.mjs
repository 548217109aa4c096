// The workerd part of `make bench`: the package against what a merchant writes by hand in a
// Worker (WebCrypto HMAC, key imported once, + JSON.parse), timed inside the isolate on the
// real workerd (miniflare), from the same esbuild bundle the example deploys (the package's
// `workerd` build, its `.wasm` imported through the CompiledWasm module rule). Writes
// artifacts/bench/workerd.json for bench/report.mjs and prints the tables.
//   node bench/workerd/run.mjs          (BENCH_ROUNDS, default 15; BENCH_WORKERD_ROUND_MS, default 100)
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Miniflare } from 'miniflare';
import { COMPILED_WASM_RULE, buildWorker } from '../../examples/cloudflare-worker/build.mjs';
import { readWranglerConfig } from '../../examples/cloudflare-worker/wrangler-config.mjs';
import { median, ops, table, us, writeReport } from '../measure.mjs';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
// Longer than the Node rounds: workerd's clock moves in 1 ms steps (checked below).
const ROUND_MS = Number(process.env.BENCH_WORKERD_ROUND_MS ?? 100);
const ROOT = new URL('../../', import.meta.url);
const COMMAND = 'node bench/workerd/run.mjs (part of make bench)';

/**
 * @typedef {{ name: string, kind: 'sync' | 'await' | 'batch', opsPerSecond: number, microseconds: number }} Result
 * @typedef {{ what: string, goal: string, measured: string, met: boolean, why?: string }} Target
 */

/** @param {string} specifier @param {string} from */
function versionOf(specifier, from) {
  const require = createRequire(from);
  return /** @type {{ version: string }} */ (JSON.parse(readFileSync(require.resolve(`${specifier}/package.json`), 'utf8'))).version;
}
const miniflareVersion = versionOf('miniflare', import.meta.url);
const workerdVersion = versionOf('workerd', createRequire(import.meta.url).resolve('miniflare'));

/** @param {Result} a @param {Result} b */
const speedup = (a, b) => a.opsPerSecond / b.opsPerSecond;

if (!existsSync(new URL('pkg/wasm/caspay_webhooks_bg.wasm', ROOT))) {
  console.error('bench/workerd: the package is not built (pkg/wasm/caspay_webhooks_bg.wasm); run `make build` first.');
  process.exit(1);
}

// Started as tests/worker/harness.mjs starts the example (that file is not type-checked,
// this one is, so it is not imported): the example's bundle and module rule, its
// compatibility date, workerd on 127.0.0.1.
const compatibilityDate = readWranglerConfig().compatibilityDate;
const outdir = mkdtempSync(join(tmpdir(), 'caspay-bench-worker-'));
/** @type {string[]} */
const logs = [];
/** @type {Miniflare | undefined} */
let mf;
/** @type {Target[]} */
const targets = [];
/** @type {string[]} */
const details = [];
try {
  const { script } = await buildWorker({ entry: fileURLToPath(new URL('worker.js', import.meta.url)), outdir });
  mf = new Miniflare({
    modules: true,
    scriptPath: script,
    modulesRoot: outdir,
    modulesRules: [COMPILED_WASM_RULE],
    compatibilityDate,
    host: '127.0.0.1',
    port: 0,
    /** @param {import('node:stream').Readable} stdout @param {import('node:stream').Readable} stderr */
    handleRuntimeStdio(stdout, stderr) {
      for (const stream of [stdout, stderr]) createInterface({ input: stream }).on('line', (line) => logs.push(line));
    },
  });
  const url = await mf.ready;
  /** @param {string} path */
  const get = async (path) => {
    const response = await fetch(new URL(path, url));
    const text = await response.text();
    if (!response.ok) throw new Error(`${path}: ${response.status} ${text}\n${logs.join('\n')}`);
    return JSON.parse(text);
  };

  /** @type {{ cpuPerfMs: number, cpuDateMs: number, stepMs: number | null, waitUs: number, spinThenWaitMs: number }} */
  const clock = await get('/clock');
  const mode = clock.cpuPerfMs > 0 ? 'cpu' : 'io';
  if (mode === 'io' && !(clock.spinThenWaitMs > 0)) {
    throw new Error(`workerd's clock moves neither during CPU work nor after an await of scheduler.wait(0): ${JSON.stringify(clock)}`);
  }

  /**
   * @param {string} group
   * @param {string} body
   * @returns {Promise<{ bytes: number, results: Result[] }>}
   */
  const run = async (group, body) => {
    /** @type {{ bytes: number, results: { name: string, kind: Result['kind'], opsPerSecond: number[] }[] }} */
    const raw = await get(`/run?group=${group}&body=${body}&rounds=${ROUNDS}&roundMs=${ROUND_MS}&mode=${mode}`);
    return {
      bytes: raw.bytes,
      results: raw.results.map(({ name, kind, opsPerSecond }) => {
        const value = median(opsPerSecond);
        return { name, kind, opsPerSecond: value, microseconds: 1e6 / value };
      }),
    };
  };
  /** The faster of the two WebCrypto ways is the peer. @param {Result[]} results */
  const fastestAwaited = (results) => results.filter((r) => r.kind === 'await').reduce((a, b) => (b.opsPerSecond > a.opsPerSecond ? b : a));
  /** @param {Result[]} results @param {string} name */
  const named = (results, name) => {
    const found = results.find((r) => r.name === name);
    if (found === undefined) throw new Error(`no result named ${name}`);
    return found;
  };

  const BODIES = /** @type {const} */ ([['c', 'shape C'], ['a', 'shape A']]);
  const GROUPS = ['verify', 'parse-bytes', 'parse-text'];
  // One short pass over everything first, so no group is timed while the isolate's JIT (JS
  // and WebAssembly tier-up) is still catching up; its numbers are thrown away.
  await get(`/run?group=throughput&body=64k&rounds=1&roundMs=20&mode=${mode}`);
  for (const [body] of BODIES) for (const group of GROUPS) await get(`/run?group=${group}&body=${body}&rounds=1&roundMs=20&mode=${mode}`);

  // Hashing throughput: what one SHA-256 block costs in the package's WebAssembly, which
  // bounds how fast a verify of a small body can be.
  const throughput = await run('throughput', '64k');
  details.push(table(`workerd, verify a 64 KiB body (MB/s = ops/s x 65,536 / 10^6)`, throughput.results));
  const mbPerSecond = (/** @type {Result} */ r) => ((r.opsPerSecond * 65536) / 1e6).toFixed(0);
  const ours64k = named(throughput.results, 'Webhook.verifySignature');
  const webCrypto64k = named(throughput.results, 'WebCrypto crypto.subtle.verify (awaited)');
  const perBlockUs = ours64k.microseconds / blocks(65536);
  /** SHA-256 blocks of one HMAC with the key's inner and outer states precomputed. @param {number} length */
  function blocks(length) {
    return Math.ceil((length + 9) / 64) + 1;
  }
  /**
   * What the numbers say stands between a verify and 3x WebCrypto.
   * @param {Result} peer @param {Result | undefined} inFlight @param {Result} ours
   * @param {number} length
   */
  function verifyWhy(peer, inFlight, ours, length) {
    const awaitUs = inFlight === undefined ? 0 : peer.microseconds - inFlight.microseconds;
    const awaitNote = inFlight === undefined ? ''
      : awaitUs > 0.05 * peer.microseconds
        ? `, of which about ${us(awaitUs)} is the await (64 calls in flight under one Promise.all take ${us(inFlight.microseconds)} each)`
        : ` and the await is not what costs (64 calls in flight under one Promise.all take ${us(inFlight.microseconds)} each)`;
    const n = blocks(length);
    return `the peer is ${peer.name}, ${us(peer.microseconds)} a call${awaitNote}. `
      + `WebCrypto's time at this size is per-call cost, not hashing: at 64 KiB it hashes at ${mbPerSecond(webCrypto64k)} MB/s (native code), the package at ${mbPerSecond(ours64k)} MB/s (WebAssembly SHA-256, ${us(perBlockUs)} per 64-byte block). `
      + `This body is ${n} blocks (inner and outer hash; the package keeps the key's states, verifyWebhook too, per secret), so its hashing alone takes about ${us(n * perBlockUs)} of the call's ${us(ours.microseconds)}, while 3x WebCrypto means ${us(peer.microseconds / 3)} for the whole call`;
  }

  for (const [body, label] of BODIES) {
    const verify = await run('verify', body);
    const name = `${verify.bytes} B ${label}`;
    details.push(table(`workerd, verify alone, ${name} (bytes, as request.arrayBuffer() gives them)`, verify.results));
    const peer = fastestAwaited(verify.results);
    const inFlight = verify.results.find((r) => r.kind === 'batch');
    for (const oursName of ['Webhook.verifySignature', 'verifyWebhook']) {
      const ours = named(verify.results, oursName);
      const ratio = speedup(ours, peer);
      target(
        `workerd verify alone, ${name}: ${oursName} vs WebCrypto`,
        '≥ 3x',
        `${ratio.toFixed(2)}x (${ops(ours.opsPerSecond)} vs ${ops(peer.opsPerSecond)} ops/s; ${us(ours.microseconds)} vs ${us(peer.microseconds)})`,
        ratio >= 3,
        verifyWhy(peer, inFlight, ours, verify.bytes),
      );
    }

    const parseBytes = await run('parse-bytes', body);
    details.push(table(`workerd, verify + parse, ${name} (bytes)`, parseBytes.results));
    const parseText = await run('parse-text', body);
    details.push(table(`workerd, verify + parse, ${name} (a string, as request.text() gives it)`, parseText.results));
    const handWritten = fastestAwaited(parseBytes.results);
    const verifyAlone = named(verify.results, 'Webhook.verifySignature');
    const budget = handWritten.microseconds / 1.3;
    const decodeAndParse = Math.max(0, handWritten.microseconds - peer.microseconds);
    for (const oursName of ['Webhook.verify', 'constructEvent']) {
      const ours = named(parseBytes.results, oursName);
      const ratio = speedup(ours, handWritten);
      target(
        `workerd verify + parse, ${name}: ${oursName} vs WebCrypto + JSON.parse`,
        '≥ 1.3x',
        `${ratio.toFixed(2)}x (${ops(ours.opsPerSecond)} vs ${ops(handWritten.opsPerSecond)} ops/s; ${us(ours.microseconds)} vs ${us(handWritten.microseconds)})`,
        ratio >= 1.3,
        `the peer is ${handWritten.name}; 1.3x means ${us(budget)} for the whole call, and the package's signature check alone takes ${us(verifyAlone.microseconds)}, which leaves ${us(Math.max(0, budget - verifyAlone.microseconds))} for the parse${budget - verifyAlone.microseconds < decodeAndParse ? `: less than TextDecoder + JSON.parse of the body alone (${us(decodeAndParse)}, the peer's time over its check), while any parse must at least read the body and build its objects` : ''}; the package's parse adds ${us(Math.max(0, ours.microseconds - verifyAlone.microseconds))}`,
      );
    }
  }

  const clockNote = mode === 'cpu'
    ? `performance.now() advanced during pure CPU work (${clock.cpuPerfMs} ms over a busy loop; Date.now() ${clock.cpuDateMs} ms) in steps of ${clock.stepMs} ms, so each round ran batches of 64 calls until ${ROUND_MS} ms had passed, without I/O in between`
    : `performance.now() did not advance during pure CPU work, so every batch of 1024 calls ended with \`await scheduler.wait(0)\` (about ${clock.waitUs.toFixed(1)} µs each, counted in the time)`;
  details.unshift([
    `workerd ${workerdVersion} (miniflare ${miniflareVersion}), compatibility date ${compatibilityDate}, the example's esbuild bundle with the CompiledWasm rule (the package's \`workerd\` build), on 127.0.0.1.`,
    `Timed inside the isolate, no HTTP in the numbers: ${ROUNDS} interleaved rounds of ${ROUND_MS} ms per competitor, medians; ${clockNote}.`,
    'WebCrypto is asynchronous: each WebCrypto call is awaited before the next, as a receiver awaits its check for each delivery, and the key is imported once per isolate (`crypto.subtle.importKey`, kept in module scope). The hex signature is decoded to bytes on every call (a lookup table). The "in flight" row runs 64 calls under one `Promise.all`: not how a receiver works, it only shows what the await costs. The peer for each target is the faster of `crypto.subtle.verify` and `sign` + `crypto.subtle.timingSafeEqual`; the targets use the bytes rows (the package\'s receiver reads the body as bytes).',
    'Every competitor is checked first to accept the genuine body and reject a tampered one.',
    '',
  ].join('\n'));
} finally {
  await mf?.dispose();
  rmSync(outdir, { recursive: true, force: true });
}

/**
 * @param {string} what @param {string} goal @param {string} measured @param {boolean} met
 * @param {string} why what the measurements say about the gap, kept when missed
 */
function target(what, goal, measured, met, why) {
  targets.push({ what, goal, measured, met, ...(met ? {} : { why }) });
}

const report = { host: `workerd ${workerdVersion} (miniflare ${miniflareVersion})`, command: COMMAND, targets, details: details.join('\n') };
writeReport('workerd', report);
console.log(report.details);
for (const { what, goal, measured, met } of targets) console.log(`${met ? 'met   ' : 'MISSED'} ${what}: ${measured} (goal ${goal})`);
