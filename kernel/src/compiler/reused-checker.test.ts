import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { installLeanWatchProgram } from './lean-program.js';
import { declaredNames } from './shorthand.js';

// tslab's converter in this process, compiling in a folder of its own that sees the library (as a notebook's
// folder inside a project does), so that a test can write modules there for cells to import.
const folder = mkdtempSync(join(tmpdir(), 'lepton-reuse-'));
const library = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'lib');
mkdirSync(join(folder, 'node_modules', '@lepton'), { recursive: true });
symlinkSync(library, join(folder, 'node_modules', '@lepton', 'lib'));
writeFileSync(join(folder, 'helper.ts'), 'export const answer = 42;\n');
const previousFolder = process.cwd();
process.chdir(folder);
const lean = installLeanWatchProgram(['node'], []);
const tslab = createRequire(import.meta.url)('tslab/dist/converter') as typeof import('tslab/dist/converter.js');
const converter = tslab.createConverter();
process.chdir(previousFolder);
after(() => {
  converter.close();
  rmSync(folder, { recursive: true, force: true });
});

let declarations = '';
/** Converts a cell as the kernel does, keeping its declarations when it has no errors; says whether it was reused. */
function run(src: string) {
  const before = lean.reusedCells;
  const result = lean.convertingCell(() => converter.convert(declarations, src));
  if (result.diagnostics.length === 0) declarations = result.declOutput ?? '';
  return {
    codes: result.diagnostics.map((d) => d.code),
    output: result.output ?? '',
    reused: lean.reusedCells > before,
  };
}

test("cells after the first are checked by the previous program's checker, with earlier names and types", () => {
  run('let count = 1');
  const ok = run('let label = count.toFixed(2); label');
  assert.deepEqual(ok.codes, []);
  assert.equal(ok.reused, true);
  assert.match(ok.output, /exports\.label = label/);
  assert.deepEqual(run('const wrong: number = label').codes, [2322]);
});

test('a cell is checked against the reused checker once, whether or not it declares names', () => {
  // tslab rebuilds twice for a cell with names; only the second is checked, so only it may count toward the
  // CELLS_PER_CHECKER cells a checker serves before a rebuild.
  run('let first = 1');
  for (const src of ['let withNames = first + 1; withNames', 'first * 2', 'function named() { return first }']) {
    const before = lean.reusedCells;
    const result = run(src);
    assert.deepEqual(result.codes, []);
    assert.equal(lean.reusedCells - before, 1, src);
  }
  assert.match(run('named() + withNames').output, /exports\.named\(\) \+ exports\.withNames/);
});

test('the declarations a stand-in parsed are lent for their exact text only, naming the same values', () => {
  run('let lent = 1; function lender() { return lent }');
  const carried = declarations;
  assert.equal(run('lender() + 1').reused, true);
  const parsed = lean.parsedDeclarations(carried);
  assert.ok(parsed);
  assert.deepEqual([...declaredNames(parsed)].sort(), [...declaredNames(carried)].sort());
  assert.ok(declaredNames(parsed).has('lender'));
  assert.equal(lean.parsedDeclarations(`${carried}declare let other: number;\n`), undefined);
});

test('the same type error twice is reported twice, and the next cell reports none of it', () => {
  assert.deepEqual(run('const twice: string = 1').codes, [2322]);
  const again = run('const twice: string = 1');
  assert.equal(again.reused, true);
  assert.deepEqual(again.codes, [2322]);
  assert.deepEqual(run('const twice: string = "1"').codes, []);
});

test('comment directives and syntax errors are reported as a rebuild reports them', () => {
  assert.deepEqual(run('// @ts-expect-error\nconst expected: number = "x"').codes, []);
  assert.deepEqual(run('// @ts-expect-error\nconst unneeded: number = 1').codes, [2578]);
  assert.deepEqual(run('// @ts-ignore\nconst ignored: number = "x"').codes, []);
  assert.deepEqual(run('let broken = (1').codes, [1005]);
});

test('a cell importing a module no program resolved yet rebuilds; later cells reuse its resolution', () => {
  const importing = run('import { answer } from "./helper"; const doubled = answer * 2');
  assert.deepEqual(importing.codes, []);
  assert.equal(importing.reused, false);
  const later = run('answer.toFixed(doubled)');
  assert.deepEqual(later.codes, []);
  assert.equal(later.reused, true);
});

test('a module changed on disk is read again before the next cell is checked', async () => {
  writeFileSync(join(folder, 'helper.ts'), 'export const answer = "forty-two";\n');
  // The change reaches the compiler through TypeScript's file watcher, a moment later.
  const deadline = Date.now() + 5000;
  let codes = run('answer.length').codes;
  while (codes.length > 0 && Date.now() < deadline) {
    await sleep(100);
    codes = run('answer.length').codes;
  }
  assert.deepEqual(codes, []);
  assert.deepEqual(run('const stillNumber: number = answer').codes, [2322]);
});

test('global augmentations are never checked against an old checker', () => {
  const augmenting = run('declare global { var leptonAugmented: number } leptonAugmented = 1; export {}');
  assert.equal(augmenting.reused, false);
});
