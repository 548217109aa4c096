// One cold start in a process of its own, for bench/node/run.mjs: `node cold-start.mjs MODE`
// prints the milliseconds MODE took (the package's mode also prints its import's share).
// A file rather than `node -e`, so Node's module loader is already running when the clock
// starts, as it is for a merchant's own entry file, and only what MODE does is timed.
import { readFileSync } from 'node:fs';

const { BODY = '', SIGNATURE = '', SECRET = '' } = process.env;
const wasmBytes = readFileSync(new URL('../../pkg/wasm/caspay_webhooks_bg.wasm', import.meta.url));

/** @type {Record<string, () => Promise<number[]>>} */
const modes = {
  // What a merchant's process does on its first delivery: import, then constructEvent.
  async package() {
    const start = performance.now();
    const { constructEvent } = await import('caspay-webhooks');
    const imported = performance.now();
    constructEvent(BODY, SIGNATURE, SECRET);
    return [performance.now() - start, imported - start];
  },
  // The same by hand.
  async crypto() {
    const start = performance.now();
    const { createHmac, timingSafeEqual } = await import('node:crypto');
    const mac = createHmac('sha256', SECRET).update(BODY).digest();
    if (!timingSafeEqual(mac, Buffer.from(SIGNATURE, 'hex'))) throw new Error('bad signature');
    JSON.parse(BODY);
    return [performance.now() - start];
  },
  // What no packaging can avoid: V8 decoding and instantiating the module's bytes (with
  // Node's default, its functions are compiled lazily, each on its first call).
  async compile() {
    const start = performance.now();
    const module = new WebAssembly.Module(wasmBytes);
    const imports = Object.fromEntries(WebAssembly.Module.imports(module).map(({ module: name }) => [name, new Proxy({}, { get: () => () => {} })]));
    new WebAssembly.Instance(module, imports);
    return [performance.now() - start];
  },
};

const mode = modes[process.argv[2] ?? ''];
if (mode === undefined) throw new Error(`usage: node cold-start.mjs ${Object.keys(modes).join('|')}`);
console.log((await mode()).join(' '));
