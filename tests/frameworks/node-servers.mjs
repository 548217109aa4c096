// The app the README's Node.js snippets run and are type-checked in: the servers they use,
// the stores' drivers, TypeScript and the types a merchant's project has, and the package
// from the tarball.
import { prepareApp } from './support.mjs';

export function nodeServersApp() {
  return prepareApp('node-servers', {
    dependencies: {
      express: '^5.1.0', fastify: '^5.4.0', koa: '^3.0.0', hono: '^4.8.0', '@hono/node-server': '^1.19.0',
      // Built from source on the first install (about two minutes): its prebuilt binaries
      // are not reachable from here.
      'better-sqlite3': '12.11.1', pg: '^8.16.0',
      typescript: '^5.9.0', '@types/node': '^20.19.0', '@types/express': '^5.0.0', '@types/koa': '^3.0.0',
    },
    installScripts: true,
  });
}
