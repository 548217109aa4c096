// Runs the Worker locally on workerd (through miniflare) without wrangler, on 127.0.0.1.
//   CASPAY_WEBHOOK_SECRET=whsec_... node examples/cloudflare-worker/dev.mjs [port]
// `npx wrangler dev` does the same from wrangler.toml when wrangler is installed.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Miniflare } from 'miniflare';
import { COMPILED_WASM_RULE, buildWorker } from './build.mjs';

const here = (/** @type {string} */ path) => fileURLToPath(new URL(path, import.meta.url));
const secret = process.env.CASPAY_WEBHOOK_SECRET;
if (!secret) {
  console.error('Set CASPAY_WEBHOOK_SECRET to the endpoint secret (whsec_...).');
  process.exit(1);
}
const toml = readFileSync(here('wrangler.toml'), 'utf8');
const compatibilityDate = /^compatibility_date\s*=\s*"([\d-]+)"/m.exec(toml)?.[1];
const { script } = await buildWorker({ entry: here('src/index.js'), outdir: here('dist/') });
const mf = new Miniflare({
  modules: true,
  scriptPath: script,
  modulesRoot: here('dist/'),
  modulesRules: [COMPILED_WASM_RULE],
  compatibilityDate,
  bindings: { CASPAY_WEBHOOK_SECRET: secret, PROCESSING_DELAY_MS: process.env.PROCESSING_DELAY_MS ?? '0' },
  kvNamespaces: ['WEBHOOKS'],
  host: '127.0.0.1',
  port: Number(process.argv[2] ?? process.env.PORT ?? 8787),
});
const url = await mf.ready;
console.log(`CasPay webhook Worker on workerd: ${new URL('/webhook', url)}  (Ctrl+C to stop)`);
const stop = () => mf.dispose().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
