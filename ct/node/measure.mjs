// Timing samples of the npm package's signature check in Node, for `make ct`
// (ct/analyze.mjs reads them). Usage: node ct/node/measure.mjs SAMPLES_PER_CLASS OUT_DIR
//
// Real: `Webhook.verifySignature` on the built package (pkg/, WebAssembly), with the body as
// a Buffer and the signature as the header text, exactly as a receiver calls it; a mismatch
// throws, so it is caught. Control: the package's own HMAC (`Webhook.sign`), then an
// early-exit loop over the 64 hex characters in JavaScript. Timer: process.hrtime.bigint().
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Webhook } from '../../pkg/src/node.js';

const [perClassArg, outDir] = process.argv.slice(2);
const perClass = Number(perClassArg);
if (!Number.isInteger(perClass) || perClass <= 0 || !outDir) {
  console.error('usage: node ct/node/measure.mjs SAMPLES_PER_CLASS OUT_DIR');
  process.exit(2);
}
const inputs = JSON.parse(readFileSync(new URL('../inputs.json', import.meta.url), 'utf8'));
const body = Buffer.from(inputs.body, 'utf8');
const webhook = new Webhook(inputs.secret);

const good = Buffer.from(webhook.sign(body), 'hex');
const flipped = (at) => {
  const digest = Buffer.from(good);
  digest[at] ^= 0x11;
  return digest.toString('hex');
};
// Equal, first byte different, last byte different, and first byte different again: that
// A/A pair has nothing to tell apart, so any |t| it shows is the harness's own noise.
const signatures = [good.toString('hex'), flipped(0), flipped(31), flipped(0)];
/** Where each class changes the digest (-1: nowhere). */
const flipAt = [-1, 0, 31, 0];

/** @param {string} signature */
function real(signature) {
  try {
    webhook.verifySignature(body, signature);
    return true;
  } catch {
    return false;
  }
}

/** The known-leaky control: returns at the first differing character. */
function control(signature) {
  const expected = webhook.sign(body);
  if (expected.length !== signature.length) return false;
  for (let i = 0; i < expected.length; i++) {
    if (expected.charCodeAt(i) !== signature.charCodeAt(i)) return false;
  }
  return true;
}

if (!real(signatures[0]) || real(signatures[1]) || !control(signatures[0]) || control(signatures[2])) {
  throw new Error('ct: the classes do not give the expected outcomes');
}

/** `perClass` of each class in a random order (crypto-quality order is not needed). */
function schedule() {
  const classes = new Uint8Array(signatures.length * perClass);
  for (let i = 0; i < classes.length; i++) classes[i] = i % signatures.length;
  for (let i = classes.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [classes[i], classes[j]] = [classes[j], classes[i]];
  }
  return classes;
}

const scratch = Buffer.alloc(good.length);
let sink = 0;
function measure(check) {
  for (let i = 0; i < 50_000; i++) sink += check(signatures[i % signatures.length]) ? 1 : 0;
  const classes = schedule();
  const samples = new Uint32Array(classes.length);
  for (let i = 0; i < classes.length; i++) {
    const cls = classes[i];
    // A new string per call, as each request brings its own header, built from one
    // scratch buffer the same way for every class: one fixed string (or source buffer) per
    // class lets the class decide which memory is touched, and that alone moves timings
    // (A/A |t| 6-10 at 10^6 per class with a source buffer per class).
    good.copy(scratch);
    if (flipAt[cls] >= 0) scratch[flipAt[cls]] ^= 0x11;
    const signature = scratch.toString('hex');
    const start = process.hrtime.bigint();
    sink += check(signature) ? 1 : 0;
    const elapsed = Number(process.hrtime.bigint() - start);
    samples[i] = ((cls << 30) | Math.min(elapsed, 0x3fffffff)) >>> 0;
  }
  return Buffer.from(samples.buffer);
}

writeFileSync(join(outDir, 'node-real.u32'), measure(real));
writeFileSync(join(outDir, 'node-control.u32'), measure(control));
writeFileSync(
  join(outDir, 'node.json'),
  JSON.stringify({
    host: 'npm package, Node',
    runtime: `Node ${process.version}, WebAssembly`,
    unit: 'ns',
    real: 'Webhook.verifySignature (throws on a mismatch)',
    control: 'same HMAC (Webhook.sign), then an early-exit loop over the hex characters',
    sink,
  }),
);
