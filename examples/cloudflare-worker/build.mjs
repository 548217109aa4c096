// Bundles a module Worker the way `wrangler deploy` does, for running it on workerd
// (through miniflare) without wrangler: esbuild with the Workers export conditions, and every
// `.wasm` import left as an import of a file next to the bundle, which the runtime loads as a
// compiled WebAssembly.Module (the `CompiledWasm` module rule in wrangler.toml / miniflare).
//   node examples/cloudflare-worker/build.mjs [entry] [outdir]
import * as esbuild from 'esbuild';
import { fileURLToPath } from 'node:url';

/** The export conditions wrangler resolves packages with. */
export const WORKER_CONDITIONS = ['workerd', 'worker', 'browser'];

/** The module rule that turns a `.wasm` import into a WebAssembly.Module on workerd. */
export const COMPILED_WASM_RULE = { type: /** @type {const} */ ('CompiledWasm'), include: ['**/*.wasm'] };

/**
 * @param {{ entry: string, outdir: string, write?: boolean }} options
 * @returns {Promise<{ script: string, wasm: string[], outputs: esbuild.OutputFile[] | undefined, metafile: esbuild.Metafile }>}
 */
export async function buildWorker({ entry, outdir, write = true }) {
  const result = await esbuild.build({
    entryPoints: { worker: entry },
    outdir,
    write,
    bundle: true,
    format: 'esm',
    // `neutral` keeps Node's built-ins unresolved, so any stray `node:` import fails the
    // build (the Worker runs without nodejs_compat) instead of being silently shimmed.
    platform: 'neutral',
    target: 'es2022',
    conditions: WORKER_CONDITIONS,
    mainFields: ['module', 'main'],
    // `copy` keeps `import module from './x.wasm'` as a real import of a file copied next to
    // the bundle; workerd then hands the compiled module to the package's entry.
    loader: { '.wasm': 'copy', '.json': 'json' },
    assetNames: '[name]',
    metafile: true,
    logLevel: 'silent',
  });
  const outputs = Object.keys(result.metafile.outputs);
  const script = outputs.find((path) => path.endsWith('worker.js'));
  if (script === undefined) throw new Error('esbuild produced no worker.js');
  return { script, wasm: outputs.filter((path) => path.endsWith('.wasm')), outputs: result.outputFiles, metafile: result.metafile };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const here = new URL('.', import.meta.url);
  const entry = process.argv[2] ?? fileURLToPath(new URL('src/index.js', here));
  const outdir = process.argv[3] ?? fileURLToPath(new URL('dist/', here));
  const { script, wasm } = await buildWorker({ entry, outdir });
  console.log(`built ${script} (+ ${wasm.join(', ')})`);
}
