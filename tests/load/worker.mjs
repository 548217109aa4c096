// The load run of the Cloudflare Worker example (scripts/test-worker-load.sh): starts the
// example on real workerd (miniflare, 127.0.0.1), sends it the plan of deliveries.mjs, waits
// for its Durable Objects to process what they accepted, then checks the example's own
// records (its ledger, one count per idempotency key, and the inbox's failed/dead index): no
// forgery accepted, every valid event processed exactly once, none lost, none left failed
// or dead. Prints a summary and, with --reliability FILE, writes the `worker` section of
// RELIABILITY.md. Exits 1 when a check fails.
//
//   node tests/load/worker.mjs [--count 20000] [--concurrency 32] [--seed 1] [--reliability RELIABILITY.md]
//
// The plan's "crashing" events are left out (--crashes 0): nothing in the example reads
// their marker; killing workerd mid-run is tests/worker/restart.test.mjs.
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseEvent } from '../../pkg/src/node.js';
import { EXAMPLE_ENTRY, ledgerOf, startWorker } from '../worker/harness.mjs';
import { buildPlan, sendPlan, summarize } from './deliveries.mjs';
import { writeSection } from './reliability-md.mjs';

const SECRET = 'whsec_LoadTestSecretForTheWorker000';
const ADMIN_TOKEN = 'load-test-admin-token';
/** How long processing may lag the last answer before an accepted event counts as lost. */
const SETTLE_TIMEOUT_MS = 120_000;

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '20000' },
    concurrency: { type: 'string', default: '32' },
    seed: { type: 'string', default: '1' },
    reliability: { type: 'string' },
  },
});
const count = Number(values.count);
const concurrency = Number(values.concurrency);
const seed = Number(values.seed);

/**
 * What this run reads of deliveries.mjs's plan and results.
 * @typedef {{ index: number, event: number, kind: string, body: string, valid: boolean }} Delivery
 * @typedef {{ seed: number, events: { id: number }[], deliveries: Delivery[] }} Plan
 * @typedef {{ index: number, status: number, ms: number }} Result
 */
const plan = /** @type {Plan} */ (buildPlan({ seed, count, secret: SECRET, crashes: 0, runId: `w${seed}` }));
/**
 * The idempotency key of each event, and those of forged bodies that differ from it (a
 * forged shape-C body has a key of its own, which must never be processed; a forged shape-A
 * body keeps its event's id, so only its answer can tell).
 */
const keyOf = (/** @type {string} */ body) => parseEvent(body).idempotencyKey;
const originals = new Map(plan.deliveries.filter((d) => d.kind === 'original').map((d) => [d.event, d.body]));
const eventKeys = plan.events.map((event) => keyOf(/** @type {string} */ (originals.get(event.id))));
const known = new Set(eventKeys);
const forgedKeys = new Set(plan.deliveries.filter((d) => !d.valid).map((d) => keyOf(d.body)).filter((key) => !known.has(key)));

