// The package bundled by esbuild for its two non-Node targets: the Worker bundle (what
// tests/worker runs on workerd) and the browser bundle (what the playground page loads in
// tests/browser). Here: they exist, import nothing from Node, and keep the WebAssembly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildWorker } from '../../examples/cloudflare-worker/build.mjs';
import { buildBrowser } from '../../www/build.mjs';
import { sampleEvent, sign } from '../../pkg/src/node.js';
import { startWorker } from '../worker/harness.mjs';
import { importsOf, nodeBuiltins } from './imports.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const WASM = readFileSync(`${ROOT}pkg/wasm/caspay_webhooks_bg.wasm`);
const WORKER_ENTRY = `${ROOT}examples/cloudflare-worker/src/index.js`;

/** @param {(dir: string) => Promise<void>} body */
async function inTempDir(body) {
  const dir = mkdtempSync(join(tmpdir(), 'caspay-bundle-'));
  try {
    await body(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('Worker bundle: one script plus the .wasm, which it imports as a module; no Node built-ins', () => inTempDir(async (dir) => {
  const { script, wasm, metafile } = await buildWorker({ entry: WORKER_ENTRY, outdir: dir });
  assert.equal(resolve(script), join(dir, 'worker.js'));
  assert.deepEqual(wasm.map((path) => resolve(path)), [join(dir, 'caspay_webhooks_bg.wasm')]);
  assert.ok(readFileSync(join(dir, 'caspay_webhooks_bg.wasm')).equals(WASM), 'the wasm is the package\'s, unchanged');
  const code = readFileSync(script, 'utf8');
  // The only thing left to load at run time is the compiled module (CompiledWasm rule).
  assert.deepEqual(importsOf(code), ['./caspay_webhooks_bg.wasm']);
  assert.deepEqual(nodeBuiltins(Object.keys(metafile.inputs)), []);
  assert.ok(Object.keys(metafile.inputs).some((path) => path.endsWith('pkg/src/workerd.js')), 'resolved through the workerd condition');
  assert.ok(!Object.keys(metafile.inputs).some((path) => /pkg\/src\/(node|browser)\.js$/.test(path)), 'no other platform entry');
  assert.doesNotMatch(code, /\bcrypto\.subtle\b/, 'no WebCrypto');
}));

test('Worker bundle works on workerd: a signed delivery is accepted', async () => {
  const secret = 'whsec_bundle0000000000000000000000000';
  const worker = await startWorker({ entry: WORKER_ENTRY, bindings: { CASPAY_WEBHOOK_SECRET: secret }, kvNamespaces: ['WEBHOOKS'] });
  try {
    const body = sampleEvent('payment.completed', 'a');
    const response = await fetch(new URL('/webhook', worker.url), { method: 'POST', body, headers: { 'x-caspay-signature': sign(body, secret) } });
    assert.deepEqual([response.status, await response.json()], [200, { received: true }]);
  } finally {
    await worker.dispose();
  }
});

test('browser bundle: one ES module plus the .wasm it fetches by relative URL; no Node built-ins', () => inTempDir(async (dir) => {
  const { files, metafile } = await buildBrowser({ outdir: dir });
  assert.deepEqual([...files.keys()].sort(), ['caspay-webhooks.js', 'caspay_webhooks_bg.wasm']);
  assert.ok(readFileSync(join(dir, 'caspay_webhooks_bg.wasm')).equals(WASM));
  const code = readFileSync(join(dir, 'caspay-webhooks.js'), 'utf8');
  assert.deepEqual(importsOf(code), [], 'self-contained');
  assert.deepEqual(nodeBuiltins(Object.keys(metafile.inputs)), []);
  assert.ok(Object.keys(metafile.inputs).some((path) => path.endsWith('pkg/src/browser.js')), 'resolved through the browser condition');
  // The emitted file's name, resolved against the bundle's own URL (not the page's).
  assert.match(code, /= "\.\/caspay_webhooks_bg\.wasm";/);
  assert.match(code, /await init\(new URL\(\w+, import\.meta\.url\)\)/);
  // The names the module exports (`export { local as name, … }`), not mere mentions: the
  // bundle's own code calls a method `sign` and defines a class `Webhook` either way.
  const exported = new Set([...code.matchAll(/export\s*\{([^}]*)\}/g)]
    .flatMap(([, list]) => list.split(',').map((entry) => entry.trim().split(/\s+as\s+/).pop())));
  for (const name of ['verifyWebhook', 'constructEvent', 'parseEvent', 'sign', 'sampleEvent', 'motesToCspr', 'Webhook', 'createReceiver']) {
    assert.ok(exported.has(name), `${name} is not exported: ${[...exported].join(' ')}`);
  }
}));
