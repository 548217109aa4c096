// What the framework tests share: a cache of real apps installed from the npm registry
// (outside the repository, reused between runs), the package installed into them from the
// tarball `npm pack` makes of pkg/, servers started and stopped on 127.0.0.1, and deliveries
// signed like CasPay's server signs them.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sign } from '../../pkg/src/node.js';
import { freePort } from '../support/net.mjs';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const SECRET = 'whsec_Fr4m3w0rkT3stS3cr3tAbCdEfGh1234';

/**
 * The cache: outside the repository, so that the apps' tools (Next.js, Turbopack) do not
 * take the workspace's package-lock.json for their project root; one per checkout.
 */
export const CACHE = process.env.CASPAY_FRAMEWORKS_CACHE
  ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'caspay-webhooks',
    `frameworks-${createHash('sha256').update(ROOT).digest('hex').slice(0, 8)}`);

/** The tarball scripts/test-frameworks.sh packed; packed here when a test runs on its own. */
export function tarball() {
  const given = process.env.CASPAY_TARBALL;
  if (given) return given;
  mkdirSync(CACHE, { recursive: true });
  const out = spawnSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', CACHE], { cwd: join(ROOT, 'pkg'), encoding: 'utf8' });
  if (out.status !== 0) throw new Error(`npm pack failed: ${out.stderr}`);
  process.env.CASPAY_TARBALL = join(CACHE, JSON.parse(out.stdout)[0].filename);
  return process.env.CASPAY_TARBALL;
}

/** @param {string} file */
const sha256 = (file) => createHash('sha256').update(readFileSync(file)).digest('hex');

/**
 * An app in the cache: its dependencies installed from the registry once (again only when
 * they change), the package from the tarball whenever the tarball changed, and its files
 * copied from `template` (a folder of tests/frameworks/) on every run.
 * @param {string} name
 * @param {{ dependencies: Record<string, string>, type?: 'module' | 'commonjs', template?: string, files?: Record<string, string>, buildCaches?: string[], installScripts?: boolean }} options
 *   `buildCaches`: folders that hold a build made with the previous tarball (`.next`), removed
 *   when the tarball changes: webpack's cache takes a package in node_modules with an
 *   unchanged version for an unchanged package. `installScripts`: run the dependencies'
 *   install scripts (a native module's build); off otherwise.
 * @returns {string} the app's directory
 */
export function prepareApp(name, { dependencies, type = 'module', template, files = {}, buildCaches = [], installScripts = false }) {
  const dir = join(CACHE, name);
  mkdirSync(dir, { recursive: true });
  const manifest = { name: `caspay-frameworks-${name}`, private: true, type, dependencies };
  const manifestText = `${JSON.stringify(manifest, null, 2)}\n`;
  const depsStamp = join(dir, '.deps.sha256');
  const depsHash = createHash('sha256').update(manifestText).update(installScripts ? 'with install scripts' : '').digest('hex');
  let reinstalled = false;
  if (!existsSync(depsStamp) || readFileSync(depsStamp, 'utf8') !== depsHash || !existsSync(join(dir, 'node_modules'))) {
    writeFileSync(join(dir, 'package.json'), manifestText);
    // From scratch, so that every package's install scripts run (or none do) as asked.
    rmSync(join(dir, 'node_modules'), { recursive: true, force: true });
    // A native module (better-sqlite3) compiles against Node's headers, which node-gyp would
    // download (only the registries are reachable): Debian's, when installed, as
    // scripts/ensure-node-deps.sh does.
    const nodedir = !process.env.npm_config_nodedir && existsSync('/usr/include/node/node.h') ? { npm_config_nodedir: '/usr' } : {};
    run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...(installScripts ? [] : ['--ignore-scripts'])], { cwd: dir, env: nodedir });
    writeFileSync(depsStamp, depsHash);
    reinstalled = true;
  }
  // What `npm install caspay-webhooks-x.y.z.tgz` puts in node_modules (the package has no
  // dependencies of its own), without npm re-resolving the app's whole tree on every run.
  const pack = tarball();
  const packStamp = join(dir, '.caspay-tarball.sha256');
  const packHash = sha256(pack);
  if (reinstalled || !existsSync(packStamp) || readFileSync(packStamp, 'utf8') !== packHash) {
    const target = join(dir, 'node_modules', 'caspay-webhooks');
    rmSync(target, { recursive: true, force: true });
    mkdirSync(target, { recursive: true });
    run('tar', ['-xzf', pack, '-C', target, '--strip-components=1']);
    writeFileSync(packStamp, packHash);
    // Only a change of what the package runs makes a build stale (not its README).
    const codeStamp = join(dir, '.caspay-code.sha256');
    const codeHash = createHash('sha256');
    for (const file of filesUnder(target).filter((f) => !/^(README\.md|LICENSE)$/.test(f)).sort()) {
      codeHash.update(`${file}\0`).update(readFileSync(join(target, file)));
    }
    const code = codeHash.digest('hex');
    if (!existsSync(codeStamp) || readFileSync(codeStamp, 'utf8') !== code) {
      for (const cache of buildCaches) rmSync(join(dir, cache), { recursive: true, force: true });
      writeFileSync(codeStamp, code);
    }
  }
  if (template) cpSync(join(ROOT, 'tests/frameworks', template), dir, { recursive: true });
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

