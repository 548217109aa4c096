// The playground in Debian's Chromium: the page loads the package's browser bundle and
// everything a merchant does there is checked against the package in Node.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { constructEvent, eventTypes, motesToCspr, parseEvent, sign } from '../../pkg/src/node.js';
import { startServer } from '../../www/serve.mjs';
import { launchChromium } from './browser.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SCREENSHOT = `${ROOT}artifacts/playground.png`;

/** @type {Awaited<ReturnType<typeof startServer>>} */
let server;
/** @type {Awaited<ReturnType<typeof launchChromium>>} */
let browser;
/** @type {import('playwright-core').Page} */
let page;
/** @type {string[]} every URL the page requested */
const requested = [];
/** @type {string[]} */
const pageErrors = [];

before(async () => {
  server = await startServer({
    mounts: { '/tests/shared/': `${ROOT}tests/shared`, '/tests/vectors/': `${ROOT}tests/vectors` },
  });
  browser = await launchChromium();
  page = await browser.context.newPage();
  page.on('request', (request) => requested.push(request.url()));
  page.on('pageerror', (error) => pageErrors.push(String(error)));
  page.on('console', (message) => { if (message.type() === 'error') pageErrors.push(message.text()); });
  await page.goto(server.url);
  await page.waitForSelector('html[data-ready="true"]', { timeout: 15000 });
});
after(async () => {
  await browser?.close();
  await server?.close();
});

const value = (/** @type {string} */ selector) => page.inputValue(selector);
const verdictTitle = () => page.textContent('#verdict-title');
/** @param {string} label */
const shown = (label) => page.textContent(`#event-fields dd[data-field="${label}"]`);

test('sign then verify: the page signs like the package in Node, and the verdict is valid', async () => {
  await page.selectOption('#event-type', 'payment.completed');
  await page.selectOption('#shape', 'a');
  await page.click('#sign');
  const [body, secret, signature] = [await value('#body'), await value('#secret'), await value('#signature')];
  assert.match(secret, /^whsec_[A-Za-z0-9]{32}$/);
  assert.equal(signature, sign(body, secret));
  await page.click('#verify');
  assert.equal(await verdictTitle(), 'Valid: signed by this secret.');
  const event = constructEvent(body, signature, secret);
  assert.equal(await shown('Idempotency key'), event.idempotencyKey);
  const motes = event.payment?.amount.motes ?? '';
  assert.equal(await shown('Amount'), `${motesToCspr(motes)} CSPR (${motes} motes)`);
  assert.equal(await page.getAttribute('#verdict', 'aria-live'), 'polite');
  mkdirSync(`${ROOT}artifacts`, { recursive: true });
  await page.screenshot({ path: SCREENSHOT, fullPage: true });
});

test('a tampered body shows signature_mismatch and marks the signature field', async () => {
  await page.click('#sign');
  const body = await value('#body');
  await page.fill('#body', body.replace('"amount":100000000000', '"amount":100000000001'));
  await page.click('#verify');
  assert.equal(await verdictTitle(), 'signature_mismatch');
  assert.match(String(await page.textContent('#verdict-detail')), /\S/);
  assert.equal(await page.getAttribute('#signature', 'aria-invalid'), 'true');
  assert.equal(await page.isHidden('#event'), true);
});

test("bad input gets a clear verdict: test_signature, no secret, broken JSON", async () => {
  await page.selectOption('#event-type', 'test.webhook');
  await page.fill('#signature', 'test_signature');
  await page.click('#verify');
  assert.equal(await verdictTitle(), 'invalid_signature_format');

  const secret = await value('#secret');
  await page.fill('#secret', '');
  await page.click('#sign');
  assert.equal(await verdictTitle(), 'invalid_secret');
  assert.equal(await page.getAttribute('#secret', 'aria-invalid'), 'true');
  await page.fill('#secret', secret);

  await page.fill('#body', '{"id":"evt_1","type":');
  await page.click('#parse');
  assert.equal(await verdictTitle(), 'invalid_json');
  assert.equal(await page.getAttribute('#body', 'aria-invalid'), 'true');
});

