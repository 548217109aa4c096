// Writes BENCHMARKS.md from the reports the host benchmarks left in artifacts/bench/ in this
// run of `make bench`: every target with its goal, what was measured and met or missed,
// then each host's tables, and the summary in README.md's Performance section. Nothing in
// either is typed by hand.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';

const ROOT = new URL('../', import.meta.url);
const HOSTS = [['node', 'Node.js'], ['workerd', 'workerd (Cloudflare Workers runtime)'], ['php', 'PHP and WordPress']];

/** @param {string} text */
const cell = (text) => text.replaceAll('|', '\\|');
const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
// Files changed since that commit, named so a reader can tell a code change from a README
// that an earlier run rewrote.
const changed = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: ROOT, encoding: 'utf8' })
  .split('\n').filter(Boolean).map((line) => line.slice(3));

const reports = HOSTS.map(([name, title]) => {
  /** @type {{ host: string, command: string, targets: import('./measure.mjs').Target[], details: string }} */
  const report = JSON.parse(readFileSync(new URL(`artifacts/bench/${name}.json`, ROOT), 'utf8'));
  return { title, ...report };
});

const all = reports.flatMap((report) => report.targets);
const met = all.filter((row) => row.met).length;
const lines = [
  '# Benchmarks',
  '',
  `Written by \`make bench\` (bench/report.mjs) on ${new Date().toISOString().slice(0, 10)}, at commit ${commit}${changed.length > 0 ? ` with uncommitted changes to ${changed.join(', ')}` : ''}, `
    + `on ${cpus().length} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'} (a shared machine: every figure is a median, `
    + 'and every comparison is a ratio of alternatives measured interleaved in the same run). Do not edit by hand; run `make bench`.',
  '',
  `**${met} of ${all.length} targets met.** The targets come from issue 9; a missed one says what the measurements show stands in the way.`,
  '',
  '| host | target | goal | measured | |',
  '|---|---|---|---|---|',
  ...reports.flatMap((report) => report.targets.map((row) =>
    `| ${report.title.split(' ')[0]} | ${cell(row.what)} | ${cell(row.goal)} | ${cell(row.measured)} | ${row.met ? 'met' : 'missed'} |`)),
  '',
];
const missed = reports.flatMap((report) => report.targets.filter((row) => !row.met && row.why));
if (missed.length > 0) {
  lines.push('## Why the missed targets are missed', '', ...missed.map((row) => `- ${row.what}: ${row.why}.`), '');
}
for (const report of reports) {
  lines.push(`## ${report.title}`, '', `${report.host}. Command: \`${report.command}\`.`, '', report.details.trim(), '');
}
writeFileSync(new URL('BENCHMARKS.md', ROOT), lines.join('\n'));

// The README's summary, between its markers, from the same numbers.
const readmeUrl = new URL('README.md', ROOT);
const readme = readFileSync(readmeUrl, 'utf8');
const [begin, end] = ['<!-- bench:begin -->', '<!-- bench:end -->'];
if (!readme.includes(begin) || !readme.includes(end)) throw new Error(`README.md has lost its ${begin} … ${end} markers`);
const summary = [
  begin,
  `From the run of ${new Date().toISOString().slice(0, 10)} (commit ${commit}): **${met} of ${all.length} targets met**.`,
  '',
  '| target | goal | measured | |',
  '|---|---|---|---|',
  ...all.map((row) => `| ${cell(row.what)} | ${cell(row.goal)} | ${cell(row.measured)} | ${row.met ? 'met' : 'missed'} |`),
  end,
].join('\n');
writeFileSync(readmeUrl, readme.slice(0, readme.indexOf(begin)) + summary + readme.slice(readme.indexOf(end) + end.length));
console.log(`BENCHMARKS.md: ${met} of ${all.length} targets met`);