/**
 * Runs a command to completion; throws with its output when it fails.
 * @param {string} command
 * @param {string[]} args
 * @param {{ cwd?: string, env?: Record<string, string | undefined>, timeoutMs?: number }} [options]
 */
export function run(command, args, { cwd = ROOT, env = {}, timeoutMs = 600_000 } = {}) {
  const started = Date.now();
  const result = spawnSync(command, args, { cwd, env: { ...process.env, ...env }, encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} (in ${cwd}) failed with ${result.status ?? result.signal}:\n${result.stdout}\n${result.stderr}`.slice(-12000));
  }
  return { stdout: result.stdout, stderr: result.stderr, ms: Date.now() - started };
}

/**
 * Starts a server process in its own process group and waits until `url` answers (any
 * status). `stop()` ends the whole group.
 * @param {string} command
 * @param {string[]} args
 * @param {{ cwd: string, env?: Record<string, string | undefined>, url: string, timeoutMs?: number }} options
 */
export async function startServer(command, args, { cwd, env = {}, url, timeoutMs = 60_000 }) {
  const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk) => { output += chunk; });
  child.stderr.on('data', (chunk) => { output += chunk; });
  /** @type {number | null} */
  let exitCode = null;
  child.on('exit', (code, signal) => { exitCode = code ?? (signal ? 128 : 1); });
  const stop = async () => {
    if (exitCode !== null || child.pid === undefined) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try { process.kill(-child.pid, 'SIGTERM'); } catch { return; }
    const timer = setTimeout(() => { try { process.kill(-/** @type {number} */ (child.pid), 'SIGKILL'); } catch { /* gone */ } }, 5000);
    await exited;
    clearTimeout(timer);
  };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exitCode !== null) throw new Error(`${command} ${args.join(' ')} exited with ${exitCode}:\n${output}`.slice(-12000));
    try {
      await fetch(url, { signal: AbortSignal.timeout(2000) });
      break;
    } catch {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`${command} ${args.join(' ')} did not answer on ${url} within ${timeoutMs} ms:\n${output}`.slice(-12000));
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  /**
   * SIGTERM to the server alone, as a process manager stops it; resolves with its exit code
   * (null when it had to be killed after 10 s).
   * @returns {Promise<number | null>}
   */
  const terminate = async () => {
    if (exitCode !== null || child.pid === undefined) return exitCode;
    const exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    const timer = setTimeout(() => { stop(); }, 10_000);
    const code = /** @type {number | null} */ (await exited);
    clearTimeout(timer);
    return code;
  };
  return { stop, terminate, output: () => output };
}

export { freePort };

/**
 * POSTs like CasPay's server: JSON, its User-Agent, the signature of the exact bytes.
 * @param {string} url
 * @param {string} body
 * @param {{ signature?: string | null, headers?: Record<string, string> }} [options]
 */
export async function deliver(url, body, { signature = sign(body, SECRET), headers = {} } = {}) {
  /** @type {Record<string, string>} */
  const all = { 'content-type': 'application/json', 'user-agent': 'CasPay-Webhook/1.0', ...headers };
  if (signature !== null) all['x-caspay-signature'] = signature;
  const response = await fetch(url, { method: 'POST', headers: all, body, signal: AbortSignal.timeout(30_000) });
  const text = await response.text();
  /** @type {any} */
  let json = null;
  try { json = JSON.parse(text); } catch { json = text; }
  return { status: response.status, json };
}

/**
 * The README's code blocks marked `<!-- snippet: NAME -->` on the line before the fence.
 * @returns {Map<string, { lang: string, code: string }>}
 */
export function readmeSnippets() {
  const text = readFileSync(join(ROOT, 'pkg/README.md'), 'utf8');
  /** @type {Map<string, { lang: string, code: string }>} */
  const snippets = new Map();
  for (const match of text.matchAll(/<!-- snippet: ([\w.-]+) -->\n```(\w+)\n([\s\S]*?)\n```/g)) {
    if (snippets.has(match[1])) throw new Error(`two README snippets named ${match[1]}`);
    snippets.set(match[1], { lang: match[2], code: `${match[3]}\n` });
  }
  return snippets;
}

/** @param {string} name */
export function snippet(name) {
  const found = readmeSnippets().get(name);
  if (!found) throw new Error(`pkg/README.md has no snippet ${name}`);
  return found.code;
}

/** Files under `dir` (relative paths), for checks on build outputs. */
export function filesUnder(/** @type {string} */ dir) {
  /** @type {string[]} */
  const found = [];
  const walk = (/** @type {string} */ at, /** @type {string} */ prefix) => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(join(at, entry.name), `${prefix}${entry.name}/`);
      else found.push(`${prefix}${entry.name}`);
    }
  };
  if (existsSync(dir)) walk(dir, '');
  return found;
}

/**
 * A copy of an event as CasPay re-sends it from its `jsonb` row: keys reordered (shorter
 * first, then bytewise, at every depth) and pretty-printed. Other bytes, same event.
 * @param {string} body
 */
export function jsonbCopy(body) {
  /** @param {unknown} value @returns {unknown} */
  const reorder = (value) => {
    if (Array.isArray(value)) return value.map(reorder);
    if (value === null || typeof value !== 'object') return value;
    const keys = Object.keys(value).sort((a, b) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0));
    return Object.fromEntries(keys.map((key) => [key, reorder(/** @type {Record<string, unknown>} */ (value)[key])]));
  };
  return JSON.stringify(reorder(JSON.parse(body)), null, 2);
}

/** @param {number} ms */
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Waits until `read()` holds `count` lines matching `pattern` (and a moment more, to catch
 * an extra one), then returns the matching lines.
 * @param {() => string} read
 * @param {RegExp} pattern
 * @param {number} count
 */
export async function linesMatching(read, pattern, count, timeoutMs = 15_000) {
  const matching = () => read().split('\n').filter((line) => pattern.test(line));
  const deadline = Date.now() + timeoutMs;
  while (matching().length < count && Date.now() < deadline) await sleep(100);
  await sleep(300);
  return matching();
}

/** The merchant's work, as the snippets import it: one line per call. */
export const ORDERS_JS = `// Stands for the merchant's code in the README's snippets: prints each call.
export async function fulfilOrder(payment, key) {
  console.log(\`orders: fulfil \${payment.id} \${payment.amount.motes} \${key}\`);
}
export async function cancelSubscription(subscription, key) {
  console.log(\`orders: cancel \${subscription.id} \${key}\`);
}
`;
