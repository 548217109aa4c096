// What a bundle still imports at run time, read from its text: every static `import … from`,
// bare `import '…'`, dynamic `import('…')` and `require('…')` specifier.

/** @param {string} code @returns {string[]} */
export function importsOf(code) {
  // JSDoc types (`{import('../types/index.js').Secret}`) survive bundling but load nothing.
  const live = code.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const found = new Set();
  const patterns = [
    /\bimport\s+[^'"`;()]*?\bfrom\s*["']([^"']+)["']/g,
    /\bimport\s*["']([^"']+)["']/g,
    /\bimport\s*\(\s*["']([^"']+)["']\s*\)/g,
    /\brequire\s*\(\s*["']([^"']+)["']\s*\)/g,
  ];
  for (const pattern of patterns) for (const match of live.matchAll(pattern)) found.add(match[1]);
  return [...found].sort();
}

const NODE_BUILTINS = /^(node:|(assert|buffer|child_process|crypto|fs|http|https|net|os|path|process|stream|url|util|worker_threads|zlib)(\/|$))/;

/** @param {string[]} specifiers */
export const nodeBuiltins = (specifiers) => specifiers.filter((s) => NODE_BUILTINS.test(s));
