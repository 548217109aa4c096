// The shared vectors through the package's `import` entry (exports map, node condition).
import { test } from 'node:test';
import * as api from 'caspay-webhooks';
import { assertVectorsPass } from './vectors.mjs';

test('shared vectors (import)', () => assertVectorsPass(api));
