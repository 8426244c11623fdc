#!/usr/bin/env node
// Runs the compiled tests: every `*.test.js` under the folders (or files) given, default all of the project's,
// through `node --test --test-concurrency=1`; options (`--test-name-pattern=...`) are passed on.
// Why a script: Node 20 reads `node --test DIR` as "search DIR", Node 22 reads its arguments as globs and runs DIR
// itself as a file (zero tests, green). Naming the files works on both.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const DEFAULT_ROOTS = ['lib/dist', 'kernel/dist', 'server/dist', 'extension/dist', 'test/dist'];

/** Every `*.test.js` under `path`, sorted, `node_modules` left out. */
function testFiles(path) {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .flatMap((entry) => {
      const full = join(path, entry.name);
      if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : testFiles(full);
      return entry.name.endsWith('.test.js') ? [full] : [];
    });
}

const args = process.argv.slice(2);
const options = args.filter((arg) => arg.startsWith('--'));
const roots = args.filter((arg) => !arg.startsWith('--'));
const files = (roots.length ? roots : DEFAULT_ROOTS).flatMap(testFiles);
if (files.length === 0) {
  console.error(`No *.test.js files under ${(roots.length ? roots : DEFAULT_ROOTS).join(', ')}: run \`npm run build\` first.`);
  process.exit(1);
}
const run = spawnSync(process.execPath, ['--test', '--test-concurrency=1', ...options, ...files], { stdio: 'inherit' });
process.exit(run.status ?? 1);
