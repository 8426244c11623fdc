#!/usr/bin/env node
// Fails on a NEW import cycle between the library's folders (lib/src/<folder>): every folder-to-folder import
// that lies on a cycle must be in scripts/known-folder-cycles.json, the cycles that were there when this check
// came (see ARCHITECTURE.md, "What is still to move"). The list may only shrink: an edge that no longer closes a
// cycle must leave it too, so the check keeps up with the clean-up. Run by `npm run lint`.
// It also fails when lib/src/contract or lib/src/core imports a folder above them (FLOORS below).
// Usage: node scripts/check-layers.mjs [--write]   (--write records the current cycle edges as the known list)
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';

const require = createRequire(import.meta.url);
// TypeScript's own pre-processor lists a file's imports (static, dynamic, `import type`, `export … from`) without a
// full parse; it is the project's TypeScript (5.9 at the root), not tslab's.
const ts = require('../node_modules/typescript');

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
const lib = join(root, 'lib', 'src');
const knownFile = join(root, 'scripts', 'known-folder-cycles.json');

/** Every non-test TypeScript source under `dir`. */
function sources(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) return sources(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') && !entry.name.endsWith('.d.ts')
      ? [full]
      : [];
  });
}

/** The folder of a file under lib/src (`.` for the files at its top). */
const folderOf = (file) => {
  const parts = relative(lib, file).split(sep);
  return parts.length > 1 ? parts[0] : '.';
};

/** Folder → folder → one example `file → import` that makes the edge. */
const edges = new Map();
for (const file of sources(lib)) {
  const from = folderOf(file);
  const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  for (const { fileName } of importedFiles) {
    if (!fileName.startsWith('.')) continue;
    const target = resolve(dirname(file), fileName);
    if (!target.startsWith(lib + sep)) continue;
    const to = folderOf(target);
    if (to === from || from === '.' || to === '.') continue;
    if (!edges.has(from)) edges.set(from, new Map());
    if (!edges.get(from).has(to)) edges.get(from).set(to, `${relative(root, file)} → ${fileName}`);
  }
}

/** Tarjan's strongly connected components: folders that reach each other. */
function components(graph) {
  let index = 0;
  const stack = [];
  const state = new Map();
  const result = [];
  const visit = (v) => {
    state.set(v, { index, low: index, onStack: true });
    index++;
    stack.push(v);
    for (const w of graph.get(v)?.keys() ?? []) {
      if (!state.has(w)) {
        visit(w);
        state.get(v).low = Math.min(state.get(v).low, state.get(w).low);
      } else if (state.get(w).onStack) state.get(v).low = Math.min(state.get(v).low, state.get(w).index);
    }
    if (state.get(v).low === state.get(v).index) {
      const component = [];
      let w;
      do {
        w = stack.pop();
        state.get(w).onStack = false;
        component.push(w);
      } while (w !== v);
      if (component.length > 1) result.push(new Set(component));
    }
  };
  for (const v of [...graph.keys()].sort()) if (!state.has(v)) visit(v);
  return result;
}

// An edge lies on a cycle when both its ends are in the same component.
const cyclic = new Map();
for (const component of components(edges)) {
  for (const from of component) {
    for (const [to, example] of edges.get(from) ?? []) if (component.has(to)) cyclic.set(`${from} -> ${to}`, example);
  }
}
const current = [...cyclic.keys()].sort();

if (process.argv.includes('--write')) {
  writeFileSync(
    knownFile,
    JSON.stringify(
      {
        comment:
          'Folder imports of lib/src that lie on a cycle; the layer move (ARCHITECTURE.md) must empty this list.',
        edges: current,
      },
      null,
      2,
    ) + '\n',
  );
  console.log(`Recorded ${current.length} known cycle edges in ${relative(root, knownFile)}.`);
  process.exit(0);
}

// The bottom layers import nothing above them, cycle or not: `contract` nothing of the library, `core` only
// `contract`, `onnx` (codec, graph builder, onnxruntime sessions) only those two (ARCHITECTURE.md, "Layers of the
// library"); the capabilities (`export`, `compress`, `deploy`, ...) sit above all three.
const FLOORS = new Map([
  ['contract', new Set()],
  ['core', new Set(['contract'])],
  ['onnx', new Set(['contract', 'core'])],
]);
const upward = [];
for (const [floor, allowed] of FLOORS) {
  for (const [to, example] of edges.get(floor) ?? [])
    if (!allowed.has(to)) upward.push(`${floor} -> ${to}   (${example})`);
}
if (upward.length) {
  console.error('A bottom layer of lib/src imports a layer above it (see ARCHITECTURE.md):');
  for (const edge of upward) console.error(`  ${edge}`);
  console.error('Move what it needs down into lib/src/core (or lib/src/contract), or move the importing code up.');
  process.exit(1);
}

const known = new Set(JSON.parse(readFileSync(knownFile, 'utf8')).edges);
const added = current.filter((edge) => !known.has(edge));
const gone = [...known].filter((edge) => !cyclic.has(edge)).sort();
if (added.length) {
  console.error('New import cycles between lib/src folders (an upper layer imported from below; see ARCHITECTURE.md):');
  for (const edge of added) console.error(`  ${edge}   (${cyclic.get(edge)})`);
  console.error(
    'Import the other way, or move the shared code down a layer (e.g. into lib/src/contract or the folder both use).',
  );
}
if (gone.length) {
  console.error(`These known cycle edges are gone, well done: remove them from ${relative(root, knownFile)}:`);
  for (const edge of gone) console.error(`  ${edge}`);
}
if (added.length || gone.length) process.exit(1);
console.log(`lib/src folder cycles: no new ones (${current.length} known edges left to remove).`);
