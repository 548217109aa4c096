// The Node examples under a load of real CasPay deliveries, with their processes killed
// (SIGKILL) and restarted in the middle of it: node-http on its SQLite inbox, and Express
// as two processes on one private PostgreSQL. Checks that no forgery is accepted, no event
// is processed twice and none is lost, and writes the figures to RELIABILITY.md.
//
//   node tests/load/node.mjs [--count 20000] [--concurrency 32] [--kills 2] [--seed 7] [--reliability RELIABILITY.md]
//
// "Lost" is measured the way CasPay sees it: a delivery that got no 2xx (the process was
// down) is retried, like CasPay's schedule would, until one is answered 2xx; every event
// answered 2xx must then end `done` in the inbox. "Processed twice" counts events with two
// finished runs (`processed … attempt n` log lines, written after the run is recorded done,
// summed over every process that ever ran). A SIGKILL can still land after a run's work
// and before its completion is recorded: that run is taken over and its handler runs again
// (at least once, docs/inbox.md); those are counted as "runs taken over".
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseEvent } from 'caspay-webhooks';
import { SqliteStore } from 'caspay-webhooks/sqlite';
import { PostgresStore } from 'caspay-webhooks/postgres';
import { buildPlan, retryUnanswered, sendPlan, summarize } from './deliveries.mjs';
import { writeSection } from './reliability-md.mjs';
import { freePort } from '../support/net.mjs';
import { startPostgres } from '../support/postgres.mjs';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '20000' },
    concurrency: { type: 'string', default: '32' },
    kills: { type: 'string', default: '2' },
    seed: { type: 'string', default: '7' },
    hosts: { type: 'string', default: 'node-http,express' },
    reliability: { type: 'string' },
  },
});
const COUNT = Number(values.count);
const CONCURRENCY = Number(values.concurrency);
const KILLS = Number(values.kills);
const SECRET = 'whsec_LoadTestSecretLoadTestSecret012';

/** @param {number} ms */
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One example process; its output is kept for counting runs after it is gone.
 * @param {string} example
 * @param {Record<string, string>} env
 * @param {number} port
 */
