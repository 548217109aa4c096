// The example receivers as a merchant runs them, over real HTTP on 127.0.0.1, fed
// deliveries exactly as CasPay's server sends them: node:http on its SQLite inbox, Express
// on a private PostgreSQL shared by two processes; killed with SIGKILL mid-run and
// restarted, every event is still processed exactly once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventTypes, parseEvent, sampleEvent, sign } from 'caspay-webhooks';
import { freePort } from '../support/net.mjs';
import { startPostgres } from '../support/postgres.mjs';

const SECRET = 'whsec_Kq8sT2vXw9yZ3bC5dF7gH1jL4mN6pR0t';
const TYPES = eventTypes();
const vectors = JSON.parse(readFileSync(new URL('../vectors/parse.json', import.meta.url), 'utf8')).cases;
const dir = mkdtempSync(join(tmpdir(), 'caspay-examples-'));
/** @type {{ url: string, stop: () => void }} */
let postgres;

before(async () => { postgres = await startPostgres(); });
after(() => {
  postgres?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** @param {number} ms */
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Starts an example and resolves once it listens.
 * @param {string} example
 * @param {Record<string, string>} env
 */
async function start(example, env) {
  const port = await freePort();
  const child = spawn(process.execPath, [new URL(`../../examples/${example}/server.mjs`, import.meta.url).pathname], {
    env: { ...process.env, CASPAY_WEBHOOK_SECRET: SECRET, PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk) => { output += chunk; });
  child.stderr.setEncoding('utf8').on('data', (chunk) => { output += chunk; });
  const deadline = Date.now() + 15_000;
  while (!output.includes(`listening on http://127.0.0.1:${port}`)) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`${example} did not start:\n${output}`);
    await sleep(20);
  }
  return {
    url: `http://127.0.0.1:${port}/webhook`,
    output: () => output,
    kill: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
    },
  };
}

/**
 * POSTs like CasPay: same headers, signature over the exact bytes.
 * @param {string} url
 * @param {string} body
 * @param {{ signature?: string | null, type?: string }} [options]
 */
async function deliver(url, body, { signature = sign(body, SECRET), type = 'payment.completed' } = {}) {
  /** @type {Record<string, string>} */
  const headers = { 'content-type': 'application/json', 'user-agent': 'CasPay-Webhook/1.0', 'x-caspay-event': type, 'x-caspay-timestamp': new Date().toISOString() };
  if (signature !== null) headers['x-caspay-signature'] = signature;
  const response = await fetch(url, { method: 'POST', headers, body });
  return { status: response.status, json: await response.json() };
}

/**
 * How many finished runs each key had, from every process's `processed …` lines.
 * @param {string[]} outputs
 */
function runsPerKey(outputs) {
  /** @type {Map<string, number>} */
  const runs = new Map();
  for (const line of outputs.join('\n').split('\n')) {
    const match = /^processed \S+ (\S+) attempt \d+$/.exec(line);
    if (match) runs.set(match[1], (runs.get(match[1]) ?? 0) + 1);
  }
  return runs;
}

/**
 * Waits until every key has a finished run.
 * @param {() => string[]} outputs
 * @param {string[]} keys
 */
async function waitProcessed(outputs, keys, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const runs = runsPerKey(outputs());
    if (keys.every((key) => runs.has(key))) return runs;
    await sleep(50);
  }
  return runsPerKey(outputs());
}

/** @param {string} body */
const keyOf = (body) => parseEvent(body).idempotencyKey;

const setups = {
  'node-http on its SQLite inbox': async () => ({ example: 'node-http', env: { CASPAY_INBOX: join(dir, `node-http-${Date.now()}.db`), CASPAY_LEASE_SECONDS: '2' } }),
  'Express on PostgreSQL': async () => {
    const { default: pg } = await import('pg');
    const admin = new pg.Client(postgres.url);
    await admin.connect();
    const database = `express_${Date.now()}`;
    await admin.query(`CREATE DATABASE ${database}`);
    await admin.end();
    return { example: 'express', env: { DATABASE_URL: postgres.url.replace(/\/postgres$/, `/${database}`), CASPAY_LEASE_SECONDS: '2' } };
  },
};

