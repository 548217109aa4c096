// The differential fuzzer's cases: seeded random and structured mutations of the shared
// vectors' bodies, plus hostile inputs (numbers at and beyond the float range, deep
// nesting, duplicate keys, invalid UTF-8, lone surrogates, bodies at and over the size
// limit), each with a signature that is usually valid (so the parser behind it is reached)
// and sometimes not. Deterministic from the seed; signed with node:crypto, never with the
// code under test.
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { random } from '../load/deliveries.mjs';

const SECRETS = ['whsec_DiffCurrentDiffCurrentDiffCurr', 'whsec_DiffPreviousDiffPreviousDiffPr'];
const VECTORS = new URL('../vectors/', import.meta.url);

const HOSTILE_NUMBERS = [
  '1e400', '-1e400', '1e-400', '-1e-400', '-0', '-0.0', '0e0', '0.000', '9007199254740991', '9007199254740992',
  '-9007199254740993', '1.7976931348623157e308', '1.7976931348623158e308', '1.797693134862315808e308',
  '0.1797693134862315808e309', '1e1000000000000000000000', '1E-1000000000000000000000', '123456789012345678901234567890',
  '1.5E+3', '12.50', '1e-7', '0.0000000001', '100000000000', '1e21', '1e+21', '0.1', '5e-324', '2.2250738585072014e-308',
];
const HOSTILE_AMOUNTS = [...HOSTILE_NUMBERS, '"12.5"', '"1e-7"', '"007"', '"-1"', '" 1"', '"1 "', '""', '"ten"', 'true', 'null', '[1]', '{"v":1}', '"1.0000000001"', `"${'9'.repeat(155)}"`, '1' + '0'.repeat(155)];
const HOSTILE_STRINGS = ['"\\ud800"', '"\\udc00\\ud800"', '"\\ud83d\\ude80"', '"caf\\u00e9"', '"é"', '"\\u0000"', '"\\/"', '"a\\"b"', '"\\x41"', '"\\u00"', '""'];
const BYTE_ALPHABET = '{}[]":,0123456789.eE+-\\ untfalsr';

/**
 * @param {{ seed?: number, count?: number }} [options]
 * @returns {import('./host.js').Case[]}
 */
export function buildCases({ seed = 20261128, count = 3000 } = {}) {
  const rand = random(seed);
  const pick = (/** @type {any[]} */ list) => list[Math.floor(rand() * list.length)];
  const bases = baseBodies();
  /** @type {import('./host.js').Case[]} */
  const cases = [];
  // Every base body once, as it is; a few padded to just under, at and over the default
  // size limit (256 KiB), in a string or as many numbers.
  for (const body of bases) cases.push(signed(body, rand));
  for (let i = 0; i < 12; i++) cases.push(signed(padded(pick(bases), 262144 + (i % 3) - 1, i % 2 === 0), rand));
  while (cases.length < count) {
    const base = pick(bases);
    const mutation = pick(MUTATIONS);
    const body = mutation(base, rand, pick);
    const entry = signed(body, rand);
    if (rand() < 0.08) {
      // Around the size limit: the limit set to the body's length, one byte less or more.
      entry.options.maxPayloadBytes = Math.max(1, body.length + Math.floor(rand() * 3) - 1);
    }
    if (rand() < 0.05) Object.assign(entry.options, { toleranceSeconds: Math.floor(rand() * 1000), now: 1795773600 + Math.floor(rand() * 2000) - 1000 });
    cases.push(entry);
  }
  return cases;
}

/** The bodies of the shared vectors (every shape, every type, every edge case). */
function baseBodies() {
  const load = (/** @type {string} */ name) => JSON.parse(readFileSync(new URL(name, VECTORS), 'utf8')).cases;
  /** @type {Buffer[]} */
  const bodies = [];
  for (const c of [...load('parse.json'), ...load('construct.json')]) {
    if (c.body.repeat !== undefined) continue;
    bodies.push(c.body.utf8 !== undefined ? Buffer.from(c.body.utf8, 'utf8') : Buffer.from(c.body.hex, 'hex'));
  }
  return bodies;
}

/**
 * @param {Buffer} body
 * @param {() => number} rand
 * @returns {import('./host.js').Case}
 */
function signed(body, rand) {
  const secret = rand() < 0.8 ? SECRETS[0] : SECRETS[1];
  let signature = createHmac('sha256', secret).update(body).digest('hex');
  const roll = rand();
  if (roll < 0.03) signature = 'test_signature';
  else if (roll < 0.05) signature = signature.toUpperCase();
  else if (roll < 0.07) signature = ` sha256=${signature}\t`;
  else if (roll < 0.09) signature = signature.slice(0, 63);
  else if (roll < 0.11) signature = createHmac('sha256', 'whsec_wrong').update(body).digest('hex');
  else if (roll < 0.12) signature = '';
  return { body: body.toString('hex'), signature, secrets: SECRETS, options: {} };
}

/** @typedef {(base: Buffer, rand: () => number, pick: (list: any[]) => any) => Buffer} Mutation */

