// The shared vectors through the package's `require` entry (dist/node.cjs).
const { test } = require('node:test');
const api = require('caspay-webhooks');

const runners = import('./run-vectors.mjs');

test('require loads the CommonJS build', () => {
  if (!require.resolve('caspay-webhooks').endsWith('dist/node.cjs')) throw new Error(require.resolve('caspay-webhooks'));
});
test('signature vectors (require)', async () => (await runners).runSignatureVectors(api));
test('parse vectors (require)', async () => (await runners).runParseVectors(api));
test('construct vectors (require)', async () => (await runners).runConstructVectors(api));
