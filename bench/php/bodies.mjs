// Writes the bodies the PHP benchmark sends, as JSON: the same two bodies every host of
// `make bench` measures (bench/measure.mjs: BODIES, SAMPLE_OPTIONS, SECRET) and, for the
// WordPress part, COUNT distinct shape-C deliveries signed with the test site's secret
// (each a new event: a copy would only measure the duplicate answer).
//   node bench/php/bodies.mjs OUT.json WORDPRESS_SECRET COUNT
import { writeFileSync } from 'node:fs';
import { sampleEvent, sign } from 'caspay-webhooks';
import { BODIES, SAMPLE_OPTIONS, SECRET } from '../measure.mjs';

const [out, wordpressSecret, count] = process.argv.slice(2);
const run = Date.now().toString(36);
const bodies = BODIES.map(({ label, type, shape }) => {
  const text = sampleEvent(type, shape, SAMPLE_OPTIONS);
  return { label, type, shape, text, bytes: Buffer.byteLength(text), signature: sign(text, SECRET) };
});
const deliveries = Array.from({ length: Number(count) }, (_, index) => {
  const text = sampleEvent('payment.received', 'c', { seed: `${run}${index}`, created: SAMPLE_OPTIONS.created });
  return { text, signature: sign(text, wordpressSecret) };
});
writeFileSync(out, JSON.stringify({ secret: SECRET, bodies, deliveries }));