for (const [name, setup] of Object.entries(setups)) {
  test(name, async (t) => {
    const { example, env } = await setup();
    const first = await start(example, env);
    /** @type {Awaited<ReturnType<typeof start>>[]} */
    const processes = [first];
    t.after(() => Promise.all(processes.map((p) => p.kill())));
    const outputs = () => processes.map((p) => p.output());
    /** @type {string[]} */
    const accepted = [];

    await t.test('accepts every event type in every shape, and processes each once', async () => {
      for (const type of TYPES) for (const shape of ['a', 'b', 'c']) {
        const body = sampleEvent(/** @type {import('caspay-webhooks').EventType} */ (type), /** @type {'a' | 'b' | 'c'} */ (shape));
        assert.deepEqual(await deliver(first.url, body, { type }), { status: 200, json: { received: true } }, `${type} ${shape}`);
        accepted.push(keyOf(body));
      }
      const runs = await waitProcessed(outputs, accepted);
      assert.deepEqual(accepted.filter((key) => runs.get(key) !== 1), []);
    });

    await t.test('re-sent copies (retries, jsonb order, pretty, reordered, escaped) are duplicates, processed once', async () => {
      const copies = vectors.filter((/** @type {{ name: string }} */ c) => c.name.startsWith('content key: one event ') && !c.name.includes(' with '));
      const answers = [];
      for (const copy of [...copies, copies[0]]) answers.push((await deliver(first.url, copy.body.utf8, { type: 'payment.received' })).json);
      assert.deepEqual(answers, [{ received: true }, ...Array(copies.length).fill({ duplicate: true })]);
      const key = keyOf(copies[0].body.utf8);
      await waitProcessed(outputs, [key]);
      await sleep(200);
      assert.equal(runsPerKey(outputs()).get(key), 1);
      accepted.push(key);
    });

    await t.test('rejects forged and broken deliveries with the stable codes, and survives aborted requests', async () => {
      const body = sampleEvent('payment.completed', 'a');
      /** @type {[string, string, string | null, number, string][]} */
      const cases = [
        ['tampered body', body.replace('100000000000', '900000000000'), sign(body, SECRET), 401, 'signature_mismatch'],
        ['wrong secret', body, sign(body, 'whsec_not_the_endpoint_secret_00000'), 401, 'signature_mismatch'],
        ['dashboard test button', body, 'test_signature', 401, 'invalid_signature_format'],
        ['no signature header', body, null, 401, 'missing_signature'],
        ['empty body', '', null, 401, 'missing_signature'],
        ['signed invalid JSON', '{"type":', sign('{"type":', SECRET), 400, 'invalid_json'],
        ['signed non-event', '{"type":"payment.completed","data":{}}', sign('{"type":"payment.completed","data":{}}', SECRET), 400, 'invalid_event'],
      ];
      for (const [what, payload, signature, status, code] of cases) {
        const response = await deliver(first.url, payload, { signature });
        assert.deepEqual([response.status, response.json.error], [status, code], what);
      }
      const huge = JSON.stringify({ type: 'test.webhook', data: { pad: 'x'.repeat(300 * 1024) } });
      assert.equal((await deliver(first.url, huge)).status, 413);
      assert.equal((await fetch(first.url)).status, 405);
      const { request } = await import('node:http');
      await new Promise((resolve) => {
        const req = request(first.url, { method: 'POST', headers: { 'content-length': '500', 'x-caspay-signature': 'a'.repeat(64) } });
        req.on('error', resolve);
        req.write('{"type":"payment.');
        setTimeout(() => { req.destroy(); resolve(undefined); }, 50);
      });
      await sleep(100);
      assert.equal((await deliver(first.url, sampleEvent('test.webhook', 'b'), { type: 'test.webhook' })).status, 200, 'still serving');
    });

    await t.test('SIGKILL mid-run, then a restart: every accepted event processed exactly once, none lost', async () => {
      // Slow runs, so the kill lands while some are in progress and others wait in the inbox.
      const slow = await start(example, { ...env, CASPAY_PROCESSING_MS: '1500' });
      processes.push(slow);
      const bodies = Array.from({ length: 12 }, () => sampleEvent('payment.received', 'c'));
      for (const body of bodies) assert.equal((await deliver(slow.url, body, { type: 'payment.received' })).status, 200);
      await sleep(300);
      await slow.kill();
      const keys = bodies.map(keyOf);
      assert.ok(keys.some((key) => !runsPerKey([slow.output()]).has(key)), 'the kill left work unfinished');
      // CasPay retries some while the receiver is down; the restarted one takes all over.
      const restarted = await start(example, env);
      processes.push(restarted);
      for (const body of bodies.slice(0, 4)) assert.deepEqual((await deliver(restarted.url, body, { type: 'payment.received' })).json, { duplicate: true });
      const runs = await waitProcessed(outputs, keys);
      await sleep(300);
      const final = runsPerKey(outputs());
      assert.deepEqual(keys.filter((key) => final.get(key) !== 1), [], `runs per key: ${JSON.stringify(keys.map((k) => runs.get(k) ?? 0))}`);
      assert.match(outputs().join('\n'), /processed payment\.received \S+ attempt 2/, 'the interrupted runs were taken over');
    });

    if (example === 'express') {
      await t.test('two processes on one database: concurrent copies reach either one, each event runs once', async () => {
        const other = await start(example, env);
        processes.push(other);
        const bodies = Array.from({ length: 20 }, () => sampleEvent('payment.completed', 'a'));
        const answers = await Promise.all(bodies.flatMap((body) => [first, other].map((p) => deliver(p.url, body))));
        assert.ok(answers.every((a) => a.status === 200), JSON.stringify(answers.filter((a) => a.status !== 200)));
        assert.equal(answers.filter((a) => a.json.received).length, bodies.length, 'one copy of each recorded it');
        const keys = bodies.map(keyOf);
        await waitProcessed(outputs, keys);
        await sleep(300);
        const runs = runsPerKey(outputs());
        assert.deepEqual(keys.filter((key) => runs.get(key) !== 1), []);
      });
    }

    await t.test('every accepted event was processed exactly once overall', async () => {
      const runs = runsPerKey(outputs());
      assert.deepEqual(accepted.filter((key) => runs.get(key) !== 1), []);
    });
  });
}

for (const example of ['node-http', 'express']) {
  test(`${example}: a port already in use stops the example with the error, not a process serving nothing`, async (t) => {
    const { createServer } = await import('node:net');
    const taken = createServer();
    await new Promise((resolve) => taken.listen(0, '127.0.0.1', () => resolve(undefined)));
    t.after(() => taken.close());
    const port = /** @type {import('node:net').AddressInfo} */ (taken.address()).port;
    const child = spawn(process.execPath, [new URL(`../../examples/${example}/server.mjs`, import.meta.url).pathname], {
      env: { ...process.env, CASPAY_WEBHOOK_SECRET: SECRET, PORT: String(port), CASPAY_INBOX: ':memory:' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    t.after(() => child.kill('SIGKILL'));
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => { output += chunk; });
    child.stderr.setEncoding('utf8').on('data', (chunk) => { output += chunk; });
    const exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    const code = await Promise.race([exited, sleep(10_000).then(() => 'still running')]);
    assert.notEqual(code, 'still running', `the example kept running on a port it could not listen on:\n${output}`);
    assert.notEqual(code, 0);
    assert.match(output, /EADDRINUSE/);
    assert.doesNotMatch(output, /listening on/);
  });
}
