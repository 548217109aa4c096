// Writes one host's section of RELIABILITY.md, between `<!-- name:begin -->` and
// `<!-- name:end -->`, leaving every other section as it is. Creates the file with a
// one-line introduction when it does not exist yet.

import { existsSync, readFileSync, writeFileSync } from 'node:fs';

export const INTRO = '# Reliability\n\nEach host under a load of real deliveries (retries, re-serialized copies, forgeries, killed workers): forgeries accepted, events processed twice or lost, latency; each section is written by the test that measured it.\n';

/**
 * Replaces (or appends) the section `name` of `file` with `content`.
 *
 * @param {string} file    Path of RELIABILITY.md.
 * @param {string} name    Section name, e.g. `wordpress`.
 * @param {string} content Markdown of the section.
 */
export function writeSection(file, name, content) {
  const begin = `<!-- ${name}:begin -->`;
  const end = `<!-- ${name}:end -->`;
  const block = `${begin}\n${content.trim()}\n${end}`;
  let text = existsSync(file) ? readFileSync(file, 'utf8') : INTRO;
  const from = text.indexOf(begin);
  const to = text.indexOf(end, from);
  if (from >= 0 && to > from) {
    text = text.slice(0, from) + block + text.slice(to + end.length);
  } else {
    text = `${text.replace(/\n*$/, '')}\n\n${block}\n`;
  }
  writeFileSync(file, text);
}
