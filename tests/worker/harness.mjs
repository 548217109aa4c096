// Starts a Worker on the real workerd (through miniflare) on 127.0.0.1, from the same
// esbuild bundle wrangler would deploy, and collects the Worker's console lines.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Miniflare } from 'miniflare';
import { COMPILED_WASM_RULE, buildWorker } from '../../examples/cloudflare-worker/build.mjs';
import { readWranglerConfig } from '../../examples/cloudflare-worker/wrangler-config.mjs';

export const EXAMPLE_DIR = fileURLToPath(new URL('../../examples/cloudflare-worker/', import.meta.url));
export const EXAMPLE_ENTRY = join(EXAMPLE_DIR, 'src/index.js');

/**
 * @param {{
 *   entry: string,
 *   bindings?: Record<string, string>,
 *   kvNamespaces?: string[],
 *   durableObjects?: Record<string, string | { className: string, useSQLite?: boolean }>,
 *   persistDir?: string,
 * }} options `durableObjects` defaults to the example's wrangler.toml for the example's
 *   entry; `persistDir` keeps the objects' storage (and alarms) on disk across restarts
 */
export async function startWorker({ entry, bindings = {}, kvNamespaces = [], durableObjects, persistDir }) {
  const config = readWranglerConfig();
  const outdir = mkdtempSync(join(tmpdir(), 'caspay-worker-'));
  const { script } = await buildWorker({ entry, outdir });
  /** @type {string[]} */
  const logs = [];
  const mf = new Miniflare({
    modules: true,
    scriptPath: script,
    // Module names are paths relative to this root; the bundle lives in a temp dir.
    modulesRoot: outdir,
    modulesRules: [COMPILED_WASM_RULE],
    compatibilityDate: config.compatibilityDate,
    bindings,
    kvNamespaces,
    durableObjects: durableObjects ?? (resolve(entry) === EXAMPLE_ENTRY ? config.durableObjects : {}),
    ...(persistDir === undefined ? {} : { durableObjectsPersist: persistDir }),
    host: '127.0.0.1',
    port: 0,
    handleRuntimeStdio(stdout, stderr) {
      for (const stream of [stdout, stderr]) createInterface({ input: stream }).on('line', (line) => logs.push(line));
    },
  });
  let url;
  try {
    url = await mf.ready;
  } catch (error) {
    rmSync(outdir, { recursive: true, force: true });
    throw new Error(`workerd did not start:\n${logs.join('\n')}`, { cause: error });
  }
  return {
    mf,
    url,
    logs,
    async dispose() {
      await mf.dispose();
      rmSync(outdir, { recursive: true, force: true });
    },
  };
}

/**
 * The example's ledger (examples/cloudflare-worker/src/ledger.js) in a running Worker: how
 * many times the work ran per idempotency key.
 * @param {import('miniflare').Miniflare} mf
 */
export async function ledgerOf(mf) {
  const namespace = await mf.getDurableObjectNamespace('LEDGER');
  const ledger = namespace.get(namespace.idFromName('orders'));
  return {
    /** @param {string} key @returns {Promise<{ times: number, type: string, amount: unknown, currency: string | null } | null>} */
    async get(key) {
      return /** @type {any} */ (await (await ledger.fetch(`https://ledger/orders?key=${encodeURIComponent(key)}`)).json());
    },
    /** @returns {Promise<Record<string, { times: number }>>} */
    async all() {
      return /** @type {any} */ (await (await ledger.fetch('https://ledger/orders')).json());
    },
  };
}

/**
 * Polls `check` until it returns something other than undefined, or fails after `timeoutMs`.
 * @template T
 * @param {() => Promise<T | undefined>} check
 * @param {string} what
 */
export async function eventually(check, what, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