const worker = await startWorker({
  entry: EXAMPLE_ENTRY,
  bindings: { CASPAY_WEBHOOK_SECRET: SECRET, INBOX_ADMIN_TOKEN: ADMIN_TOKEN, PROCESSING_DELAY_MS: '0' },
});
/** @type {string[]} */
let failures = [];
/** @type {{ summary: any, checks: Record<string, number>, seconds: number, settleSeconds: number, accepted: number, processed: number } | undefined} */
let report;
try {
  const started = performance.now();
  const results = /** @type {Result[]} */ (await sendPlan(plan, /** @type {any} */ ({ url: new URL('/webhook', worker.url).href, concurrency })));
  const seconds = (performance.now() - started) / 1000;
  const summary = /** @type {ReturnType<typeof summarize> & { line: string }} */ (summarize(plan, results));

  // An event is ours once one of its valid deliveries was answered 2xx.
  const accepted = new Set(plan.deliveries.filter((d) => d.valid && results[d.index].status >= 200 && results[d.index].status < 300).map((d) => d.event));
  const ledger = await ledgerOf(worker.mf);
  const settleStarted = performance.now();
  let counts = await ledger.all();
  while ([...accepted].some((event) => counts[eventKeys[event]] === undefined) && performance.now() - settleStarted < SETTLE_TIMEOUT_MS) {
    await sleep(250);
    counts = await ledger.all();
  }
  const settleSeconds = (performance.now() - settleStarted) / 1000;
  // Room for a wrongly started second run to land before the counts are final.
  await sleep(2000);
  counts = await ledger.all();

  /** @returns {Promise<unknown[]>} */
  const admin = async (/** @type {string} */ state) => (await (await fetch(new URL(`/inbox?state=${state}`, worker.url), { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).json()).entries;
  const stuck = [...(await admin('failed')), ...(await admin('dead'))];
  const lost = [...accepted].filter((event) => counts[eventKeys[event]] === undefined);
  const twice = Object.entries(counts).filter(([, record]) => record.times !== 1);
  const forgedProcessed = Object.keys(counts).filter((key) => forgedKeys.has(key));
  const strangers = Object.keys(counts).filter((key) => !known.has(key) && !forgedKeys.has(key));
  const validNot2xx = plan.deliveries.filter((d) => d.valid && !(results[d.index].status >= 200 && results[d.index].status < 300));
  const forgeriesNot401 = plan.deliveries.filter((d) => !d.valid && results[d.index].status !== 401);
  const notAccepted = plan.events.length - accepted.size;

  const checks = {
    'forgeries accepted': summary.forgeriesAccepted + forgedProcessed.length,
    'forgeries not answered 401': forgeriesNot401.length,
    'events processed twice': twice.length,
    'accepted events lost': lost.length,
    'events never accepted': notAccepted,
    'valid deliveries not answered 2xx': validNot2xx.length,
    'events left failed or dead': stuck.length,
    'processed keys that are no event of the plan': strangers.length,
  };
  failures = Object.entries(checks).filter(([, n]) => n !== 0).map(([what, n]) => `${n} ${what}`);
  const line = `${summary.line}; ${accepted.size} events accepted, ${Object.keys(counts).length} processed, ${twice.length} twice, ${lost.length} lost; sent in ${seconds.toFixed(1)} s (${Math.round(plan.deliveries.length / seconds)}/s), all processed ${settleSeconds.toFixed(1)} s after the last answer`;
  console.log(line);
  for (const failure of failures) console.error(`FAILED: ${failure}`);
  if (validNot2xx.length > 0) console.error('valid deliveries not answered 2xx, by status:', JSON.stringify(countBy(validNot2xx.map((d) => results[d.index].status))));

  report = { summary, checks, seconds, settleSeconds, accepted: accepted.size, processed: Object.keys(counts).length };
} finally {
  await worker.dispose();
}

if (values.reliability && report) {
  const { summary, checks, seconds, settleSeconds, accepted, processed } = report;
  const command = `node tests/load/worker.mjs --count ${count} --concurrency ${concurrency} --seed ${seed} --reliability RELIABILITY.md`;
  writeSection(values.reliability, 'worker', [
    '## Cloudflare Workers (the example Worker, Durable Object inbox)',
    '',
    `The example Worker (\`examples/cloudflare-worker\`) on workerd through miniflare (127.0.0.1, one machine of ${cpus().length} cores shared with other jobs), ${new Date().toISOString().slice(0, 10)}:`,
    '',
    '```sh',
    command,
    '```',
    '',
    '| | |',
    '|---|---|',
    `| deliveries | ${summary.deliveries} at concurrency ${concurrency}: ${summary.events} events, ${summary.retries} retries (${summary.concurrentRetries} at the same time as their original, ${summary.reserialized} re-serialized), ${summary.tampered} tampered, ${summary.wrongSecret} with a wrong secret |`,
    `| forgeries accepted | ${checks['forgeries accepted']} |`,
    `| events processed twice | ${checks['events processed twice']} |`,
    `| events lost | ${checks['accepted events lost']} (${accepted} accepted, ${processed} processed) |`,
    `| left failed or dead | ${checks['events left failed or dead']} |`,
    `| latency of an answer | p50 ${summary.p50.toFixed(1)} ms, p99 ${summary.p99.toFixed(1)} ms |`,
    `| throughput | ${Math.round(summary.deliveries / seconds)} deliveries/s; every accepted event processed ${settleSeconds.toFixed(1)} s after the last answer |`,
    '',
    'Processed once = the example\'s ledger counts one run per idempotency key; every copy (same bytes or re-serialized, at once or later) is answered `200 {"duplicate":true}`. Killing workerd mid-run and right after its 200s is covered by `tests/worker/restart.test.mjs`.',
    '',
    'The latency is local workerd\'s, not Cloudflare\'s: here every Durable Object runs in one workerd process, and each new event\'s object is a new SQLite database on disk, written durably before its 200; on Cloudflare the objects are spread over machines. `scripts/test-worker-load.sh` runs this command; `make test` (through `scripts/test-worker.sh`) runs 5,000 deliveries of another seed and writes nothing.',
  ].join('\n'));
}
process.exit(failures.length === 0 ? 0 : 1);

/** @param {number[]} statuses */
function countBy(statuses) {
  /** @type {Record<number, number>} */
  const counted = {};
  for (const status of statuses) counted[status] = (counted[status] ?? 0) + 1;
  return counted;
}
