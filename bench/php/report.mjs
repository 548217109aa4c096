// Turns the PHP benchmark's measurements (bench/php/run.sh's work directory) into
// artifacts/bench/php.json for bench/report.mjs, and prints the tables. Every `met` is
// computed here from the measured numbers.
//   node bench/php/report.mjs WORK_DIR
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { medianOfRuns, us, writeReport } from '../measure.mjs';

const dir = process.argv[2];
/** @param {string} name */
const load = (name) => JSON.parse(readFileSync(join(dir, name), 'utf8'));
const meta = load('meta.json');
const warmRuns = readdirSync(dir).filter((name) => /^warm-\d+\.json$/.test(name)).map(load);
const warm = { ...medianOfRuns(warmRuns), processes: warmRuns.length };
const perRequest = load('per-request.json');
const wordpress = load('wordpress.json');

/** @type {import('../measure.mjs').Target[]} */
const targets = [];
/** @type {string[]} */
const details = [];
/**
 * @param {string} what @param {string} goal @param {string} measured @param {boolean} met
 * @param {string} why what the measurements say stands in the way, when missed
 */
const target = (what, goal, measured, met, why) => targets.push({ what, goal, measured, met, ...(met ? {} : { why }) });
/** @param {number} value */
const ms = (value) => `${value.toFixed(2)} ms`;
/** @param {number} value */
const x = (value) => `${value.toFixed(2)}x`;

// --- Warm -------------------------------------------------------------------------------
details.push(
  `### Warm, in a long-lived PHP process`,
  '',
  `\`php -d ffi.enable=1 -d opcache.enable_cli=1 bench/php/warm.php\`: the plugin's public API (\`CasPay_Webhooks::construct()\` and \`::verify()\`, engine objects created once, as a long-lived process keeps them) against the hand-written \`hash_hmac('sha256', …)\` + \`hash_equals\` (+ \`json_decode\`). `
    + `The WebAssembly engine's memory: ${warm.memory}; for comparison, the same engine configured as under an address-space limit: ${warm.checked}. Median of ${warm.rounds} interleaved rounds of ${warm.round_ms} ms per alternative in each of ${warm.processes} PHP processes, then the median of the processes; time per call.`,
  '',
);
for (const body of warm.bodies) {
  const name = `${body.bytes} B ${body.label}`;
  const { construct, verify, parse, breakdown } = body;
  details.push(
    `**${name}**`,
    '',
    '| implementation | verify + parse | vs pure-PHP engine | verify alone | parse alone |',
    '|---|---:|---:|---:|---:|',
    `| hand-written: hash_hmac + hash_equals + json_decode | ${us(construct.hand)} | ${x(construct.hand / construct.php)} | ${us(verify.hand)} | ${us(parse.json_decode)} (json_decode) |`,
    `| WebAssembly engine (Wasmtime through FFI) | ${us(construct.wasm)} | ${x(construct.wasm / construct.php)} | ${us(verify.wasm)} | ${us(parse.wasm)} |`,
    `| WebAssembly engine, bounds checked (as under \`ulimit -v\`) | ${us(construct.checked)} | ${x(construct.checked / construct.php)} | | |`,
    `| pure-PHP engine | ${us(construct.php)} | 1.00x | ${us(verify.php)} | ${us(parse.php)} |`,
    '',
    `Where the WebAssembly engine's verify + parse goes, measured in the same rounds: the core (inputs written, one \`caspay_construct_php\` call: the HMAC, then validating and building the event) ${us(breakdown.core)}, `
      + `reading its ${body.output_bytes}-byte output (its span and a copy, from memory) ${us(breakdown.read)}, \`unserialize\` of that output ${us(breakdown.decode)}; `
      + `an empty call into the module (\`caspay_abi_version\`) costs ${us(breakdown.empty)}. Verify alone and parse alone are separate rounds.`,
    '',
  );
  const vsPhp = construct.wasm / construct.php;
  const moduleShare = (breakdown.core + breakdown.read + breakdown.decode) / construct.php;
  target(
    `PHP warm: WebAssembly engine verify + parse vs the pure-PHP engine, ${name}`,
    '≤ 0.70x its time',
    `${x(vsPhp)} (${us(construct.wasm)} vs ${us(construct.php)})`,
    vsPhp <= 0.7,
    `of its ${us(construct.wasm)}, the core's one call (the HMAC, then the validating parse, run by Wasmtime) takes ${us(breakdown.core)}, reading its ${body.output_bytes}-byte event and unserialize of it ${us(breakdown.read + breakdown.decode)}, `
      + `and the API's argument checks ${us(Math.max(0, construct.wasm - breakdown.core - breakdown.read - breakdown.decode))}; `
      + `the pure-PHP engine does all of it in ${us(construct.php)}, and the module's call with the decoding of its output alone is ${x(moduleShare)} of that time`
      + (moduleShare > 0.7 ? ', over the target before any PHP of the engine runs' : ''),
  );
  const vsHand = construct.wasm / construct.hand;
  target(
    `PHP warm: WebAssembly engine verify + parse vs hash_hmac + hash_equals + json_decode, ${name}`,
    '≤ 2x its time',
    `${x(vsHand)} (${us(construct.wasm)} vs ${us(construct.hand)})`,
    vsHand <= 2,
    `json_decode of the body takes ${us(parse.json_decode)}, the core's one call ${us(breakdown.core)}${breakdown.core > 2 * construct.hand ? ` (alone over 2x the hand-written ${us(construct.hand)})` : ''}: the core verifies, validates and normalizes the event `
      + `(exact amounts, the idempotency key from the canonical content), and PHP builds its normalized event from the module's serialized output (\`unserialize\`, ${us(breakdown.decode)}). `
      + `The signature check alone takes ${us(verify.wasm)} in the module (SHA-256 compiled by Wasmtime) against ${us(verify.hand)} for PHP's native hash_hmac + hash_equals, `
      + `and the engine's parse alone, with no signature check, ${us(parse.wasm)}${parse.wasm > 2 * construct.hand ? `: by itself over the ${us(2 * construct.hand)} that 2x allows for the whole delivery` : ''}`,
  );
}

