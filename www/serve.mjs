// Serves the playground on 127.0.0.1 (never on other interfaces): the static files in www/
// and the package's browser bundle, built in memory at start.
//   node www/serve.mjs [port]     (PORT env or argument; 0 or nothing picks a free port)
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildBrowser } from './build.mjs';

const WWW = fileURLToPath(new URL('.', import.meta.url));
const STATIC_FILES = new Set(['index.html', 'style.css', 'app.js', 'curl.js', 'event-view.js']);

/** @type {Record<string, string>} */
const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  // instantiateStreaming refuses any other type.
  '.wasm': 'application/wasm',
};

// The page needs nothing beyond its own origin: this policy is what guarantees that the
// secret typed into it cannot be sent anywhere ('wasm-unsafe-eval' lets it compile the core).
const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self'; img-src 'self' data:; style-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/**
 * @param {{ port?: number, mounts?: Record<string, string> }} [options] `mounts` maps extra
 *   URL prefixes (e.g. '/tests/vectors/') to directories, for the browser tests
 * @returns {Promise<{ url: string, close: () => Promise<void> }>}
 */
export async function startServer({ port = 0, mounts = {} } = {}) {
  const { files: bundle } = await buildBrowser({ outdir: join(WWW, 'dist'), write: false });

  /** @param {string} pathname @returns {Promise<{ body: Uint8Array | Buffer, type: string } | null>} */
  async function lookup(pathname) {
    const name = pathname === '/' ? 'index.html' : pathname.slice(1);
    if (STATIC_FILES.has(name)) return { body: await readFile(join(WWW, name)), type: TYPES[extname(name)] };
    if (name.startsWith('dist/') && bundle.has(name.slice(5))) {
      return { body: /** @type {Uint8Array} */ (bundle.get(name.slice(5))), type: TYPES[extname(name)] };
    }
    for (const [prefix, dir] of Object.entries(mounts)) {
      if (!pathname.startsWith(prefix)) continue;
      const root = resolve(dir);
      const file = resolve(root, decodeURIComponent(pathname.slice(prefix.length)));
      if (!file.startsWith(root + sep) || !(extname(file) in TYPES)) return null;
      try {
        return { body: await readFile(file), type: TYPES[extname(file)] };
      } catch {
        return null;
      }
    }
    return null;
  }

  const server = createServer(async (req, res) => {
    const { pathname } = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    const found = await lookup(pathname).catch(() => null);
    if (found === null) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, {
      'content-type': found.type,
      'content-security-policy': CSP,
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-store',
    });
    res.end(req.method === 'HEAD' ? undefined : found.body);
  });
  await new Promise((done) => server.listen(port, '127.0.0.1', () => done(undefined)));
  const address = /** @type {import('node:net').AddressInfo} */ (server.address());
  return {
    url: `http://127.0.0.1:${address.port}/`,
    close: () => new Promise((done) => {
      server.closeAllConnections();
      server.close(() => done(undefined));
    }),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const port = Number(process.argv[2] ?? process.env.PORT ?? 4173);
  const { url } = await startServer({ port });
  console.log(`CasPay webhook playground: ${url}  (Ctrl+C to stop)`);
}
