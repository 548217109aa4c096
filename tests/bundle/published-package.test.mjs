// The package as published, bundled exactly as `wrangler deploy` bundles it (esbuild,
// honouring package.json "sideEffects"): the Workers entry's initialisation must survive.
// A regression test: with "sideEffects": false, esbuild silently dropped `initSync(module)`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildWorker } from '../../examples/cloudflare-worker/build.mjs';
import { importsOf } from './imports.mjs';

test('bundled like wrangler does, the Worker still imports and instantiates the .wasm', () => {
  const dir = mkdtempSync(join(tmpdir(), 'caspay-published-'));
  return buildWorker({ entry: fileURLToPath(new URL('../../examples/cloudflare-worker/src/index.js', import.meta.url)), outdir: dir })
    .then(({ script }) => {
      const code = readFileSync(script, 'utf8');
      assert.deepEqual(importsOf(code), ['./caspay_webhooks_bg.wasm'],
        'esbuild dropped src/workerd.js\'s `initSync(module)` because pkg/package.json says "sideEffects": false; '
        + 'list the entries instead: "sideEffects": ["./src/workerd.js", "./src/node.js", "./src/browser.js", "./dist/node.cjs"]');
    })
    .finally(() => rmSync(dir, { recursive: true, force: true }));
});
