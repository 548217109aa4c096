// The shared vectors through the package's `import` entry (exports map, node condition).
import { test } from 'node:test';
import * as api from 'caspay-webhooks';
import { runConstructVectors, runParseVectors, runSignatureVectors } from './run-vectors.mjs';

test('signature vectors (import)', () => runSignatureVectors(api));
test('parse vectors (import)', () => runParseVectors(api));
test('construct vectors (import)', () => runConstructVectors(api));
