// Runs the Worker locally on workerd (through miniflare) without wrangler, on 127.0.0.1.
//   CASPAY_WEBHOOK_SECRET=whsec_... node examples/cloudflare-worker/dev.mjs [port]
// The Durable Objects' storage (events, their alarms, the ledger) is kept in
// PERSIST_DIR when set, so a restart picks up where it stopped; in memory otherwise.
// `npx wrangler dev` does the same from wrangler.toml when wrangler is installed.
import { fileURLToPath } from 'node:url';
import { Miniflare } from 'miniflare';
import { COMPILED_WASM_RULE, buildWorker } from './build.mjs';
import { readWranglerConfig } from './wrangler-config.mjs';

const here = (/** @type {string} */ path) => fileURLToPath(new URL(path, import.meta.url));
const secret = process.env.CASPAY_WEBHOOK_SECRET;
if (!secret) {
  console.error('Set CASPAY_WEBHOOK_SECRET to the endpoint secret (whsec_...).');
  process.exit(1);
}
const { compatibilityDate, durableObjects } = readWranglerConfig();
const { script } = await buildWorker({ entry: here('src/index.js'), outdir: here('dist/') });
/** @type {Record<string, string>} */
const bindings = { CASPAY_WEBHOOK_SECRET: secret, PROCESSING_DELAY_MS: process.env.PROCESSING_DELAY_MS ?? '0', INBOX_LEASE_SECONDS: process.env.INBOX_LEASE_SECONDS ?? '60' };
if (process.env.INBOX_ADMIN_TOKEN) bindings.INBOX_ADMIN_TOKEN = process.env.INBOX_ADMIN_TOKEN;
const mf = new Miniflare({
  modules: true,
  scriptPath: script,
  modulesRoot: here('dist/'),
  modulesRules: [COMPILED_WASM_RULE],
  compatibilityDate,
  bindings,
  durableObjects,
  ...(process.env.PERSIST_DIR ? { durableObjectsPersist: process.env.PERSIST_DIR } : {}),
  host: '127.0.0.1',
  port: Number(process.argv[2] ?? process.env.PORT ?? 8787),
});
const url = await mf.ready;
console.log(`CasPay webhook Worker on workerd: ${new URL('/webhook', url)}  (Ctrl+C to stop)`);
const stop = () => mf.dispose().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
