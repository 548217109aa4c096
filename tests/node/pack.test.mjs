// What `npm publish` would ship: exactly the runtime files, the types and the docs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';

test('npm pack lists only what the package needs', () => {
  const output = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: new URL('../../pkg/', import.meta.url),
    encoding: 'utf8',
  });
  const [{ files }] = JSON.parse(output);
  assert.deepEqual(files.map((/** @type {{ path: string }} */ f) => f.path).sort(), [
    'LICENSE',
    'README.md',
    'dist/index.d.cts',
    'dist/node.cjs',
    'dist/node.mjs',
    'dist/postgres.cjs',
    'dist/postgres.d.cts',
    'dist/sqlite.cjs',
    'dist/sqlite.d.cts',
    'package.json',
    'src/api.js',
    'src/body.js',
    'src/browser.js',
    'src/edge-light.js',
    'src/embedded.js',
    'src/engine.js',
    'src/errors.js',
    'src/event-record.js',
    'src/exports.js',
    'src/inbox.js',
    'src/loaded.js',
    'src/node.js',
    'src/payload.js',
    'src/receiver.js',
    'src/stores/durable-object.js',
    'src/stores/memory.js',
    'src/stores/postgres.js',
    'src/stores/rules.js',
    'src/stores/sqlite.js',
    'src/workerd.js',
    'types/browser.d.ts',
    'types/durable-object.d.ts',
    'types/index.d.ts',
    'types/postgres.d.ts',
    'types/sqlite.d.ts',
    'wasm/caspay_webhooks.js',
    'wasm/caspay_webhooks_bg.wasm',
    'wasm/caspay_webhooks_bg.wasm.base64.js',
  ]);
});