test('every sample type in every shape parses in the page with its type and exact amount', async () => {
  for (const type of eventTypes()) {
    for (const shape of ['a', 'b', 'c']) {
      await page.selectOption('#event-type', type);
      await page.selectOption('#shape', shape);
      const body = await value('#body');
      await page.click('#parse');
      const label = `${type} ${shape}`;
      assert.equal(await verdictTitle(), 'Parsed (signature not checked).', label);
      const event = parseEvent(body);
      assert.equal(await shown('Type'), type, label);
      assert.equal(await shown('Shape'), shape.toUpperCase(), label);
      assert.equal(await shown('Idempotency key'), event.idempotencyKey, label);
      const details = event.payment ?? event.subscription;
      if (details === null) continue;
      // Every shape's CSPR amount is shown in motes: shape C's CSPR text is converted, not guessed.
      const motes = details.amount?.motes;
      assert.ok(motes, label);
      const expected = `${motesToCspr(motes)} CSPR (${motes} motes)`;
      assert.equal(await shown('Amount'), expected, label);
    }
  }
});

test('the copied curl command delivers a delivery that verifies, with CasPay headers', async () => {
  /** @type {{ headers: import('node:http').IncomingHttpHeaders, body: Buffer }[]} */
  const received = [];
  const receiver = createServer((req, res) => {
    /** @type {Buffer[]} */
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks) });
      res.end('{"received":true}');
    });
  });
  await new Promise((done) => receiver.listen(0, '127.0.0.1', () => done(undefined)));
  try {
    const port = /** @type {import('node:net').AddressInfo} */ (receiver.address()).port;
    await page.selectOption('#event-type', 'subscription.renewed');
    await page.selectOption('#shape', 'c');
    // A quote and a newline in the body must survive the shell quoting byte for byte.
    const body = (await value('#body')).replace('"currency"', '"note":"it\'s\\nok",\n"currency"');
    await page.fill('#body', body);
    await page.fill('#target-url', `http://127.0.0.1:${port}/webhook`);
    await page.click('#sign');
    const command = String(await page.textContent('#curl'));
    await promisify(execFile)('bash', ['-c', `${command} --silent --show-error --max-time 10`]);
    assert.equal(received.length, 1);
    const { headers, body: sent } = received[0];
    assert.equal(sent.toString('utf8'), body);
    const event = constructEvent(sent, headers, await value('#secret'));
    assert.equal(event.type, 'subscription.renewed');
    assert.equal(headers['user-agent'], 'CasPay-Webhook/1.0');
    assert.equal(headers['x-caspay-event'], 'subscription.renewed');
    assert.equal(headers['content-type'], 'application/json');
    assert.ok(!Number.isNaN(Date.parse(String(headers['x-caspay-timestamp']))));

    // A body is bytes, JSON or not: a leading @ is sent, not taken for a file to read.
    await page.fill('#body', '@/etc/hostname');
    await page.click('#sign');
    const second = String(await page.textContent('#curl'));
    await promisify(execFile)('bash', ['-c', `${second} --silent --show-error --max-time 10`]);
    assert.equal(received[1]?.body.toString('utf8'), '@/etc/hostname');
  } finally {
    receiver.close();
  }
});

test('every shared vector passes in Chromium, through the bundle the page loads', async () => {
  const results = await page.evaluate(async () => {
    const load = async (/** @type {string} */ name) => (await fetch(`/tests/vectors/${name}.json`)).json();
    // The same module instance the page uses: same URL, same module map.
    const api = await import(`${location.origin}/dist/caspay-webhooks.js`);
    const runner = await import(`${location.origin}/tests/shared/vector-runner.js`);
    const vectors = { signature: await load('signature'), parse: await load('parse'), construct: await load('construct') };
    return { total: runner.caseCount(vectors), results: runner.runVectors(api, vectors) };
  });
  assert.ok(results.total > 100);
  assert.equal(results.results.length, results.total);
  assert.deepEqual(results.results.filter((r) => !r.ok).map((r) => `${r.name}: ${r.detail}`), []);
});

test('the page only ever talked to its own origin and logged no errors', () => {
  const origin = new URL(server.url).origin;
  assert.ok(requested.length > 0);
  assert.deepEqual(requested.filter((url) => !url.startsWith(`${origin}/`) && !url.startsWith('data:')), []);
  assert.deepEqual(pageErrors, []);
});

test('the server sends the same-origin CSP, serves wasm as application/wasm, and nothing outside its roots', async () => {
  const page = await fetch(server.url);
  assert.match(String(page.headers.get('content-security-policy')), /connect-src 'self'/);
  const wasm = await fetch(new URL('dist/caspay_webhooks_bg.wasm', server.url));
  assert.equal(wasm.headers.get('content-type'), 'application/wasm');
  for (const path of ['/tests/vectors/..%2f..%2fpackage.json', '/tests/vectors/%2e%2e/%2e%2e/package.json', '/serve.mjs', '/build.mjs']) {
    assert.equal((await fetch(new URL(path, server.url))).status, 404, path);
  }
  assert.equal((await fetch(server.url, { method: 'POST' })).status, 405);
});
