#!/usr/bin/env node
// Fails when the library's folders (lib/src/<folder>) break their layering (ARCHITECTURE.md, "Layers of the
// library"): a folder imports a folder of a higher layer, two folders import each other (directly or round a
// cycle), `onnx` imports more than `contract` and `core`, or a folder is in no layer yet. Every import counts:
// static, dynamic, `import type` and `export … from`, tests excepted. Run by `npm run lint`.
// Usage: node scripts/check-layers.mjs [--lib DIR]   (DIR: the tree to check, default lib/src; its tests use a
// small tree of their own)
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';

const require = createRequire(import.meta.url);
// TypeScript's own pre-processor lists a file's imports (static, dynamic, `import type`, `export … from`) without a
// full parse; it is the project's TypeScript (5.9 at the root), not tslab's.
const ts = require('../node_modules/typescript');

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
const libArgument = process.argv.indexOf('--lib');
const lib = libArgument > 0 ? resolve(process.argv[libArgument + 1] ?? '') : join(root, 'lib', 'src');
if (!existsSync(lib)) {
  console.error(`check-layers: no folder ${lib} (usage: node scripts/check-layers.mjs [--lib DIR]).`);
  process.exit(2);
}

/**
 * The layers, bottom first: a folder may import its own layer's folders (without a cycle) and the layers below,
 * never above. ARCHITECTURE.md draws the same table; change both together. The files at the top of lib/src
 * (`index.ts`, the `read.ts` namespace) sit above every layer.
 */
const LAYERS = [
  { name: 'contract', folders: ['contract'] },
  { name: 'core', folders: ['core'] },
  { name: 'infrastructure', folders: ['onnx', 'display', 'comm', 'backend'] },
  { name: 'data capabilities', folders: ['data', 'datasets', 'images', 'preprocess', 'metrics', 'plot', 'check'] },
  { name: 'model capabilities', folders: ['models', 'train', 'evaluate', 'validate', 'explain', 'baselines'] },
  { name: 'shipping', folders: ['export', 'compress', 'deploy'] },
  { name: 'search', folders: ['tune', 'automl'] },
];
/**
 * Folders held to less than their layer allows: the ONNX codec, graph builder and sessions know nothing of
 * notebooks (no display, no comms), so that `export`, `compress` and `deploy` share them without their baggage.
 */
const ONLY = new Map([['onnx', new Set(['contract', 'core'])]]);

/**
 * The files at the top of lib/src that a folder may import: leaves that import nothing of the library. The rest of
 * the top (`index.ts` above all) imports the folders, so a folder importing it closes a cycle.
 */
const TOP_LEAVES = new Set(['version.ts']);

const layerOf = new Map(LAYERS.flatMap(({ folders }, index) => folders.map((folder) => [folder, index])));

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

/** A file as the messages show it: from the repository's root when it is inside, else in full. */
const shown = (file) => (relative(root, file).startsWith('..') ? file : relative(root, file));

/** Folder → folder → one example `file → import` that makes the edge. */
const edges = new Map();
const folders = new Set();
/** Imports of a top file (not a leaf) from inside a folder, as `file → import`. */
const intoTop = [];
for (const file of sources(lib)) {
  const from = folderOf(file);
  if (from !== '.') folders.add(from);
  const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  for (const { fileName } of importedFiles) {
    if (!fileName.startsWith('.')) continue;
    const target = resolve(dirname(file), fileName);
    if (!target.startsWith(lib + sep)) continue;
    const to = folderOf(target);
    if (to === '.' && from !== '.' && !TOP_LEAVES.has(relative(lib, target).replace(/\.js$/, '.ts')))
      intoTop.push(`  ${shown(file)} → ${fileName}`);
    if (to === from || from === '.' || to === '.') continue;
    if (!edges.has(from)) edges.set(from, new Map());
    if (!edges.get(from).has(to)) edges.get(from).set(to, `${shown(file)} → ${fileName}`);
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

/** One shortest cycle through `start` inside `component`, as folders (`a → b → a`), by breadth-first search. */
function cycleThrough(start, component) {
  const previous = new Map([[start, null]]);
  const queue = [start];
  while (queue.length) {
    const v = queue.shift();
    for (const w of [...(edges.get(v)?.keys() ?? [])].sort()) {
      if (!component.has(w)) continue;
      if (w === start) {
        const between = [];
        for (let u = v; u !== start; u = previous.get(u)) between.unshift(u);
        return [start, ...between, start];
      }
      if (!previous.has(w)) {
        previous.set(w, v);
        queue.push(w);
      }
    }
  }
  return [start, start];
}

const problems = [];

const unplaced = [...folders].filter((folder) => !layerOf.has(folder)).sort();
for (const folder of unplaced) {
  problems.push(
    `lib/src/${folder} is in no layer: add it to LAYERS in scripts/check-layers.mjs and to ARCHITECTURE.md's table.`,
  );
}

if (intoTop.length) {
  problems.push(
    [
      `Folders import files at the top of lib/src, which import the folders (only ${[...TOP_LEAVES].join(', ')} may be imported):`,
      ...intoTop,
    ].join('\n'),
  );
}

const upward = [];
for (const [from, targets] of [...edges].sort(([a], [b]) => (a < b ? -1 : 1))) {
  for (const [to, example] of [...targets].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const only = ONLY.get(from);
    if (only && !only.has(to))
      upward.push(`  ${from} -> ${to}   (${example}; ${from} imports only ${[...only].join(' and ')})`);
    else if (layerOf.has(from) && layerOf.has(to) && layerOf.get(to) > layerOf.get(from)) {
      const [fromLayer, toLayer] = [LAYERS[layerOf.get(from)].name, LAYERS[layerOf.get(to)].name];
      upward.push(`  ${from} -> ${to}   (${example}; ${fromLayer} imports ${toLayer}, a layer above it)`);
    }
  }
}
if (upward.length) {
  problems.push(
    ['Upward imports between lib/src folders (see ARCHITECTURE.md, "Layers of the library"):', ...upward].join('\n'),
  );
}

const cycles = components(edges).map((component) => {
  const folder = [...component].sort()[0];
  const path = cycleThrough(folder, component);
  const steps = path.slice(1).map((to, i) => `    ${path[i]} -> ${to}   (${edges.get(path[i]).get(to)})`);
  return [`  ${path.join(' -> ')}   (folders that reach each other: ${[...component].sort().join(', ')})`, ...steps];
});
if (cycles.length) {
  problems.push(['Import cycles between lib/src folders:', ...cycles.flat()].join('\n'));
}

if (problems.length) {
  for (const problem of problems) console.error(problem);
  console.error(
    'Import the other way, or move the shared code down to the layer both may import (lib/src/core, lib/src/contract, ' +
      'or the lower folder), or pass it in from above (a callback the upper folder registers).',
  );
  process.exit(1);
}
console.log(`lib/src folders: ${folders.size} in ${LAYERS.length} layers, no upward import, no cycle.`);
