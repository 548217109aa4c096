// Bun and Deno (their npm packages, with their own binaries) run the README's quick starts:
// a fetch handler on the receiver, its inbox on a private PostgreSQL through `pg`, the
// package installed from the tarball and resolved by each runtime's own rules.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sampleEvent } from '../../pkg/src/node.js';
import { startPostgres } from '../support/postgres.mjs';
import { ORDERS_JS, SECRET, deliver, freePort, jsonbCopy, linesMatching, prepareApp, run, snippet, startServer } from './support.mjs';
import { rejections } from './rejections.mjs';

/** @type {Awaited<ReturnType<typeof startPostgres>>} */
let postgres;
/** @type {string} */
let app;
before(async () => {
  // Installing Bun and Deno is setup time, not the first runtime's.
  app = runtimesApp();
  postgres = await startPostgres();
});
after(() => postgres?.stop());

function runtimesApp() {
  // Bun's install script links its binary from the platform package.
  return prepareApp('runtimes', { dependencies: { bun: '^1.2.0', deno: '^2.4.0', pg: '^8.16.0' }, installScripts: true });
}

/** @type {{ name: string, command: (app: string, port: number) => [string, string[]] }[]} */
const RUNTIMES = [
  { name: 'bun', command: (app) => [join(app, 'node_modules/.bin/bun'), ['run', 'server.ts']] },
  {
    name: 'deno',
    command: (app, port) => [join(app, 'node_modules/.bin/deno'),
      ['serve', '--allow-net', '--allow-env', '--allow-read', '--host', '127.0.0.1', '--port', String(port), 'server.ts']],
  },
];

for (const runtime of RUNTIMES) {
  test(`README quick start on ${runtime.name}`, { timeout: 120_000 }, async (t) => {
    const version = run(join(app, `node_modules/.bin/${runtime.name}`), ['--version']).stdout.trim().split('\n')[0];
    t.diagnostic(version);
    const dir = join(app, 'run', runtime.name);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'server.ts'), snippet(runtime.name));
    writeFileSync(join(dir, 'orders.js'), ORDERS_JS);
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/webhooks/caspay`;
    const [command, args] = runtime.command(app, port);
    const server = await startServer(command, args, {
      cwd: dir,
      env: { CASPAY_WEBHOOK_SECRET: SECRET, PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: postgres.url, NO_COLOR: '1' },
      url: `http://127.0.0.1:${port}/`,
    });
    t.after(() => server.stop());

    const seed = runtime.name;
    const body = sampleEvent('payment.completed', 'a', { seed });
    assert.deepEqual(await deliver(url, body), { status: 200, json: { received: true } });
    assert.deepEqual(await deliver(url, body), { status: 200, json: { duplicate: true } });
    const flat = sampleEvent('payment.received', 'c', { seed: `${seed}flat`, created: 1_795_773_600 });
    assert.deepEqual(await deliver(url, flat), { status: 200, json: { received: true } });
    assert.deepEqual(await deliver(url, jsonbCopy(flat)), { status: 200, json: { duplicate: true } });
    await rejections(url);
    const runs = await linesMatching(server.output, /^orders: fulfil /, 2);
    assert.equal(runs.length, 2, server.output());
    assert.match(runs.join('\n'), new RegExp(`fulfil pay_${seed} 100000000000 evt_${seed}`));
  });
}