// --- Per request --------------------------------------------------------------------------
const byName = Object.fromEntries(perRequest.results.map((/** @type {any} */ r) => [r.name, r]));
const nocache = Object.fromEntries(perRequest.nocache.map((/** @type {any} */ r) => [r.name, r]));
const { plain, php, wasm, 'wasm-preload': preloaded } = byName;
const row = (/** @type {string} */ label, /** @type {any} */ r, /** @type {any} */ base) =>
  `| ${label} | ${ms(r.ms)} | ${ms(r.p25)}–${ms(r.p75)} | ${r.inside ? ms(r.inside.setup) : '–'} | ${r.inside ? ms(r.inside.handle) : '–'} | ${r === base ? '–' : `+${ms(r.ms - base.ms)}`} |`;
details.push(
  `### Per request`,
  '',
  `\`php -d ffi.enable=1 -d opcache.enable=1 -S 127.0.0.1:PORT bench/php/router.php\` (opcache on in the server), one delivery of the ${perRequest.bytes}-byte ${perRequest.label} body per request, `
    + `sequential requests from Node on a new connection each (no keep-alive), latency measured by the client. `
    + `Median of the medians of ${perRequest.rounds} rounds of ${perRequest.perRound} requests per alternative, taking turns request by request. `
    + `"setup" is \`new CasPay_Webhooks()\` (classes loaded; for WebAssembly: Wasmtime's C API bound through FFI, an engine created, the module loaded from the cache, instantiated), "construct" the \`construct()\` call, both measured inside the request.`,
  '',
  '| request | median | p25–p75 | setup | construct | over plain |',
  '|---|---:|---:|---:|---:|---:|',
  row('plain (answers at once)', plain, plain),
  row('pure-PHP engine', php, plain),
  row('WebAssembly engine, module cache warm', wasm, plain),
  row('WebAssembly engine, module cache warm, Wasmtime preloaded (ffi.preload)', preloaded, plain),
  '',
  `The preloaded server is readme.txt's route for php-fpm's \`ffi.enable=preload\`: \`-d ffi.enable=preload -d ffi.preload=<a copy of includes/wasmtime-ffi.h naming the library> -d opcache.preload=wordpress-plugin/preload.php\`; `
    + `the engine binds the scope PHP declared at start-up (${ms(preloaded.inside.bind)}) instead of loading the library with FFI::cdef in the request (${ms(wasm.inside.bind)}).`,
  '',
  `Without a usable module cache (\`cache_dir\` off: the module compiled in every request; ${nocache['wasm-nocache'].requests} requests): `
    + `${ms(nocache['wasm-nocache'].ms)} against ${ms(nocache.plain.ms)} for a plain request, of which compiling takes ${ms(nocache['wasm-nocache'].inside.setup)} of setup.`,
  '',
);
const overPlain = wasm.ms - plain.ms;
target(
  `PHP per request (php -S, opcache, module cache warm): WebAssembly engine over a plain request, ${perRequest.bytes} B ${perRequest.label}`,
  '≤ +0.30 ms',
  `+${ms(overPlain)} (${ms(wasm.ms)} vs ${ms(plain.ms)}; pure-PHP engine +${ms(php.ms - plain.ms)})`,
  overPlain <= 0.3,
  `setting up the WebAssembly engine takes ${ms(wasm.inside.setup)} inside every request, and PHP keeps none of it from one request to the next: Wasmtime's C API bound through FFI::cdef ${ms(wasm.inside.bind)}, `
    + `an engine created ${ms(wasm.inside.engine)}, the cached module deserialized ${ms(wasm.inside.module)} and instantiated ${ms(wasm.inside.instance)}`
    + `${wasm.inside.engine + wasm.inside.module + wasm.inside.instance > 0.3 ? ' (those three Wasmtime calls alone are over the +0.30 ms budget)' : ''}; the construct() itself takes ${ms(wasm.inside.handle)}. `
    + `With Wasmtime preloaded (ffi.preload, the readme's route for php-fpm) binding takes ${ms(preloaded.inside.bind)} and a request +${ms(preloaded.ms - plain.ms)}`,
);

