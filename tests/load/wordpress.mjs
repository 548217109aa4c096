// The load run of scripts/test-wordpress.sh: sends the plan of deliveries.mjs to a real
// WordPress, lets the leases of the crashed runs expire, runs the WP-Cron sweep, then
// checks the site's own records: no forgery accepted, every distinct valid event
// processed exactly once (the e2e must-use plugin's counter, caspay-actions.log), every
// inbox row done. Prints a one-line summary and writes the WordPress section of
// RELIABILITY.md.
//
// Needs the environment of scripts/test-wordpress.sh (CASPAY_E2E_URL, CASPAY_E2E_DOCROOT,
// CASPAY_E2E_SECRET, CASPAY_E2E_HELPER, CASPAY_E2E_ACTIONS).

import { execFileSync } from 'node:child_process';
import { readFileSync, existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { buildPlan, retryUnanswered, sendPlan, summarize } from './deliveries.mjs';
import { writeSection } from './reliability-md.mjs';

const { values } = parseArgs({
  options: {
    url: { type: 'string' }, secret: { type: 'string' }, seed: { type: 'string', default: '1' },
    count: { type: 'string', default: '1000' }, concurrency: { type: 'string', default: '8' },
    crashes: { type: 'string', default: '3' }, lease: { type: 'string', default: '8' },
    workers: { type: 'string', default: '?' }, engine: { type: 'string', default: '?' },
    wordpress: { type: 'string', default: '?' }, reliability: { type: 'string' },
  },
});
const helper = (...args) => execFileSync('php', ['-d', 'ffi.enable=1', process.env.CASPAY_E2E_HELPER, ...args], { encoding: 'utf8', maxBuffer: 256 << 20 });

const options = { seed: Number(values.seed), count: Number(values.count), crashes: Number(values.crashes) };
const plan = buildPlan({ ...options, secret: values.secret });
const started = Date.now();
const results = await sendPlan(plan, { url: values.url, concurrency: Number(values.concurrency) });
const seconds = (Date.now() - started) / 1000;
const summary = summarize(plan, results);
// A crashing listener kills its `php -S` worker, and with it any other connection that worker
// had accepted: those deliveries get no answer, and CasPay sends them again. Retries of a
// crashed event get 409 until its lease expires, hence the pause.
const retried = await retryUnanswered(plan, results, { urls: [values.url], pauseMs: 1000 });

// Crashed runs hold their lease; once it expires the sweep (the plugin's WP-Cron action)
// processes them. Nothing may depend on CasPay coming back.
let rows;
for (let round = 0; round < 5; round++) {
  rows = JSON.parse(helper('rows'));
  if (rows.inbox.every((r) => r.state === 'done')) break;
  await sleep((Number(values.lease) + 1) * 1000);
  helper('sweep');
}

const runs = new Map();
const forgedRuns = [];
const lines = existsSync(process.env.CASPAY_E2E_ACTIONS) ? readFileSync(process.env.CASPAY_E2E_ACTIONS, 'utf8').split('\n').filter(Boolean) : [];
for (const line of lines) {
  const [hook, , , paymentId] = line.split('\t');
  if (paymentId.endsWith('_forged')) forgedRuns.push(line);
  if (hook === 'caspay_webhook_event') runs.set(paymentId, (runs.get(paymentId) ?? 0) + 1);
}
const lost = plan.events.filter((e) => !runs.has(e.paymentId));
const twice = plan.events.filter((e) => (runs.get(e.paymentId) ?? 0) > 1);
const notDone = rows.inbox.filter((r) => r.state !== 'done');
// No answer (status 0) is what the retries above are for.
const failedAnswers = plan.deliveries.filter((d) => d.valid && ![0, 200, 409].includes(results[d.index].status));
const forgeries = summary.forgeriesAccepted + forgedRuns.length;

const problems = [];
if (forgeries) problems.push(`${forgeries} forgeries accepted`);
if (twice.length) problems.push(`${twice.length} events processed twice (${twice.slice(0, 3).map((e) => e.paymentId).join(', ')})`);
if (lost.length) problems.push(`${lost.length} events lost (${lost.slice(0, 3).map((e) => e.paymentId).join(', ')})`);
if (rows.inbox.length !== plan.events.length) problems.push(`${rows.inbox.length} inbox rows for ${plan.events.length} events`);
if (notDone.length) problems.push(`${notDone.length} inbox rows not done`);
if (failedAnswers.length) problems.push(`${failedAnswers.length} valid deliveries answered neither 200 nor 409: ${failedAnswers.slice(0, 3).map((d) => `${d.kind} ${results[d.index].status} ${results[d.index].body}`).join('; ')}`);

const answers = Object.entries(summary.byKind).map(([kind, statuses]) => `${kind}: ${Object.entries(statuses).map(([s, n]) => `${n}× ${s === '0' ? 'no answer' : s}`).join(', ')}`).join('; ');
console.log(`  load: ${summary.line}; ${retried} re-sent as CasPay would; ${forgeries} forgeries accepted, ${twice.length} processed twice, ${lost.length} lost; ${(plan.deliveries.length / seconds).toFixed(0)} deliveries/s`);
console.log(`  load answers: ${answers}`);

if (problems.length) {
  console.error(`FAIL: load: ${problems.join('; ')}`);
  process.exit(1);
}

if (values.reliability) {
  const ms = (v) => `${v.toFixed(0)} ms`;
  writeSection(values.reliability, 'wordpress', `## WordPress

WordPress ${values.wordpress} + MariaDB, \`php -S\` with ${values.workers} workers (PHP_CLI_SERVER_WORKERS), ${values.engine} engine, ${cpus().length} CPU cores shared with other work, ${new Date().toISOString().slice(0, 10)}. Produced by \`scripts/test-wordpress.sh\` (its load step: \`node tests/load/wordpress.mjs --seed ${options.seed} --count ${options.count} --concurrency ${values.concurrency} --crashes ${options.crashes}\`).

| deliveries | events | retries (concurrent) | re-serialized | tampered | wrong secret | workers killed | forgeries accepted | processed twice | lost | p50 | p99 |
|---|---|---|---|---|---|---|---|---|---|---|---|
| ${summary.deliveries} | ${summary.events} | ${summary.retries} (${summary.concurrentRetries}) | ${summary.reserialized} | ${summary.tampered} | ${summary.wrongSecret} | ${summary.crashes} | ${forgeries} | ${twice.length} | ${lost.length} | ${ms(summary.p50)} | ${ms(summary.p99)} |

Answers by kind of delivery: ${answers}. ${summary.noAnswer} deliveries got no answer (a killed worker takes the other connection it had accepted with it) and were re-sent as CasPay would (${retried} re-sends). "Processed" is counted by a listener that runs last in each run; an event whose worker was killed is finished, once its lease (${values.lease} s here) has expired, by a later copy or by the WP-Cron sweep. Latency is over every answered delivery, ${(plan.deliveries.length / seconds).toFixed(0)} deliveries/s overall.`);
}
