// What the example deploys with, read from wrangler.toml, so that dev.mjs and the tests run
// what ships: the compatibility date and the Durable Object bindings (SQLite-backed when a
// migration lists the class in `new_sqlite_classes`). A reader for this file's few keys, not
// a TOML parser.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * @param {string} [file]
 * @returns {{ compatibilityDate: string, durableObjects: Record<string, { className: string, useSQLite: boolean }> }}
 */
export function readWranglerConfig(file = fileURLToPath(new URL('wrangler.toml', import.meta.url))) {
  const toml = readFileSync(file, 'utf8');
  const compatibilityDate = /^compatibility_date\s*=\s*"([\d-]+)"/m.exec(toml)?.[1];
  if (compatibilityDate === undefined) throw new Error(`${file} has no compatibility_date`);
  const sqliteClasses = [...toml.matchAll(/^new_sqlite_classes\s*=\s*\[([^\]]*)\]/gm)]
    .flatMap((match) => [...match[1].matchAll(/"([^"]+)"/g)].map((name) => name[1]));
  /** @type {Record<string, { className: string, useSQLite: boolean }>} */
  const durableObjects = {};
  for (const block of toml.split(/^\[\[durable_objects\.bindings\]\]\s*$/m).slice(1)) {
    const body = block.split(/^\[/m)[0];
    const name = /^name\s*=\s*"([^"]+)"/m.exec(body)?.[1];
    const className = /^class_name\s*=\s*"([^"]+)"/m.exec(body)?.[1];
    if (name === undefined || className === undefined) throw new Error(`${file}: a [[durable_objects.bindings]] entry needs name and class_name`);
    durableObjects[name] = { className, useSQLite: sqliteClasses.includes(className) };
  }
  return { compatibilityDate, durableObjects };
}
