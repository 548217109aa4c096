// Next.js apps built and started as a merchant runs them: Next.js 15 (webpack, its default),
// Next.js 16 (Turbopack, its default) and Next.js 16 with `--webpack`, each with the
// README's Node.js route handler (PostgresStore on a private PostgreSQL, in-request
// processing), the README's edge route handler, and middleware importing the package;
// `next build`, then `next start` on 127.0.0.1, then signed deliveries. Next.js 15's
// `next dev` serves the same routes. The builds run one at a time (they are heavy).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sampleEvent, sign } from '../../pkg/src/node.js';
import { startPostgres } from '../support/postgres.mjs';
import { SECRET, deliver, freePort, jsonbCopy, linesMatching, prepareApp, run, snippet, startServer } from './support.mjs';
import { rejections } from './rejections.mjs';

/** @type {Awaited<ReturnType<typeof startPostgres>>} */
let postgres;
before(async () => { postgres = await startPostgres(); });
after(() => postgres?.stop());

const VARIANTS = [
  { name: 'next15', next: '~15.5.0', buildArgs: [], bundler: 'webpack', dev: true },
  { name: 'next16', next: '^16.0.0', buildArgs: [], bundler: 'Turbopack', dev: false },
  { name: 'next16-webpack', next: '^16.0.0', buildArgs: ['--webpack'], bundler: 'webpack', dev: false },
];

/** @param {string} name */
function nextApp(name, /** @type {string} */ next) {
  return prepareApp(name, {
    dependencies: {
      next, react: '^19.1.0', 'react-dom': '^19.1.0', pg: '^8.16.0',
      typescript: '^5.9.0', '@types/react': '^19.1.0', '@types/node': '^20.19.0',
    },
    template: 'next-app',
    // The README's route handlers, as a merchant pastes them.
    files: {
      'app/api/caspay/route.ts': snippet('next-node'),
      'app/api/caspay-edge/route.ts': snippet('next-edge'),
      'pages/api/caspay-pages.ts': snippet('next-pages'),
    },
    buildCaches: ['.next'],
  });
}

const ENV = { CASPAY_WEBHOOK_SECRET: SECRET, NEXT_TELEMETRY_DISABLED: '1' };

for (const variant of VARIANTS) {
  test(`Next.js ${variant.name} (${variant.bundler}): next build, next start, deliveries`, { timeout: 900_000 }, async (t) => {
    const dir = nextApp(variant.name, variant.next);
    const build = run('node_modules/.bin/next', ['build', ...variant.buildArgs], { cwd: dir, env: ENV });
    t.diagnostic(`next build ${variant.buildArgs.join(' ')}: ${(build.ms / 1000).toFixed(1)} s`);
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const server = await startServer('node_modules/.bin/next', ['start', '-H', '127.0.0.1', '-p', String(port)], {
      cwd: dir, env: { ...ENV, DATABASE_URL: postgres.url }, url: base,
    });
    t.after(() => server.stop());
    await checkRoutes(t, base, variant.name, server.output);
  });
}

test('Next.js 15 next dev (webpack) serves the same routes', { timeout: 600_000 }, async (t) => {
  const dir = nextApp('next15', '~15.5.0');
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const server = await startServer('node_modules/.bin/next', ['dev', '-H', '127.0.0.1', '-p', String(port)], {
    cwd: dir, env: { ...ENV, DATABASE_URL: postgres.url }, url: base, timeoutMs: 120_000,
  });
  t.after(() => server.stop());
  for (const [path, runtime] of [['/api/caspay', 'nodejs'], ['/api/caspay-edge', 'edge']]) {
    const body = sampleEvent('payment.completed', 'a', { seed: `dev${runtime}` });
    assert.deepEqual(await deliver(base + path, body), { status: 200, json: { received: true } }, server.output());
    const lines = await linesMatching(server.output, new RegExp(`orders: fulfil pay_dev${runtime} .*\\(${runtime}\\)`), 1);
    assert.equal(lines.length, 1, server.output());
  }
  const probe = await deliver(`${base}/api/middleware-probe`, sampleEvent('invoice.paid', 'a', { seed: 'devmw' }));
  assert.deepEqual([probe.status, probe.json.type, probe.json.runtime], [200, 'invoice.paid', 'edge']);
});

