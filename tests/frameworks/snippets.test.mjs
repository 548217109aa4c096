// Every code block of pkg/README.md is type-checked under `strict`, as a merchant's project
// would compile it: ESM and CommonJS projects with `module`/`moduleResolution` node16 and
// nodenext, and a bundler project (Next.js's settings), against the package installed from
// the tarball, with its declarations checked too (`skipLibCheck: false`). The framework
// tests run the same snippets (next, servers, runtimes, bundlers).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ROOT, readmeSnippets, run } from './support.mjs';
import { nodeServersApp } from './node-servers.mjs';

/** Node servers' snippets: every project. */
const NODE = ['esm-nodenext', 'esm-node16', 'cjs-nodenext', 'cjs-node16', 'bundler'];
/** ESM only (top-level await). */
const ESM = ['esm-nodenext', 'esm-node16', 'bundler'];

/**
 * Where each snippet is checked, and as which file. JavaScript snippets are checked as
 * JavaScript (`checkJs`); in a CommonJS project, those written with `import` are ES modules,
 * `.mjs`, and TypeScript ones are compiled to `require` (the package's `.d.cts`).
 * @type {Record<string, { projects: string[], file: string }>}
 */
const SNIPPETS = {
  'next-node': { projects: ['bundler'], file: 'app/api/caspay/route.ts' },
  'next-edge': { projects: ['bundler'], file: 'app/api/caspay-edge/route.ts' },
  'next-pages': { projects: ['bundler'], file: 'pages/api/caspay.ts' },
  express: { projects: NODE, file: 'express.js' },
  fastify: { projects: NODE, file: 'fastify.js' },
  koa: { projects: NODE, file: 'koa.js' },
  hono: { projects: NODE, file: 'hono.js' },
  'node-http': { projects: NODE, file: 'node-http.js' },
  bun: { projects: NODE, file: 'bun.ts' },
  deno: { projects: NODE, file: 'deno.ts' },
  commonjs: { projects: ['cjs-nodenext', 'cjs-node16'], file: 'commonjs.js' },
  browser: { projects: ['bundler'], file: 'browser.js' },
  'idempotent-handler': { projects: NODE, file: 'idempotent-handler.js' },
  'test-delivery': { projects: ESM, file: 'test-delivery.js' },
};

/** The app's own modules the snippets import, as declarations. */
const STUBS = {
  'orders.ts': `import type { PaymentDetails, SubscriptionDetails } from 'caspay-webhooks';
export declare function fulfilOrder(payment: PaymentDetails, key: string): Promise<void>;
export declare function cancelSubscription(subscription: SubscriptionDetails, key: string): Promise<void>;
`,
  'db.ts': 'export declare const db: { query(text: string, values: unknown[]): Promise<unknown> };\n',
};
const NEXT_STUBS = {
  'lib/orders.ts': STUBS['orders.ts'],
  'lib/inbox-store.ts': "import type { InboxStore } from 'caspay-webhooks';\nexport declare const inboxStore: InboxStore;\n",
};

// skipLibCheck as `tsc --init` and create-next-app set it (some frameworks' own types do not
// pass without it); the package's declarations are checked without it below.
const COMMON = { target: 'es2022', strict: true, noEmit: true, allowJs: true, checkJs: true, skipLibCheck: true, types: ['node'] };
/** @type {Record<string, { type: 'module' | 'commonjs', compilerOptions: Record<string, unknown> }>} */
const PROJECTS = {
  'esm-nodenext': { type: 'module', compilerOptions: { ...COMMON, module: 'nodenext', moduleResolution: 'nodenext' } },
  'esm-node16': { type: 'module', compilerOptions: { ...COMMON, module: 'node16', moduleResolution: 'node16' } },
  'cjs-nodenext': { type: 'commonjs', compilerOptions: { ...COMMON, module: 'nodenext', moduleResolution: 'nodenext' } },
  'cjs-node16': { type: 'commonjs', compilerOptions: { ...COMMON, module: 'node16', moduleResolution: 'node16' } },
  // What create-next-app writes (and Vite's templates, give or take).
  bundler: {
    type: 'module',
    compilerOptions: { ...COMMON, lib: ['dom', 'dom.iterable', 'esnext'], module: 'esnext', moduleResolution: 'bundler', isolatedModules: true, paths: { '@/*': ['./*'] } },
  },
};