async function startExample(example, env, port) {
  const child = spawn(process.execPath, [new URL(`../../examples/${example}/server.mjs`, import.meta.url).pathname], {
    env: { ...process.env, CASPAY_WEBHOOK_SECRET: SECRET, PORT: String(port), CASPAY_LEASE_SECONDS: '3', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const process_ = { child, output: '' };
  child.stdout.setEncoding('utf8').on('data', (chunk) => { process_.output += chunk; });
  child.stderr.setEncoding('utf8').on('data', (chunk) => { process_.output += chunk; });
  const deadline = Date.now() + 20_000;
  while (!process_.output.includes('listening on')) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`${example} did not start:\n${process_.output}`);
    await sleep(20);
  }
  return process_;
}

/** @param {{ child: import('node:child_process').ChildProcess }} p */
async function kill(p) {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  p.child.kill('SIGKILL');
  await new Promise((resolve) => p.child.once('exit', resolve));
}

/**
 * Runs the plan against one host and checks it.
 * @param {string} name
 * @param {{ example: string, env: Record<string, string>, processes: number, store: () => import('caspay-webhooks').InboxStore }} host
 */
async function run(name, host) {
  const plan = buildPlan({ seed: Number(values.seed), count: COUNT, secret: SECRET, crashes: 0, runId: `${name}-${Date.now()}` });
  const ports = await Promise.all(Array.from({ length: host.processes }, () => freePort()));
  /** @type {{ child: import('node:child_process').ChildProcess, output: string }[]} */
  const all = [];
  /** @type {({ child: import('node:child_process').ChildProcess, output: string } | null)[]} */
  const live = [];
  for (const port of ports) {
    const p = await startExample(host.example, host.env, port);
    all.push(p);
    live.push(p);
  }
  // A proxy-free round robin: each sender picks a process by delivery index.
  const urls = ports.map((port) => `http://127.0.0.1:${port}/webhook`);
  const started = performance.now();
  const sending = sendPlanAcross(plan, urls);
  // Kill a process at evenly spread moments, restart it a little later on the same port.
  for (let k = 0; k < KILLS; k++) {
    await sleep(1500 + Math.random() * 1000);
    const victim = k % live.length;
    const p = live[victim];
    if (p) await kill(p);
    live[victim] = null;
    await sleep(300);
    const restarted = await startExample(host.example, host.env, ports[victim]);
    all.push(restarted);
    live[victim] = restarted;
  }
  const results = await sending;
  const seconds = (performance.now() - started) / 1000;

  const retried = await retryUnanswered(plan, results, { urls, pauseMs: 200 });

  // Every key that must be processed, and the runs each one had.
  const validKeys = new Map(plan.deliveries.filter((d) => d.kind === 'original').map((d) => [d.event, parseEvent(d.body).idempotencyKey]));
  const deadline = Date.now() + 60_000;
  const pending = async () => {
    const store = host.store();
    const rows = await store.list({ limit: 1e9 });
    await store.close();
    return rows.filter((row) => row.state !== 'done').length;
  };
  while ((await pending()) > 0 && Date.now() < deadline) await sleep(250);
  await sleep(500);
  const runs = countRuns(all);
  await Promise.all(live.map((p) => (p ? kill(p) : undefined)));

  const keys = [...validKeys.values()];
  const twice = keys.filter((key) => (runs.get(key) ?? 0) > 1).length;
  const store = host.store();
  const states = new Map((await store.list({ limit: 1e9 })).map((row) => [row.key, row.state]));
  await store.close();
  const lostKeys = keys.filter((key) => states.get(key) !== 'done');
  const lost = lostKeys.length;
  if (lost > 0 || twice > 0) {
    const errors = all.flatMap((p) => p.output.split('\n').filter((l) => /error|Error|failed|caspay-webhooks inbox/.test(l))).slice(0, 10);
    console.error(`${name}: errors in the receivers' output: ${JSON.stringify(errors)}`);
    const probe = host.store();
    const counts = {};
    for (const row of await probe.list({ limit: 1e9 })) counts[row.state] = (counts[row.state] ?? 0) + 1;
    console.error(`${name}: states ${JSON.stringify(counts)}; a claim now: ${JSON.stringify(await probe.claim({ key: null, now: Date.now(), leaseMs: 1000 }))?.slice(0, 200)}`);
    console.error(`${name}: live processes ${live.map((p) => p && p.child.exitCode === null).join(',')}; last lines ${JSON.stringify(live.map((p) => p?.output.split('\n').slice(-3)))}`);
    await probe.close();
    console.error(`${name}: lost ${lostKeys.slice(0, 5).join(' ')}; twice ${keys.filter((key) => (runs.get(key) ?? 0) > 1).slice(0, 5).join(' ')}`);
    for (const key of lostKeys.slice(0, 3)) {
      const lines = all.flatMap((p) => p.output.split('\n').filter((l) => l.includes(key)));
      const deliveries = plan.deliveries.filter((d) => validKeys.get(d.event) === key).map((d) => `${d.kind}/${d.variant}:${results[d.index]?.status}`);
      console.error(`  ${key} (${states.get(key)}): deliveries ${deliveries.join(', ')}; log ${JSON.stringify(lines)}`);
    }
  }
  const valid = new Set(keys);
  const strangers = [...states.keys()].filter((key) => !valid.has(key)).length;
  const summary = summarize(plan, results);
  const takenOver = all.map((p) => p.output.match(/^processed \S+ \S+ attempt [2-9]\d*$/gm)?.length ?? 0).reduce((a, b) => a + b, 0);
  const line = `${name}: ${summary.line}; ${KILLS} SIGKILLs, ${retried} deliveries retried after no 2xx; ${twice} processed twice, ${lost} lost, ${strangers} unknown events processed, ${takenOver} runs taken over after a kill; ${(COUNT / seconds).toFixed(0)} deliveries/s`;
  console.log(line);
  const ok = summary.forgeriesAccepted === 0 && twice === 0 && lost === 0 && strangers === 0;
  return { ok, summary, twice, lost, strangers, retried, takenOver, seconds };

  /**
   * @param {ReturnType<typeof buildPlan>} p
   * @param {string[]} targets
   */
  async function sendPlanAcross(p, targets) {
    if (targets.length === 1) return sendPlan(p, { url: targets[0], concurrency: CONCURRENCY });
    // Two processes: split the plan by index parity, keeping each half's order.
    const halves = targets.map((_, i) => ({ ...p, deliveries: p.deliveries.filter((d) => d.index % targets.length === i) }));
    const parts = await Promise.all(halves.map((half, i) => sendPlan(half, { url: targets[i], concurrency: Math.ceil(CONCURRENCY / targets.length) })));
    return parts.reduce((merged, part) => { part.forEach((r, i) => { if (r) merged[i] = r; }); return merged; }, new Array(p.deliveries.length));
  }
}

/**
 * Finished runs per key, from every process that ever ran.
 * @param {{ output: string }[]} processes
 */
function countRuns(processes) {
  /** @type {Map<string, number>} */
  const runs = new Map();
  for (const p of processes) {
    for (const match of p.output.matchAll(/^processed \S+ (\S+) attempt \d+$/gm)) runs.set(match[1], (runs.get(match[1]) ?? 0) + 1);
  }
  return runs;
}

const dir = mkdtempSync(join(tmpdir(), 'caspay-load-'));
/** @type {{ url: string, stop: () => void } | null} */
let postgres = null;
let failed = false;
const sections = [];
try {
  const hosts = values.hosts.split(',');
  if (hosts.includes('node-http')) {
    const file = join(dir, 'inbox.db');
    const result = await run('node-http', { example: 'node-http', env: { CASPAY_INBOX: file }, processes: 1, store: () => new SqliteStore(file) });
    failed ||= !result.ok;
    sections.push(['node-http', 'Node.js: node-http on its SQLite inbox (one process, WAL; each event synced to disk before its 200)', result]);
  }
  if (hosts.includes('express')) {
    postgres = await startPostgres();
    const url = postgres.url;
    const result = await run('express', { example: 'express', env: { DATABASE_URL: url }, processes: 2, store: () => new PostgresStore(url) });
    failed ||= !result.ok;
    sections.push(['express', 'Node.js: Express as two processes on one private PostgreSQL 15', result]);
  }
} finally {
  postgres?.stop();
  rmSync(dir, { recursive: true, force: true });
}

for (const [name, title, r] of values.reliability ? sections : []) {
  const s = r.summary;
  writeSection(values.reliability, name, `## ${title}

\`node tests/load/node.mjs --count ${COUNT} --concurrency ${CONCURRENCY} --kills ${KILLS} --seed ${values.seed}\` (\`make test-load-node\`, part of \`make test\`; \`make reliability\` writes this section), ${new Date().toISOString().slice(0, 10)}, this project's shared 2-core machine:

| measure | result |
|---|---|
| deliveries | ${s.deliveries} (${s.events} events; ${s.retries} retries, ${s.concurrentRetries} of them concurrent with their original; ${s.reserialized} re-serialized: jsonb key order, pretty-printed, keys reversed) at concurrency ${CONCURRENCY} |
| forgeries | ${s.tampered} tampered + ${s.wrongSecret} wrong secret: **${s.forgeriesAccepted} accepted** |
| processes killed (SIGKILL) mid-load and restarted | ${KILLS}; ${r.retried} deliveries re-sent after getting no 2xx (as CasPay retries) |
| runs interrupted by a kill and taken over (their handler ran again: at least once) | ${r.takenOver} |
| processed twice (two runs recorded done) | **${r.twice}** |
| lost (answered 2xx, not done in the inbox at the end) | **${r.lost}** |
| unknown events in the inbox (a forgery recorded) | **${r.strangers}** |
| latency of answered deliveries | p50 ${s.p50.toFixed(1)} ms, p99 ${s.p99.toFixed(1)} ms |
| throughput | ${(s.deliveries / r.seconds).toFixed(0)} deliveries/s |
`);
}
process.exit(failed ? 1 : 0);
