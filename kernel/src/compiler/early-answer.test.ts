import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import type * as TS from 'typescript';
import { Compiler } from './client.js';
import { installLeanWatchProgram } from './lean-program.js';
import { createEarlyAnswer, type EmittedCell } from './early-answer.js';
import { preloadedTypeFiles } from '../preload.js';

// tslab's converter in this process, to see what is handed early against what tslab answers in the end; with the
// kernel's preloaded declarations, whose packages bring `.d.mts` files into the program.
const lean = installLeanWatchProgram(['node'], preloadedTypeFiles());
const tslab = createRequire(import.meta.url)('tslab/dist/converter') as typeof import('tslab/dist/converter.js');
const converter = tslab.createConverter();
// And the worker, as the kernel asks it.
const compiler = new Compiler({ types: ['node'] });
// The worker is unref'd (it must not keep the kernel alive); keep the test process up while it answers.
const keepAlive = setInterval(() => {}, 1000);
after(async () => {
  clearInterval(keepAlive);
  converter.close();
  await compiler.close();
});

let declarations = '';
/** Converts a cell as the worker does; what was handed early, and whether that came before tslab returned. */
function convert(src: string) {
  const early: { cell: EmittedCell; beforeReturn: boolean }[] = [];
  let returned = false;
  const result = lean.convertingCell(
    () => {
      const converted = converter.convert(declarations, src);
      returned = true;
      return converted;
    },
    (cell) => early.push({ cell, beforeReturn: !returned }),
  );
  if (result.diagnostics.length === 0) declarations = result.declOutput ?? '';
  return { result, early };
}

test("a clean cell's output is handed once, before tslab returns, and equals what tslab answers", () => {
  for (const src of [
    'let first = 2 * 21; first',
    'first + 1',
    'function twice(n: number) { return 2 * n }',
    'const tsLastExpr = 1; twice(tsLastExpr)',
    'interface Point { x: number }\nconst p: Point = { x: first }; p',
    'for (let i = 0; i < 2; i++) first += i',
  ]) {
    const { result, early } = convert(src);
    assert.deepEqual(result.diagnostics, [], src);
    assert.equal(early.length, 1, src);
    assert.equal(early[0]!.beforeReturn, true, src);
    assert.equal(early[0]!.cell.output, result.output, src);
    assert.equal(early[0]!.cell.lastExpressionVar, result.lastExpressionVar, src);
  }
});

/**
 * Emits a cell through createEarlyAnswer with a stand-in for TypeScript's emit, which writes the cell's `.js`, then
 * its `.d.ts` (as TypeScript does) and reports `declarationErrors`; the order in which things happened.
 */
function emitInOrder(declarationsCannotFail: boolean, declarationErrors: number) {
  const events: string[] = [];
  const early = createEarlyAnswer(lean.ts);
  const file = lean.ts.createSourceFile('/x/__tslab__.ts', 'let a = 1', lean.ts.ScriptTarget.ES2022);
  const diagnostic = { category: lean.ts.DiagnosticCategory.Error } as TS.Diagnostic;
  const emit = early.wrapEmit(
    (_file: TS.SourceFile, write: (name: string, text: string) => void) => {
      write('/x/__tslab__.js', 'exports.a = 1;');
      events.push('declaration transform');
      write('/x/__tslab__.d.ts', 'export declare let a: number;');
      return { emitSkipped: false, diagnostics: Array<TS.Diagnostic>(declarationErrors).fill(diagnostic) };
    },
    () => true,
    () => declarationsCannotFail,
  );
  early.begin(
    (cell) => events.push(`handed ${cell.output}`),
    () => true,
  );
  emit(file, (name: string) => events.push(`wrote ${name.slice(name.indexOf('.'))}`));
  early.end();
  return events;
}

/** What the stand-in emit does, in its order; the kernel's answer comes before or after. */
const emitSteps = ['wrote .js', 'declaration transform', 'wrote .d.ts'];
const handed = 'handed exports.a = 1;';

test('a cell whose declaration transform cannot fail is handed when its JavaScript is written, before that transform', () => {
  assert.deepEqual(emitInOrder(true, 0), [handed, ...emitSteps]);
});

test('any other cell is handed after its declaration transform, and not at all when that reports an error', () => {
  assert.deepEqual(emitInOrder(false, 0), [...emitSteps, handed]);
  assert.deepEqual(emitInOrder(false, 1), emitSteps);
});

test('nothing is handed early for a type error, a declaration error or a top-level await', () => {
  for (const [src, codes] of [
    ['let wrong: string = 1; wrong', [2322]],
    ['const Hidden = class { private secret = 1 }', [4094]],
  ] as const) {
    const { result, early } = convert(src);
    assert.deepEqual(
      result.diagnostics.map((d) => d.code),
      codes,
      src,
    );
    assert.equal(result.output, undefined, src);
    assert.deepEqual(early, [], src);
  }
  const awaiting = convert('const later = await Promise.resolve(first); later');
  assert.deepEqual(awaiting.result.diagnostics, []);
  assert.equal(awaiting.result.hasToplevelAwait, true);
  assert.deepEqual(awaiting.early, []);
});

test('the worker answers a cell with a type error with the error and no code, though its emit alone would run', async () => {
  const answer = await compiler.request('convert', {
    src: '(globalThis as { ranAnyway?: boolean }).ranAnyway = true\nconst count: number = "many"',
  });
  assert.deepEqual(
    answer.diagnostics.map(({ line, code }) => ({ line, code })),
    [{ line: 1, code: 2322 }],
  );
  // No code to run: the kernel runs nothing (test/src/kernel/failed-cells.test.ts checks the side effect is absent).
  assert.equal(answer.output, undefined);
});

test('the worker answers a clean cell early and still commits its declarations for the next cell', async () => {
  const answer = await compiler.request('convert', { src: 'let early = 2 * 21; early' });
  assert.deepEqual(answer.diagnostics, []);
  assert.match(answer.output ?? '', /exports\.early = early/);
  assert.equal(answer.lastExpressionVar, 'tsLastExpr');
  assert.deepEqual(answer.declaredNames, ['early']);
  assert.equal(answer.runsNoUserCode, true);
  assert.match(await compiler.request('commit', {}), /early: number/);
  const next = await compiler.request('convert', { src: 'const half: string = early / 2' });
  assert.deepEqual(
    next.diagnostics.map((d) => d.code),
    [2322],
  );
});
