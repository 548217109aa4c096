// The shared vectors through the package's `require` entry (dist/node.cjs).
const { test } = require('node:test');
const assert = require('node:assert/strict');
const api = require('caspay-webhooks');

test('require loads the CommonJS build', () => {
  assert.match(require.resolve('caspay-webhooks'), /dist[/\\]node\.cjs$/);
});
test('shared vectors (require)', async () => (await import('./vectors.mjs')).assertVectorsPass(api));