// --- WordPress --------------------------------------------------------------------------
const wp = Object.fromEntries(wordpress.results.map((/** @type {any} */ r) => [r.name, r]));
const wpRatio = wp.wasm.ms / wp.php.ms;
const wpPreloadRatio = wp['wasm-preload'].ms / wp.php.ms;
details.push(
  `### WordPress delivery, end to end`,
  '',
  `WordPress ${meta.wordpress} with the plugin installed from its zip, a private MariaDB (${meta.mariadb}), three \`php -d opcache.enable=1 -S\` servers of the same site: `
    + 'one with the WebAssembly engine (`CASPAY_WEBHOOKS_ENGINE=wasm`, `ffi.enable=1`), one with the same engine and Wasmtime preloaded (readme.txt\'s route for php-fpm, as in the per-request measurement), and one forced to the PHP engine; each delivery a new signed shape-C event POSTed to the REST endpoint '
    + `(verified, parsed, recorded in the inbox and the delivery log, answered 200), the engine of every delivery checked in the delivery log afterwards (${meta.wordpress_engines}). `
    + `${wordpress.warmup} deliveries per server to warm up, then ${wordpress.rounds} rounds of ${wordpress.perRound}, taking turns request by request; median of the round medians.`,
  '',
  '| engine | median | p25–p75 | vs PHP engine |',
  '|---|---:|---:|---:|',
  `| WebAssembly | ${ms(wp.wasm.ms)} | ${ms(wp.wasm.p25)}–${ms(wp.wasm.p75)} | ${x(wpRatio)} |`,
  `| WebAssembly, Wasmtime preloaded (ffi.preload) | ${ms(wp['wasm-preload'].ms)} | ${ms(wp['wasm-preload'].p25)}–${ms(wp['wasm-preload'].p75)} | ${x(wpPreloadRatio)} |`,
  `| PHP | ${ms(wp.php.ms)} | ${ms(wp.php.p25)}–${ms(wp.php.p75)} | 1.00x |`,
  '',
);
target(
  'WordPress delivery: WebAssembly engine vs the PHP engine (REST endpoint, inbox on MariaDB)',
  '≤ 1.03x its time',
  `${x(wpRatio)} (${ms(wp.wasm.ms)} vs ${ms(wp.php.ms)})`,
  wpRatio <= 1.03,
  `a delivery with the WebAssembly engine takes ${ms(wp.wasm.ms - wp.php.ms)} longer here; its per-request setup (binding Wasmtime through FFI, engine, cached module, instance) `
    + `takes ${ms(wasm.inside.setup)} in the php -S measurement above, ${((wasm.inside.setup / wp.php.ms) * 100).toFixed(1)}% of this ${ms(wp.php.ms)} delivery, which PHP does not keep between requests; `
    + `the rest is within this run's spread (p25–p75 ${ms(wp.php.p25)}–${ms(wp.php.p75)}); with Wasmtime preloaded (ffi.preload) a delivery takes ${x(wpPreloadRatio)} the PHP engine's time`,
);

const text = details.join('\n');
writeReport('php', {
  host: `PHP ${meta.php} (opcache on), Wasmtime ${meta.wasmtime} (C API through PHP FFI), WordPress ${meta.wordpress} + MariaDB ${meta.mariadb}, ${meta.cpus}`,
  command: 'bench/php/run.sh (part of make bench)',
  targets,
  details: text,
});
console.log(text);
console.log(targets.map((t) => `${t.met ? 'met   ' : 'missed'}  ${t.what}: ${t.measured} (goal ${t.goal})`).join('\n'));
