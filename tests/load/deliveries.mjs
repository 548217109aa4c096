// A load of CasPay deliveries as a receiver meets them in production: new events of the
// documented shape (A, with an id) and of the shape CasPay posts today (C, keyed by its
// content), retries (some concurrent with the original, some later, some re-serialized
// the way CasPay re-sends a payload stored in a jsonb column), tampered bodies, wrong
// secrets, and events whose listener crashes its process on the first attempt.
//
//   import { buildPlan, sendPlan, summarize } from './deliveries.mjs';
//   const plan = buildPlan({ seed: 1, count: 1000, secret });
//   const results = await sendPlan(plan, { url, concurrency: 8 });
//   console.log(summarize(plan, results).line);
//
// The plan is deterministic from its seed. Nothing here knows the receiver: each host's
// test decides what a "crash" delivery does (its test listener reads `test_behavior`) and
// checks its own store. Only node: builtins; bodies are signed with node:crypto.
//
// As a command: node tests/load/deliveries.mjs --url URL --secret S [--seed 1]
//   [--count 1000] [--concurrency 8] [--crashes 3] [--out results.json]

import { createHmac } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';

/** A small seeded PRNG (mulberry32): the same seed gives the same plan everywhere. */
export function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The signature CasPay sends: lowercase hex HMAC-SHA256 of the exact body bytes. */
export function sign(body, secret) {
  return createHmac('sha256', secret).update(body).digest('hex');
}

/** Keys in PostgreSQL jsonb's order: shorter first, then bytewise. */
function jsonbOrder(keys) {
  return [...keys].sort((a, b) => a.length - b.length || (Buffer.compare(Buffer.from(a), Buffer.from(b))));
}

function reorder(value, order) {
  if (Array.isArray(value)) return value.map((v) => reorder(v, order));
  if (value === null || typeof value !== 'object') return value;
  const out = {};
  for (const key of order(Object.keys(value))) out[key] = reorder(value[key], order);
  return out;
}

/**
 * The ways one payload reaches a receiver as other bytes with the same content: as
 * CasPay's delivery code writes it, re-sent from a jsonb column (another key order),
 * pretty-printed, and with every object's keys reversed.
 */
export function reserializations(object) {
  return {
    'as-sent': JSON.stringify(object),
    jsonb: JSON.stringify(reorder(object, jsonbOrder)),
    pretty: JSON.stringify(object, null, 2),
    reversed: JSON.stringify(reorder(object, (keys) => [...keys].reverse())),
  };
}

const AMOUNTS = [100, 12.5, 0.25, 250.5, 1000000, 0.000000001, 3];

/** One event: its payload object, a payment id unique in the plan, its type. */
function makeEvent(n, rand, runId, crash) {
  const hex = (len) => Array.from({ length: len }, () => Math.floor(rand() * 16).toString(16)).join('');
  const paymentId = `pay_${runId}_${n}`;
  const behavior = crash ? { test_behavior: 'crash' } : {};
  if (rand() < 0.4) {
    // Shape A, documented: integer motes, an event id.
    return {
      paymentId,
      shape: 'a',
      type: 'payment.completed',
      payload: {
        id: `evt_${runId}_${n}`,
        type: 'payment.completed',
        created: 1795773600 + n,
        data: {
          payment: {
            id: paymentId,
            amount: Math.floor(rand() * 1e6) * 1000,
            currency: 'CSPR',
            status: 'completed',
            metadata: { orderId: `order_${n}`, ...behavior },
          },
        },
      },
    };
  }
  // Shape C, what CasPay posts today: no id; the receiver keys it by its content.
  const type = rand() < 0.8 ? 'payment.received' : 'payment.completed';
  return {
    paymentId,
    shape: 'c',
    type,
    payload: {
      event: type,
      data: {
        payment_id: paymentId,
        product_id: `prod_${n % 17}`,
        transaction_hash: hex(64),
        payer: `01${hex(64)}`,
        amount: AMOUNTS[n % AMOUNTS.length],
        currency: 'CSPR',
        ...behavior,
      },
      timestamp: new Date(Date.UTC(2026, 10, 27, 10, 0, n % 60)).toISOString(),
      merchant_id: `MERCH_${runId}`,
    },
  };
}

