// The example receivers over real HTTP on 127.0.0.1, fed deliveries exactly as CasPay's
// server sends them (headers, body format, key handling).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { once } from 'node:events';
import { eventTypes, sampleEvent, sign } from 'caspay-webhooks';

const SECRET = 'whsec_Kq8sT2vXw9yZ3bC5dF7gH1jL4mN6pR0t';
const TYPES = eventTypes();

async function freePort() {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
  server.close();
  return port;
}

/** Starts an example and resolves once it prints its address. */
async function start(script) {
  const port = await freePort();
  const child = spawn(process.execPath, [script], {
    env: { ...process.env, CASPAY_WEBHOOK_SECRET: SECRET, PORT: String(port), CASPAY_PROCESSING_MS: '20' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk) => { output += chunk; });
  const deadline = Date.now() + 10_000;
  while (!output.includes(`listening on http://127.0.0.1:${port}`)) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`${script} did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return { url: `http://127.0.0.1:${port}/webhook`, output: () => output, stop: () => child.kill() };
}

/** POSTs like CasPay: same headers, signature over the exact bytes. */
async function deliver(url, body, { signature = sign(body, SECRET), type = 'payment.completed' } = {}) {
  const headers = {
    'content-type': 'application/json',
    'user-agent': 'CasPay-Webhook/1.0',
    'x-caspay-event': type,
    'x-caspay-timestamp': new Date().toISOString(),
  };
  if (signature !== null) headers['x-caspay-signature'] = signature;
  const response = await fetch(url, { method: 'POST', headers, body });
  return { status: response.status, json: await response.json() };
}

for (const example of ['node-http', 'express']) {
  test(`${example} receiver`, async (t) => {
    const server = await start(new URL(`../../examples/${example}/server.mjs`, import.meta.url).pathname);
    t.after(server.stop);
    const accepted = [];

    await t.test('accepts every event type in every shape', async () => {
      for (const type of TYPES) for (const shape of ['a', 'b', 'c']) {
        const body = sampleEvent(type, shape);
        const { status, json } = await deliver(server.url, body, { type });
        assert.deepEqual([status, json], [200, { received: true }], `${type} ${shape}`);
        accepted.push(body);
      }
    });

    await t.test('answers a replayed delivery as a duplicate and processes it once', async () => {
      const body = sampleEvent('payment.received', 'c');
      assert.deepEqual(await deliver(server.url, body), { status: 200, json: { received: true } });
      assert.deepEqual(await deliver(server.url, body), { status: 200, json: { duplicate: true } });
      accepted.push(body);
      const key = `sha256:${(await import('node:crypto')).createHash('sha256').update(body).digest('hex')}`;
      const deadline = Date.now() + 5000;
      while (!server.output().includes(`processed payment.received ${key}`) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(server.output().split(`processed payment.received ${key}`).length - 1, 1);
    });

    await t.test('rejects forged and broken deliveries with the right status', async () => {
      const body = sampleEvent('payment.completed', 'a');
      const cases = [
        ['tampered body', body.replace('100000000000', '900000000000'), sign(body, SECRET), 401, 'signature_mismatch'],
        ['wrong secret', body, sign(body, 'whsec_not_the_endpoint_secret_00000'), 401, 'signature_mismatch'],
        ['dashboard test button', body, 'test_signature', 401, 'invalid_signature_format'],
        ['no signature header', body, null, 401, 'missing_signature'],
        ['signed invalid JSON', '{"type":', sign('{"type":', SECRET), 400, 'invalid_json'],
        ['signed non-event', '{"type":"payment.completed","data":{}}', sign('{"type":"payment.completed","data":{}}', SECRET), 400, 'invalid_event'],
      ];
      for (const [name, payload, signature, status, code] of cases) {
        const response = await deliver(server.url, payload, { signature });
        assert.equal(response.status, status, name);
        assert.equal(response.json.error, code, name);
      }
      const huge = JSON.stringify({ type: 'test.webhook', data: { pad: 'x'.repeat(300 * 1024) } });
      assert.equal((await deliver(server.url, huge)).status, 413);
      assert.equal((await fetch(server.url)).status, 405);
    });

    await t.test('logs one line per delivery and processes every accepted event', async () => {
      const deadline = Date.now() + 5000;
      const processed = () => server.output().split('\n').filter((l) => l.startsWith('processed ')).length;
      while (processed() < accepted.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      assert.equal(processed(), accepted.length);
      const deliveries = server.output().split('\n').filter((l) => /^\d{4}-\d\d-\d\dT\S+ \d{3} /.test(l));
      assert.equal(deliveries.length, accepted.length + 1 + 7);
    });
  });
}