/**
 * @param {import('node:test').TestContext} t
 * @param {string} base
 * @param {string} seed makes this app's events its own (the database is shared)
 * @param {() => string} output the server's output so far
 */
async function checkRoutes(t, base, seed, output) {
  const tag = seed.replace(/\W/g, '');
  await t.test('Node.js route (README snippet, PostgresStore, in-request): accepted once, copies are duplicates', async () => {
    const url = `${base}/api/caspay`;
    const body = sampleEvent('payment.completed', 'a', { seed: `${tag}node` });
    assert.deepEqual(await deliver(url, body), { status: 200, json: { received: true } });
    assert.deepEqual(await deliver(url, body), { status: 200, json: { duplicate: true } });
    // Shape C has no id: the copy CasPay re-sends from its jsonb row has other bytes, same key.
    const flat = sampleEvent('payment.received', 'c', { seed: `${tag}flat`, created: 1_795_773_600 });
    assert.deepEqual(await deliver(url, flat), { status: 200, json: { received: true } });
    assert.deepEqual(await deliver(url, jsonbCopy(flat)), { status: 200, json: { duplicate: true } });
    // The canonical kind's handler receives the other spelling.
    const cancelled = sampleEvent('subscription.cancelled', 'b', { seed: `${tag}sub` });
    assert.deepEqual(await deliver(url, cancelled), { status: 200, json: { received: true } });
    // Handlers ran before each 200, once per event.
    assert.equal((await linesMatching(output, new RegExp(`orders: fulfil pay_${tag}node 100000000000 evt_${tag}node \\(nodejs\\)`), 1)).length, 1);
    assert.equal((await linesMatching(output, new RegExp(`orders: fulfil pay_${tag}flat 100000000000 sha256:`), 1)).length, 1);
    assert.equal((await linesMatching(output, new RegExp(`orders: cancel sub_${tag}sub evt_${tag}sub`), 1)).length, 1);
    await rejections(url);
  });

  await t.test('pages router API route (README snippet, bodyParser off): accepted once, copies are duplicates', async () => {
    const url = `${base}/api/caspay-pages`;
    const flat = sampleEvent('payment.received', 'c', { seed: `${tag}pages`, created: 1_795_773_600 });
    assert.deepEqual(await deliver(url, flat), { status: 200, json: { received: true } });
    assert.deepEqual(await deliver(url, jsonbCopy(flat)), { status: 200, json: { duplicate: true } });
    assert.equal((await linesMatching(output, new RegExp(`orders: fulfil pay_${tag}pages 100000000000 sha256:`), 1)).length, 1);
    await rejections(url);
  });

  await t.test('edge route (README snippet, edge-light build): accepted once, rejections with their codes', async () => {
    const url = `${base}/api/caspay-edge`;
    const body = sampleEvent('payment.completed', 'a', { seed: `${tag}edge` });
    assert.deepEqual(await deliver(url, body), { status: 200, json: { received: true } });
    assert.deepEqual(await deliver(url, body), { status: 200, json: { duplicate: true } });
    assert.equal((await linesMatching(output, new RegExp(`orders: fulfil pay_${tag}edge 100000000000 evt_${tag}edge \\(edge\\)`), 1)).length, 1);
    await rejections(url);
  });

  await t.test('middleware (edge runtime) imports the package and verifies', async () => {
    const url = `${base}/api/middleware-probe`;
    const body = sampleEvent('invoice.paid', 'a', { seed: `${tag}mw` });
    const ok = await deliver(url, body);
    assert.deepEqual(ok, { status: 200, json: { type: 'invoice.paid', key: `evt_${tag}mw`, knownTypes: 21, runtime: 'edge' } });
    assert.deepEqual(await deliver(url, body.replace('invoice', 'invoicE'), { signature: sign(body, SECRET) }), { status: 401, json: { error: 'signature_mismatch' } });
  });
}