test('every code block of the README is a named snippet this test checks', () => {
  const text = readFileSync(join(ROOT, 'pkg/README.md'), 'utf8');
  const fences = [...text.matchAll(/(?:<!-- ([^\n]*) -->\n)?```(js|ts|javascript|typescript)\n/g)];
  const unmarked = fences.filter(([, marker]) => marker === undefined || !/^(snippet: |reference: )/.test(marker));
  assert.deepEqual(unmarked.map((m) => m.index), [], 'a js/ts block without <!-- snippet: NAME --> (or <!-- reference: … --> for a shape that is not code)');
  assert.deepEqual([...readmeSnippets().keys()].sort(), Object.keys(SNIPPETS).sort());
});

for (const [project, { type, compilerOptions }] of Object.entries(PROJECTS)) {
  test(`README snippets type-check in a ${project} project (strict)`, () => {
    const app = nodeServersApp();
    const dir = join(app, 'typecheck', project);
    rmSync(dir, { recursive: true, force: true });
    /** @type {Record<string, string>} */
    const files = { 'package.json': `${JSON.stringify({ type }, null, 2)}\n`, 'tsconfig.json': `${JSON.stringify({ compilerOptions }, null, 2)}\n`, ...STUBS };
    if (project === 'bundler') Object.assign(files, NEXT_STUBS);
    const snippets = readmeSnippets();
    for (const [name, { projects, file }] of Object.entries(SNIPPETS)) {
      if (!projects.includes(project)) continue;
      const code = /** @type {{ code: string }} */ (snippets.get(name)).code;
      const path = type === 'commonjs' && file.endsWith('.js') && name !== 'commonjs' ? file.replace(/\.js$/, '.mjs') : file;
      files[path] = code;
    }
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    run(join(app, 'node_modules/.bin/tsc'), ['-p', '.'], { cwd: dir });
  });
}

test('the Node.js declarations have no init; the browser ones (bundler resolution) do', () => {
  const app = nodeServersApp();
  const dir = join(app, 'typecheck', 'init');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { ...PROJECTS['esm-nodenext'].compilerOptions } }));
  writeFileSync(join(dir, 'node.ts'), "// @ts-expect-error the Node build loads the module on import\nimport { init } from 'caspay-webhooks';\nexport { init };\n");
  writeFileSync(join(dir, 'require.cts'), "import caspay = require('caspay-webhooks');\n// @ts-expect-error the CommonJS build's declarations (.d.cts) have no init either\ncaspay.init;\nexport const types = caspay.eventTypes;\n");
  run(join(app, 'node_modules/.bin/tsc'), ['-p', '.'], { cwd: dir });
});

test("the package's declarations compile without skipLibCheck, in every project", () => {
  const app = nodeServersApp();
  for (const [project, { type, compilerOptions }] of Object.entries(PROJECTS)) {
    const dir = join(app, 'typecheck', `declarations-${project}`);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ type })}\n`);
    // Only the package's declarations and what they need (the DOM's Request and Response),
    // not @types/node: checking that takes seconds per project and is not ours to check.
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { ...compilerOptions, skipLibCheck: false, skipDefaultLibCheck: true, types: [], lib: ['es2022', 'dom'] } }));
    // Every entry's declarations: the main one (Node, CommonJS or browser, by resolution),
    // the stores, and in ES modules the Durable Object entry (a Workers-only ES module).
    const esm = type === 'module';
    writeFileSync(join(dir, 'entries.ts'), [
      "import type { CasPayEvent, WebhookErrorStatus } from 'caspay-webhooks';",
      "import * as caspay from 'caspay-webhooks';",
      "import { SqliteStore } from 'caspay-webhooks/sqlite';",
      "import { PostgresStore } from 'caspay-webhooks/postgres';",
      esm ? "import type { InboxObjectClass } from 'caspay-webhooks/durable-object';" : '',
      `export type Checked = [CasPayEvent, WebhookErrorStatus, typeof caspay.createReceiver, SqliteStore, PostgresStore${esm ? ', InboxObjectClass<unknown>' : ''}];`,
      '',
    ].join('\n'));
    run(join(app, 'node_modules/.bin/tsc'), ['-p', '.'], { cwd: dir });
  }
});
