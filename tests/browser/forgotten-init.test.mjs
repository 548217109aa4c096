// The browser build before `await init()`: every export that needs the WebAssembly module
// throws a WebhookError saying to call `await init()` (never a TypeError from inside the
// glue), the ones that do not need it work, and after init() the same calls succeed. In
// Debian's Chromium, on the package's browser entry bundled by esbuild.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { launchChromium } from './browser.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Every export of the browser build, and what calling it needs. `module`: throws until the
 * module is loaded; `none`: works without it (pure JavaScript, constants, the loaders).
 * A new export fails this test until it is listed here.
 * @type {Record<string, 'module' | 'none'>}
 */
const EXPORTS = {
  verifyWebhook: 'module', constructEvent: 'module', parseEvent: 'module', sign: 'module',
  sampleEvent: 'module', eventTypes: 'module', motesToCspr: 'module', Webhook: 'module',
  createReceiver: 'module', Receiver: 'module',
  init: 'none', initSync: 'none', WebhookError: 'none', ERROR_CODES: 'none',
  SIGNATURE_HEADER: 'none', EVENT_HEADER: 'none', TIMESTAMP_HEADER: 'none',
  Inbox: 'none', MemoryStore: 'none', defaultBackoff: 'none',
  DEFAULT_LEASE_SECONDS: 'none', DEFAULT_MAX_ATTEMPTS: 'none', DEFAULT_RETAIN_DONE_SECONDS: 'none',
  DEFAULT_RECEIVER_MAX_PAYLOAD_BYTES: 'none',
};

/** One call per export that needs the module, written as page code over `caspay`. */
const CALLS = {
  verifyWebhook: "caspay.verifyWebhook('{}', 'a'.repeat(64), 'whsec_x')",
  constructEvent: "caspay.constructEvent('{}', 'a'.repeat(64), 'whsec_x')",
  parseEvent: "caspay.parseEvent('{}')",
  sign: "caspay.sign('{}', 'whsec_x')",
  sampleEvent: "caspay.sampleEvent('payment.completed')",
  eventTypes: 'caspay.eventTypes()',
  motesToCspr: "caspay.motesToCspr('1000000000')",
  Webhook: "new caspay.Webhook('whsec_x')",
  createReceiver: "caspay.createReceiver({ secret: 'whsec_x', store: new caspay.MemoryStore() })",
  Receiver: "new caspay.Receiver({ secret: 'whsec_x', store: new caspay.MemoryStore() })",
};

/** @type {Awaited<ReturnType<typeof launchChromium>>} */
let browser;
/** @type {import('node:http').Server} */
let server;
/** @type {string} */
let base;

before(async () => {
  const bundle = await esbuild.build({
    stdin: { contents: "import * as caspay from 'caspay-webhooks'; window.caspay = caspay;", resolveDir: ROOT, loader: 'js' },
    bundle: true, format: 'esm', platform: 'browser', conditions: ['browser'], write: false, logLevel: 'silent',
  });
  const script = bundle.outputFiles[0].contents;
  const wasm = readFileSync(`${ROOT}pkg/wasm/caspay_webhooks_bg.wasm`);
  server = createServer((req, res) => {
    if (req.url === '/') res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><script type="module" src="/caspay.js"></script>');
    else if (req.url === '/caspay.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
    else if (req.url === '/caspay_webhooks_bg.wasm') res.writeHead(200, { 'content-type': 'application/wasm' }).end(wasm);
    else res.writeHead(404).end();
  }).listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${/** @type {import('node:net').AddressInfo} */ (server.address()).port}`;
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
});

test('before await init(), every function that needs the module throws a WebhookError saying to call it', async () => {
  const page = await browser.context.newPage();
  try {
    await page.goto(base);
    await page.waitForFunction(() => 'caspay' in window);
    const names = await page.evaluate(() => Object.keys(/** @type {any} */ (window).caspay).sort());
    assert.deepEqual(names, Object.keys(EXPORTS).sort(), 'every export is listed in EXPORTS');

    // Each call runs before init() and again after it: what needs no module works before.
    const { before, pure, after } = await page.evaluate(async (calls) => {
      const caspay = /** @type {any} */ (window).caspay;
      const outcomes = () => Object.fromEntries(Object.entries(calls).map(([name, code]) => {
        try {
          new Function('caspay', `return ${code};`)(caspay);
          return [name, 'returned'];
        } catch (error) {
          const e = /** @type {any} */ (error);
          return [name, { webhookError: e instanceof caspay.WebhookError, code: e.code, saysInit: /await init\(\)/.test(e.message) }];
        }
      }));
      const before = outcomes();
      const pure = [caspay.defaultBackoff(2), caspay.ERROR_CODES.includes('signature_mismatch'), new caspay.MemoryStore() instanceof caspay.MemoryStore, new caspay.WebhookError('signature_mismatch', 'x').httpStatus];
      await caspay.init(new URL('/caspay_webhooks_bg.wasm', location.href));
      return { before, pure, after: outcomes() };
    }, CALLS);
    const expected = Object.fromEntries(Object.keys(CALLS).map((name) => [name, { webhookError: true, code: 'internal_error', saysInit: true }]));
    assert.deepEqual(before, expected);
    assert.deepEqual(Object.keys(CALLS).sort(), Object.entries(EXPORTS).filter(([, need]) => need === 'module').map(([name]) => name).sort());
    assert.deepEqual(pure, [20000, true, true, 401]);
    // After loading, the calls reach the core: '{}' is no event and 'aaa…' no valid signature.
    const code = (/** @type {string} */ c) => ({ webhookError: true, code: c, saysInit: false });
    assert.deepEqual(after, {
      verifyWebhook: 'returned', constructEvent: code('signature_mismatch'), parseEvent: code('invalid_event'), sign: 'returned',
      sampleEvent: 'returned', eventTypes: 'returned', motesToCspr: 'returned', Webhook: 'returned',
      createReceiver: 'returned', Receiver: 'returned',
    });
  } finally {
    await page.close();
  }
});