/**
 * The plan: `count` deliveries, in sending order.
 *
 * @param {object} o
 * @param {number} [o.seed=1]
 * @param {number} [o.count=1000]       deliveries in all
 * @param {string} o.secret             the endpoint secret
 * @param {string} [o.wrongSecret]      the secret forgers guess
 * @param {number} [o.retryRate=0.2]    share of deliveries that are retries of an earlier event
 * @param {number} [o.concurrentShare=0.4] of retries, share sent at the same time as the original
 * @param {number} [o.reserializeShare=0.5] of retries, share with other bytes (same content)
 * @param {number} [o.tamperRate=0.05]  share of deliveries with a body changed after signing
 * @param {number} [o.wrongSecretRate=0.02] share signed with the wrong secret
 * @param {number} [o.crashes=3]        events whose listener crashes its process on attempt 1
 * @param {string} [o.runId]            makes ids unique (default: from the seed)
 * @returns {{ seed: number, events: object[], deliveries: object[] }}
 *   events: { id, paymentId, shape, type, crash }; deliveries: { index, event, kind,
 *   variant, body, signature, type, valid } where kind is original, retry,
 *   retry-concurrent, tampered or wrong-secret, and valid says whether a correct receiver
 *   must accept its signature.
 */
export function buildPlan({
  seed = 1, count = 1000, secret, wrongSecret = 'whsec_NotTheRightSecretNotTheRight0',
  retryRate = 0.2, concurrentShare = 0.4, reserializeShare = 0.5, tamperRate = 0.05,
  wrongSecretRate = 0.02, crashes = 3, runId = `s${seed}`,
} = {}) {
  if (!secret) throw new TypeError('buildPlan needs the endpoint secret');
  const rand = random(seed);
  const retries = Math.round(count * retryRate);
  const tampered = Math.round(count * tamperRate);
  const wrong = Math.round(count * wrongSecretRate);
  const originals = count - retries - tampered - wrong;
  if (originals < 1) throw new RangeError('the plan has no original deliveries');

  // Crashing events are spread over the first half, so later deliveries meet their leases.
  const crashAt = new Set();
  for (let i = 0; crashAt.size < Math.min(crashes, originals); i++) {
    crashAt.add(Math.floor(rand() * Math.max(1, originals / 2)));
  }
  const events = [];
  const queue = [];
  for (let n = 0; n < originals; n++) {
    const event = makeEvent(n, rand, runId, crashAt.has(n));
    events.push({ id: n, paymentId: event.paymentId, shape: event.shape, type: event.type, crash: crashAt.has(n), payload: event.payload });
    queue.push({ event: n, kind: 'original', variant: 'as-sent' });
  }

  // Retries: concurrent ones right after their original (picked up at the same moment by
  // another sender), later ones at a random later place.
  const variants = ['jsonb', 'pretty', 'reversed'];
  for (let r = 0; r < retries; r++) {
    const n = Math.floor(rand() * originals);
    const variant = rand() < reserializeShare ? variants[Math.floor(rand() * variants.length)] : 'as-sent';
    const at = queue.findIndex((d) => d.event === n && d.kind === 'original');
    if (rand() < concurrentShare) {
      queue.splice(at + 1, 0, { event: n, kind: 'retry-concurrent', variant });
    } else {
      const place = at + 1 + Math.floor(rand() * (queue.length - at));
      queue.splice(Math.max(at + 8, place), 0, { event: n, kind: 'retry', variant });
    }
  }
  // Forgeries anywhere: a changed amount and payment id under the original signature, or
  // a guessed secret.
  for (let f = 0; f < tampered + wrong; f++) {
    const n = Math.floor(rand() * originals);
    queue.splice(Math.floor(rand() * (queue.length + 1)), 0, { event: n, kind: f < tampered ? 'tampered' : 'wrong-secret', variant: 'as-sent' });
  }

  const deliveries = queue.map((d, index) => {
    const event = events[d.event];
    const bodies = reserializations(event.payload);
    let body = bodies[d.variant];
    let signature = sign(body, secret);
    let forged = null;
    if (d.kind === 'tampered') {
      forged = `${event.paymentId}_forged`;
      body = body.replace(`"${event.paymentId}"`, `"${forged}"`);
    } else if (d.kind === 'wrong-secret') {
      forged = `${event.paymentId}_forged`;
      body = body.replace(`"${event.paymentId}"`, `"${forged}"`);
      signature = sign(body, wrongSecret);
    }
    return { index, event: d.event, kind: d.kind, variant: d.variant, body, signature, type: event.type, valid: forged === null, forgedPaymentId: forged };
  });
  return { seed, runId, events: events.map(({ payload, ...rest }) => rest), deliveries };
}

/**
 * Sends the plan to `url` with `concurrency` senders taking deliveries in order.
 *
 * @returns {Promise<object[]>} per delivery: { index, status (0: no answer), ms, body,
 *   retryAfter, error }
 */
