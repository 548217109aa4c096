// The README's Node.js quick starts run as they are written: each snippet is the server
// file of a small app (with an orders.js that prints what it is asked to do), started with
// `node server.js` on 127.0.0.1, sent signed deliveries, then stopped with SIGTERM, which
// its shutdown code must turn into a clean exit.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sampleEvent } from '../../pkg/src/node.js';
import { ORDERS_JS, SECRET, deliver, freePort, jsonbCopy, linesMatching, snippet, startServer } from './support.mjs';
import { rejections } from './rejections.mjs';
import { nodeServersApp } from './node-servers.mjs';

/** @type {string} */
let app;
// Installing the app compiles better-sqlite3 when the cache is cold (minutes on a busy
// machine): setup time, not the first server's.
before(() => { app = nodeServersApp(); });

for (const name of ['express', 'fastify', 'koa', 'hono', 'node-http']) {
  test(`README quick start: ${name}`, { timeout: 120_000 }, async (t) => {
    const dir = join(app, 'run', name);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'server.js'), snippet(name));
    writeFileSync(join(dir, 'orders.js'), ORDERS_JS);
    const data = mkdtempSync(join(tmpdir(), `caspay-${name}-`));
    t.after(() => rmSync(data, { recursive: true, force: true }));
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/webhooks/caspay`;
    const server = await startServer(process.execPath, ['server.js'], {
      cwd: dir,
      env: { CASPAY_WEBHOOK_SECRET: SECRET, PORT: String(port), HOST: '127.0.0.1', CASPAY_INBOX_FILE: join(data, 'inbox.db') },
      url: `http://127.0.0.1:${port}/`,
    });
    t.after(() => server.stop());

    const body = sampleEvent('payment.completed', 'a', { seed: name.replace(/\W/g, '') });
    assert.deepEqual(await deliver(url, body), { status: 200, json: { received: true } });
    assert.deepEqual(await deliver(url, body), { status: 200, json: { duplicate: true } });
    const flat = sampleEvent('payment.received', 'c', { seed: `${name.replace(/\W/g, '')}flat`, created: 1_795_773_600 });
    assert.deepEqual(await deliver(url, flat), { status: 200, json: { received: true } });
    assert.deepEqual(await deliver(url, jsonbCopy(flat)), { status: 200, json: { duplicate: true } });
    // Express, Fastify and Hono route POST only: their routers answer other methods with 404.
    await rejections(url, { methodNotAllowed: name === 'koa' || name === 'node-http' });
    // Background processing: each event's handler runs once, after its 200.
    const runs = await linesMatching(server.output, /^orders: fulfil /, 2);
    assert.equal(runs.length, 2, server.output());
    assert.match(runs.join('\n'), new RegExp(`fulfil pay_${name.replace(/\W/g, '')} 100000000000 evt_`));

    // SIGTERM: the snippet closes the server and stops the receiver; the process exits 0.
    const code = await server.terminate();
    assert.equal(code, 0, server.output());
  });
}