/** @type {Mutation[]} */
const MUTATIONS = [
  // Byte level: replace, insert or delete a byte from JSON's alphabet or any byte.
  (base, rand, pick) => {
    const bytes = Buffer.from(base);
    const at = Math.floor(rand() * Math.max(1, bytes.length));
    const byte = rand() < 0.8 ? pick([...BYTE_ALPHABET]).charCodeAt(0) : Math.floor(rand() * 256);
    const op = rand();
    if (op < 0.4 && bytes.length > 0) { bytes[at] = byte; return bytes; }
    if (op < 0.7) return Buffer.concat([bytes.subarray(0, at), Buffer.from([byte]), bytes.subarray(at)]);
    return Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + 1)]);
  },
  // Truncation.
  (base, rand) => base.subarray(0, Math.floor(rand() * base.length)),
  // A number replaced by a hostile one (any number, or an amount).
  (base, rand, pick) => replaceNth(base, /-?\d+(\.\d+)?([eE][+-]?\d+)?/g, rand, () => pick(HOSTILE_NUMBERS)),
  (base, rand, pick) => replaceNth(base, /("amount"\s*:\s*)(-?[\d.eE+-]+|"[^"]*")/g, rand, (m) => m.replace(/:\s*.*$/s, `:${pick(HOSTILE_AMOUNTS)}`)),
  // A string replaced by a hostile one (lone surrogates, escapes).
  (base, rand, pick) => replaceNth(base, /:"[^"\\]*"/g, rand, () => `:${pick(HOSTILE_STRINGS)}`),
  // Invalid UTF-8 inside a string.
  (base, rand, pick) => {
    const text = base.toString('latin1');
    const quote = text.indexOf('"', Math.floor(rand() * text.length));
    if (quote < 0) return base;
    const bad = pick([[0xff], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xe2, 0x82], [0xf4, 0x90, 0x80, 0x80], [0x80]]);
    return Buffer.concat([base.subarray(0, quote + 1), Buffer.from(bad), base.subarray(quote + 1)]);
  },
  // A duplicated member: the last one wins everywhere.
  (base, rand, pick) => replaceNth(base, /"(type|event|id|amount|currency|data|payment_id|timestamp)"\s*:/g, rand, (m) => `${m}${pick(['"test.webhook"', '1', 'null', '{}', '"x"'])},${m}`),
  // Nesting: data wrapped in 20 to 140 levels.
  (base, rand) => {
    const levels = 20 + Math.floor(rand() * 120);
    const text = base.toString('latin1');
    const at = text.indexOf('"data":');
    if (at < 0) return base;
    const open = '{"n":'.repeat(levels);
    return Buffer.from(`${text.slice(0, at)}"data":{"deep":${open}1${'}'.repeat(levels)},"x":${text.slice(at + 7)}`, 'latin1');
  },
  // Whitespace and re-ordering: the same content in other bytes (valid JSON only).
  (base, rand) => {
    try {
      const value = JSON.parse(base.toString('utf8'));
      const shuffle = (/** @type {any} */ v) => {
        if (Array.isArray(v)) return v.map(shuffle);
        if (v === null || typeof v !== 'object') return v;
        const keys = Object.keys(v).sort(() => rand() - 0.5);
        return Object.fromEntries(keys.map((k) => [k, shuffle(v[k])]));
      };
      return Buffer.from(JSON.stringify(shuffle(value), null, rand() < 0.5 ? 2 : undefined));
    } catch {
      return base;
    }
  },
  // A value's type changed.
  (base, rand, pick) => replaceNth(base, /:\s*("[^"\\]*"|-?\d[\d.eE+-]*|true|false|null)/g, rand, () => `:${pick(['1', '"1"', 'null', 'true', '[]', '{}', '-0', '1e400'])}`),
];

/**
 * The body with a member added before its last `}` so that it is exactly `length` bytes.
 * @param {Buffer} base
 * @param {number} length
 * @param {boolean} asString
 */
function padded(base, length, asString) {
  const text = base.toString('latin1');
  const at = text.lastIndexOf('}');
  if (at < 1) return base;
  const room = length - text.length - (asString ? 10 : 9);
  const filler = asString ? `,"pad":"${'x'.repeat(Math.max(0, room))}"` : `,"pad":[${'1,'.repeat(Math.max(0, Math.floor(room / 2)))}1${room % 2 ? ' ' : ''}]`;
  return Buffer.from(text.slice(0, at) + filler + text.slice(at), 'latin1');
}

/**
 * Replaces one random match of `pattern` in the body.
 * @param {Buffer} base
 * @param {RegExp} pattern
 * @param {() => number} rand
 * @param {(match: string) => string} replacement
 */
function replaceNth(base, pattern, rand, replacement) {
  const text = base.toString('latin1');
  const matches = [...text.matchAll(pattern)];
  if (matches.length === 0) return base;
  const match = matches[Math.floor(rand() * matches.length)];
  const index = /** @type {number} */ (match.index);
  const replaced = Buffer.from(replacement(match[0]), 'utf8').toString('latin1');
  return Buffer.from(text.slice(0, index) + replaced + text.slice(index + match[0].length), 'latin1');
}