export async function sendPlan(plan, { url, concurrency = 8, timeoutMs = 10000, headers = {} } = {}) {
  const results = new Array(plan.deliveries.length);
  let next = 0;
  async function sender() {
    while (next < plan.deliveries.length) {
      const d = plan.deliveries[next++];
      const started = performance.now();
      try {
        const response = await fetch(url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'user-agent': 'CasPay-Webhook/1.0',
            'x-caspay-event': d.type,
            'x-caspay-signature': d.signature,
            ...headers,
          },
          body: d.body,
          // CasPay's sender gives up after 10 s.
          signal: AbortSignal.timeout(timeoutMs),
        });
        const text = await response.text();
        results[d.index] = { index: d.index, status: response.status, ms: performance.now() - started, body: text.slice(0, 300), retryAfter: response.headers.get('retry-after') };
      } catch (error) {
        results[d.index] = { index: d.index, status: 0, ms: performance.now() - started, body: '', retryAfter: null, error: String(error?.cause?.code ?? error?.name ?? error) };
      }
    }
  }
  await Promise.all(Array.from({ length: concurrency }, sender));
  return results;
}

/**
 * CasPay's retries: every event none of whose valid deliveries was answered 2xx is sent
 * again, one delivery at a time, until one is (at most 20 times, `pauseMs` apart), so an
 * event is only "lost" if the receiver loses it after a 2xx. Returns how many were re-sent.
 * @param {{ deliveries: any[] }} plan
 * @param {object[]} results what sendPlan returned for the plan
 * @param {{ urls: string[], pauseMs: number }} options retries go to the urls in turn
 */
export async function retryUnanswered(plan, results, { urls, pauseMs }) {
  const is2xx = (/** @type {any} */ r) => r.status >= 200 && r.status < 300;
  const answered = new Set(plan.deliveries.filter((d) => d.valid && is2xx(results[d.index])).map((d) => d.event));
  let retried = 0;
  for (const d of plan.deliveries) {
    if (d.kind !== 'original' || answered.has(d.event)) continue;
    for (let attempt = 0; attempt < 20 && !answered.has(d.event); attempt++) {
      const [result] = await sendPlan({ deliveries: [{ ...d, index: 0 }] }, { url: urls[attempt % urls.length], concurrency: 1 });
      retried += 1;
      if (is2xx(result)) answered.add(d.event);
      else await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  }
  return retried;
}

function percentile(sorted, p) {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Counts and latencies: what the receiver answered to each kind of delivery. */
export function summarize(plan, results) {
  const byKind = {};
  for (const d of plan.deliveries) {
    const r = results[d.index];
    const k = (byKind[d.kind] ??= {});
    k[r.status] = (k[r.status] ?? 0) + 1;
  }
  const answered = results.filter((r) => r.status > 0).map((r) => r.ms).sort((a, b) => a - b);
  const forgeriesAccepted = plan.deliveries.filter((d) => !d.valid && results[d.index].status >= 200 && results[d.index].status < 300).length;
  const count = (kind) => plan.deliveries.filter((d) => d.kind === kind).length;
  const summary = {
    deliveries: plan.deliveries.length,
    events: plan.events.length,
    retries: count('retry') + count('retry-concurrent'),
    concurrentRetries: count('retry-concurrent'),
    reserialized: plan.deliveries.filter((d) => d.variant !== 'as-sent').length,
    tampered: count('tampered'),
    wrongSecret: count('wrong-secret'),
    crashes: plan.events.filter((e) => e.crash).length,
    noAnswer: results.filter((r) => r.status === 0).length,
    forgeriesAccepted,
    byKind,
    p50: percentile(answered, 50),
    p99: percentile(answered, 99),
  };
  summary.line = `${summary.deliveries} deliveries (${summary.events} events, ${summary.retries} retries of which ${summary.concurrentRetries} concurrent, ${summary.reserialized} re-serialized, ${summary.tampered} tampered, ${summary.wrongSecret} wrong secret, ${summary.crashes} crashing): ${forgeriesAccepted} forgeries accepted, ${summary.noAnswer} without answer, p50 ${summary.p50.toFixed(1)} ms, p99 ${summary.p99.toFixed(1)} ms`;
  return summary;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({
    options: {
      url: { type: 'string' }, secret: { type: 'string' }, seed: { type: 'string', default: '1' },
      count: { type: 'string', default: '1000' }, concurrency: { type: 'string', default: '8' },
      crashes: { type: 'string', default: '3' }, out: { type: 'string' },
    },
  });
  if (!values.url || !values.secret) {
    console.error('usage: node tests/load/deliveries.mjs --url URL --secret SECRET [--seed N] [--count N] [--concurrency N] [--crashes N] [--out FILE]');
    process.exit(2);
  }
  const plan = buildPlan({ seed: Number(values.seed), count: Number(values.count), secret: values.secret, crashes: Number(values.crashes) });
  const results = await sendPlan(plan, { url: values.url, concurrency: Number(values.concurrency) });
  const summary = summarize(plan, results);
  if (values.out) writeFileSync(values.out, JSON.stringify({ plan, results, summary }));
  console.log(summary.line);
  process.exit(summary.forgeriesAccepted === 0 ? 0 : 1);
}
