import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { Compiler } from './client.js';
import { installLeanWatchProgram } from './lean-program.js';

const compiler = new Compiler({ types: ['node'] });
// The worker is unref'd (it must not keep the kernel alive); keep the test process up while it answers.
const keepAlive = setInterval(() => {}, 1000);
after(async () => {
  clearInterval(keepAlive);
  await compiler.close();
});

const positions = (answer: { diagnostics: { line: number; column: number; code: number }[] }) =>
  answer.diagnostics.map(({ line, column, code }) => ({ line, column, code }));

test('a cell whose declarations cannot be written answers the declaration error at its position and no code', async () => {
  // TS4094 comes from the declaration transform only: the check before the emit no longer runs it, the emit does.
  const answer = await compiler.request('convert', {
    src: 'let fine = 1\nconst Hidden = class { private secret = 1 }; Hidden',
  });
  assert.deepEqual(positions(answer), [{ line: 1, column: 6, code: 4094 }]);
  assert.match(answer.diagnostics[0]!.message, /Property 'secret' of exported class expression may not be private/);
  assert.equal(answer.output, undefined);
});

test('a cell with a type error and a declaration error answers both', async () => {
  const answer = await compiler.request('convert', {
    src: 'const Hidden = class { private secret = 1 }; let wrong: string = 1; Hidden',
  });
  assert.deepEqual(positions(answer), [
    { line: 0, column: 6, code: 4094 },
    { line: 0, column: 49, code: 2322 },
  ]);
  assert.equal(answer.output, undefined);
});

test('after a declaration error the next cell converts and commits as usual', async () => {
  await compiler.request('convert', { src: 'const Hidden = class { private secret = 1 }' });
  const answer = await compiler.request('convert', { src: 'let afterwards = 2 * 21; afterwards' });
  assert.deepEqual(answer.diagnostics, []);
  assert.match(answer.output ?? '', /exports\.afterwards = afterwards/);
  await compiler.request('commit', {});
  const declarations = await compiler.request('commit', {});
  assert.match(declarations, /afterwards: number/);
  assert.doesNotMatch(declarations, /Hidden/);
});

test("a cell without errors is checked without its declaration transform, though tslab's options carry a warning", () => {
  // In this process, to count the cells whose declaration diagnostics were left to the emit: tslab's program reports
  // TS5101 (its `noImplicitUseStrict` is deprecated) on every cell, in no file; that must not count as an error.
  const lean = installLeanWatchProgram(['node'], []);
  const tslab = createRequire(import.meta.url)('tslab/dist/converter') as typeof import('tslab/dist/converter.js');
  const converter = tslab.createConverter();
  try {
    const before = lean.declarationChecksDeferred;
    const fine = lean.convertingCell(() => converter.convert('', 'let deferred = 2 * 21; deferred'));
    assert.deepEqual(fine.diagnostics, []);
    assert.match(fine.declOutput ?? '', /deferred: number/);
    assert.equal(lean.declarationChecksDeferred, before + 1);
    // Left to the emit, a declaration error still stops the cell: no output, the error at its position.
    const hidden = lean.convertingCell(() => converter.convert('', 'const Hidden = class { private secret = 1 }'));
    assert.deepEqual(
      hidden.diagnostics.map((d) => [d.start.line, d.start.character, d.code]),
      [[0, 6, 4094]],
    );
    assert.equal(hidden.output, undefined);
    assert.equal(lean.declarationChecksDeferred, before + 2);
  } finally {
    converter.close();
  }
});
