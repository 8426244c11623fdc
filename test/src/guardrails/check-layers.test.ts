// scripts/check-layers.mjs (run by `npm run lint`) on small trees made for each case: it must fail, naming the
// problem, on a folder cycle, an upward import or a folder in no layer, and pass a tree whose imports all go down.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { repoRoot } from '../support/project.js';

const trees = mkdtempSync(join(tmpdir(), 'lepton-check-layers-'));
after(() => rmSync(trees, { recursive: true, force: true }));

let treeCount = 0;
/** A lib/src-like tree with `files` (path under the tree → TypeScript source). */
function tree(files: Record<string, string>): string {
  const dir = join(trees, `tree-${++treeCount}`);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

/** Runs the check on `dir` (the library's own lib/src when omitted). */
function checkLayers(dir?: string): { status: number | null; output: string } {
  const args = [join(repoRoot, 'scripts', 'check-layers.mjs'), ...(dir ? ['--lib', dir] : [])];
  const run = spawnSync(process.execPath, args, { encoding: 'utf8' });
  return { status: run.status, output: run.stdout + run.stderr };
}

/** Asserts that the check passes a tree of `files`. */
function assertPasses(files: Record<string, string>): void {
  const result = checkLayers(tree(files));
  assert.equal(result.status, 0, result.output);
  assert.match(result.output, /no upward import, no cycle/);
}

/** Asserts that the check fails on a tree of `files` and that its output matches every one of `expected`. */
function assertFails(files: Record<string, string>, expected: RegExp[]): void {
  const result = checkLayers(tree(files));
  assert.equal(result.status, 1, result.output);
  for (const pattern of expected) assert.match(result.output, pattern);
}

test('a tree whose folders import only their own layer and the layers below passes', () => {
  assertPasses({
    'core/errors.ts': 'export class LeptonError extends Error {}\n',
    'data/frame.ts': "import { LeptonError } from '../core/errors.js';\nexport const frame = LeptonError;\n",
    'images/read.ts': "import { frame } from '../data/frame.js';\nexport const read = frame;\n",
    'train/fit.ts': "import { read } from '../images/read.js';\nexport const fit = read;\n",
    'index.ts': "export * from './train/fit.js';\n",
  });
});

test('two folders of one layer that import each other fail, and the cycle is named with the imports that make it', () => {
  assertFails(
    {
      'data/read.ts': "export { images } from '../images/read.js';\n",
      'images/read.ts': "import { DataFrame } from '../data/frame.js';\nexport const images = DataFrame;\n",
      'data/frame.ts': 'export class DataFrame {}\n',
    },
    [
      /Import cycles between lib\/src folders/,
      /data -> images -> data/,
      /data\/read\.ts → \.\.\/images\/read\.js/,
      /images\/read\.ts → \.\.\/data\/frame\.js/,
    ],
  );
});

test('a cycle made by type-only imports round three folders fails too', () => {
  assertFails(
    {
      'models/linear.ts': "import type { Fold } from '../validate/folds.js';\nexport type Linear = Fold;\n",
      'validate/folds.ts': "import type { Fit } from '../train/fit.js';\nexport type Fold = Fit;\n",
      'train/fit.ts': "import type { Linear } from '../models/linear.js';\nexport type Fit = Linear | number;\n",
    },
    [/models -> validate -> train -> models/],
  );
});

test('a folder that imports a folder of a higher layer fails, naming the import and both layers', () => {
  assertFails(
    {
      'display/png.ts': "import { badArgument } from '../data/errors.js';\nexport const png = badArgument;\n",
      'data/errors.ts': 'export const badArgument = (message: string) => new Error(message);\n',
    },
    [
      /Upward imports between lib\/src folders/,
      /display -> data .*display\/png\.ts → \.\.\/data\/errors\.js/,
      /infrastructure imports data capabilities, a layer above it/,
    ],
  );
});

test('onnx importing anything but contract and core fails, although display is in its layer', () => {
  assertFails(
    {
      'onnx/graph.ts': "import { mime } from '../display/mime.js';\nexport const graph = mime;\n",
      'display/mime.ts': "export const mime = 'text/plain';\n",
    },
    [/onnx -> display .*onnx imports only contract and core/],
  );
});

test('a folder in no layer fails until it is placed in one', () => {
  assertFails({ 'forecast/arima.ts': 'export const arima = 1;\n' }, [
    /lib\/src\/forecast is in no layer: add it to LAYERS/,
  ]);
});

test('a folder that imports the top of the tree (which imports every folder) fails; the version leaf may be imported', () => {
  assertFails(
    {
      'index.ts': "export * from './train/fit.js';\n",
      'version.ts': "export const version = '0.1.0';\n",
      'train/fit.ts': "import { version } from '../version.js';\nexport const fit = version;\n",
      'train/summary.ts': "import * as lepton from '../index.js';\nexport const summary = lepton;\n",
    },
    [/Folders import files at the top of lib\/src/, /train\/summary\.ts → \.\.\/index\.js/],
  );
});

test('imports made by tests, by the files at the top of the tree, and of the version leaf pass', () => {
  assertPasses({
    'core/random.ts': "import { version } from '../version.js';\nexport const seed = version.length;\n",
    'core/random.test.ts': "import { fit } from '../train/fit.js';\nvoid fit;\n",
    'train/fit.ts': "import { seed } from '../core/random.js';\nexport const fit = seed;\n",
    'index.ts': "export * from './train/fit.js';\nexport * from './core/random.js';\n",
    'version.ts': "export const version = '0.1.0';\n",
  });
});

test("the library's own lib/src has no folder cycle and no upward import", () => {
  const result = checkLayers();
  assert.equal(result.status, 0, result.output);
});
