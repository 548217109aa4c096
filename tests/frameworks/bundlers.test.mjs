// The README's browser snippet bundled by Vite, webpack, esbuild and Rollup as each does it
// without configuration (Rollup with only the plugin that lets it read node_modules), the
// package installed from the tarball; each page then runs in Chromium. Vite and webpack
// take the default browser build (`await init()` fetches the `.wasm` they emit); esbuild
// and Rollup, which do not emit `.wasm` files, take `caspay-webhooks/embedded`, as the
// README says.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createReadStream, existsSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { once } from 'node:events';
import { extname, join, normalize } from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { launchChromium } from '../browser/browser.mjs';
import { filesUnder, prepareApp, run, snippet } from './support.mjs';

/** @type {string} */
let app;
/** @type {Awaited<ReturnType<typeof launchChromium>>} */
let browser;

before(async () => {
  app = prepareApp('bundlers', {
    dependencies: { vite: '^8.0.0', webpack: '^5.100.0', esbuild: '^0.28.0', rollup: '^4.50.0', '@rollup/plugin-node-resolve': '^16.0.0' },
  });
  const code = snippet('browser');
  const embedded = code.replace("from 'caspay-webhooks';", "from 'caspay-webhooks/embedded';");
  assert.notEqual(embedded, code);
  writeFileSync(join(app, 'main.js'), code);
  writeFileSync(join(app, 'main-embedded.js'), embedded);
  writeFileSync(join(app, 'index.html'), '<!doctype html><html><body><script type="module" src="/main.js"></script></body></html>\n');
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
});

/**
 * Serves a build's output folder on 127.0.0.1, opens its index.html and waits for the
 * snippet's line (`payment.completed evt_…`); no error and no failed request allowed.
 * @param {string} outdir
 */
async function runInChromium(outdir) {
  const server = await serveStatic(join(app, outdir));
  const page = await browser.context.newPage();
  /** @type {string[]} */
  const errors = [];
  /** @type {string[]} */
  const lines = [];
  page.on('pageerror', (error) => errors.push(String(error)));
  page.on('console', (message) => (message.type() === 'error' ? errors : lines).push(message.text()));
  try {
    await page.goto(`${server.url}/index.html`);
    const deadline = Date.now() + 15_000;
    while (!lines.some((line) => /^payment\.completed evt_\w+$/.test(line)) && errors.length === 0 && Date.now() < deadline) {
      await page.waitForTimeout(50);
    }
    assert.deepEqual(errors, []);
    assert.ok(lines.some((line) => /^payment\.completed evt_\w+$/.test(line)), `no line from the snippet: ${JSON.stringify(lines)}`);
  } finally {
    await page.close();
    await server.close();
  }
}

/**
 * @param {import('node:test').TestContext} t
 * @param {string} outdir
 */
function sizes(t, outdir) {
  const files = filesUnder(join(app, outdir)).filter((file) => /\.(js|wasm)$/.test(file));
  const total = files.reduce((sum, file) => sum + statSync(join(app, outdir, file)).size, 0);
  t.diagnostic(`${outdir}: ${files.map((file) => `${file} ${statSync(join(app, outdir, file)).size} B`).join(', ')}; total ${total} B`);
  return files;
}

test('Vite: vite build, the .wasm emitted as an asset and fetched by init()', { timeout: 180_000 }, async (t) => {
  rmSync(join(app, 'dist-vite'), { recursive: true, force: true });
  run(join(app, 'node_modules/.bin/vite'), ['build', '--outDir', 'dist-vite', '--logLevel', 'warn'], { cwd: app });
  const files = sizes(t, 'dist-vite');
  assert.ok(files.some((file) => file.endsWith('.wasm')), files.join(', '));
  await runInChromium('dist-vite');
});

test('webpack 5: no configuration, the .wasm emitted as an asset and fetched by init()', { timeout: 180_000 }, async (t) => {
  rmSync(join(app, 'dist-webpack'), { recursive: true, force: true });
  // The app's own webpack, as its CLI would load it.
  const { default: webpack } = await import(pathToFileURL(createRequire(join(app, 'package.json')).resolve('webpack')).href);
  /** @type {any} */
  const stats = await new Promise((resolve, reject) => {
    webpack({ mode: 'production', context: app, entry: './main.js', output: { path: join(app, 'dist-webpack') } }, (/** @type {Error | null} */ error, /** @type {any} */ result) => (error ? reject(error) : resolve(result)));
  });
  assert.equal(stats.hasErrors(), false, stats.toString('errors-only'));
  const files = sizes(t, 'dist-webpack');
  assert.ok(files.some((file) => file.endsWith('.wasm')), files.join(', '));
  writeFileSync(join(app, 'dist-webpack/index.html'), '<!doctype html><html><body><script src="main.js"></script></body></html>\n');
  await runInChromium('dist-webpack');
});

test('esbuild: caspay-webhooks/embedded, one self-contained file', { timeout: 120_000 }, async (t) => {
  rmSync(join(app, 'dist-esbuild'), { recursive: true, force: true });
  run(join(app, 'node_modules/.bin/esbuild'), ['main-embedded.js', '--bundle', '--format=esm', '--minify', '--outfile=dist-esbuild/main.js', '--log-level=warning'], { cwd: app });
  assert.deepEqual(sizes(t, 'dist-esbuild'), ['main.js']);
  writeFileSync(join(app, 'dist-esbuild/index.html'), '<!doctype html><html><body><script type="module" src="main.js"></script></body></html>\n');
  await runInChromium('dist-esbuild');
});

test('Rollup: caspay-webhooks/embedded with @rollup/plugin-node-resolve, one self-contained file', { timeout: 120_000 }, async (t) => {
  rmSync(join(app, 'dist-rollup'), { recursive: true, force: true });
  run(join(app, 'node_modules/.bin/rollup'), ['main-embedded.js', '--format', 'es', '--file', 'dist-rollup/main.js', '--plugin', '@rollup/plugin-node-resolve', '--silent'], { cwd: app });
  assert.deepEqual(sizes(t, 'dist-rollup'), ['main.js']);
  writeFileSync(join(app, 'dist-rollup/index.html'), '<!doctype html><html><body><script type="module" src="main.js"></script></body></html>\n');
  await runInChromium('dist-rollup');
});

/**
 * Serves `root` on 127.0.0.1 with the content types a browser needs (application/wasm for
 * streaming compilation).
 * @param {string} root
 */
async function serveStatic(root) {
  /** @type {Record<string, string>} */
  const types = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm', '.css': 'text/css' };
  const httpServer = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    const file = join(root, path);
    if (path === '/favicon.ico') {
      res.writeHead(204).end();
      return;
    }
    if (!file.startsWith(root) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(res);
  }).listen(0, '127.0.0.1');
  await once(httpServer, 'listening');
  const { port } = /** @type {import('node:net').AddressInfo} */ (httpServer.address());
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => {
      httpServer.close(() => resolve(undefined));
      // Chromium keeps its connections alive; close() alone waits for them.
      httpServer.closeAllConnections();
    }) };
}
