// Bundles the package's browser build (www/caspay.js) for the playground: one ES module
// plus the `.wasm` file beside it. `node www/serve.mjs` builds it in memory on start;
//   node www/build.mjs [outdir]   writes it to disk (default www/dist/).
import * as esbuild from 'esbuild';
import { fileURLToPath } from 'node:url';

export const BUNDLE_NAME = 'caspay-webhooks';

/**
 * @param {{ outdir: string, write?: boolean }} options
 * @returns {Promise<{ files: Map<string, Uint8Array>, metafile: esbuild.Metafile }>} output
 *   file names (relative to outdir) and their bytes
 */
export async function buildBrowser({ outdir, write = true }) {
  const result = await esbuild.build({
    entryPoints: { [BUNDLE_NAME]: fileURLToPath(new URL('caspay.js', import.meta.url)) },
    outdir,
    write: false,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    conditions: ['browser'],
    loader: { '.wasm': 'file' },
    assetNames: '[name]',
    metafile: true,
    logLevel: 'silent',
  });
  /** @type {Map<string, Uint8Array>} */
  const files = new Map();
  for (const file of result.outputFiles) {
    files.set(file.path.slice(outdir.replace(/\/$/, '').length + 1), file.contents);
  }
  if (write) {
    const { mkdirSync, writeFileSync } = await import('node:fs');
    mkdirSync(outdir, { recursive: true });
    for (const file of result.outputFiles) writeFileSync(file.path, file.contents);
  }
  return { files, metafile: result.metafile };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { resolve } = await import('node:path');
  const outdir = resolve(process.argv[2] ?? fileURLToPath(new URL('dist/', import.meta.url)));
  const { files } = await buildBrowser({ outdir });
  console.log(`built ${[...files.keys()].map((name) => `${outdir}/${name}`).join(', ')}`);
}
