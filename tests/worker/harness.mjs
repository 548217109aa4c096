// Starts a Worker on the real workerd (through miniflare) on 127.0.0.1, from the same
// esbuild bundle wrangler would deploy, and collects the Worker's console lines.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Miniflare } from 'miniflare';
import { COMPILED_WASM_RULE, buildWorker } from '../../examples/cloudflare-worker/build.mjs';

export const EXAMPLE_DIR = fileURLToPath(new URL('../../examples/cloudflare-worker/', import.meta.url));

/** The compatibility date the example deploys with, so the test runs what ships. */
export function compatibilityDate() {
  const toml = readFileSync(join(EXAMPLE_DIR, 'wrangler.toml'), 'utf8');
  const match = /^compatibility_date\s*=\s*"([\d-]+)"/m.exec(toml);
  if (match === null) throw new Error('wrangler.toml has no compatibility_date');
  return match[1];
}

/**
 * @param {{ entry: string, bindings?: Record<string, string>, kvNamespaces?: string[] }} options
 */
export async function startWorker({ entry, bindings = {}, kvNamespaces = [] }) {
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
    compatibilityDate: compatibilityDate(),
    bindings,
    kvNamespaces,
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
