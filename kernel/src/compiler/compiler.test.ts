import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { Compiler } from './client.js';

// Without the preloaded declarations: these tests are about how cells are converted, and start faster so.
const compiler = new Compiler({ types: ['node'] });
// The worker is unref'd (it must not keep the kernel alive); keep the test process up while it answers.
const keepAlive = setInterval(() => {}, 1000);
after(async () => {
  clearInterval(keepAlive);
  await compiler.close();
});

async function run(src: string) {
  const answer = await compiler.request('convert', { src });
  if (answer.diagnostics.length === 0) await compiler.request('commit', {});
  return answer;
}

test('a cell that declares names is converted with them exported and its last expression kept', async () => {
  const answer = await run('let first = 2 * 21; first');
  assert.deepEqual(answer.diagnostics, []);
  assert.match(answer.output ?? '', /exports\.first = first/);
  assert.equal(answer.lastExpressionVar, 'tsLastExpr');
});

test('names carry to the next cell with their types, and a misuse is a type error at its position', async () => {
  await run('let label = "answer"; label');
  const ok = await run('label.length');
  assert.deepEqual(ok.diagnostics, []);
  const wrong = await compiler.request('convert', { src: 'const count: number = label' });
  assert.deepEqual(
    wrong.diagnostics.map(({ line, column, code }) => ({ line, column, code })),
    [{ line: 0, column: 6, code: 2322 }],
  );
});

test('a cell converted again on the same declarations gives the same answer', async () => {
  // Not committed in between (the cell failed at run time, or is run again): the program is the same as before.
  const first = await compiler.request('convert', { src: 'let again = 1; again' });
  const second = await compiler.request('convert', { src: 'let again = 1; again' });
  assert.deepEqual(second, first);
  const failing = await compiler.request('convert', { src: 'let broken: string = 1' });
  const failingAgain = await compiler.request('convert', { src: 'let broken: string = 1' });
  assert.equal(failing.diagnostics[0]?.code, 2322);
  assert.deepEqual(failingAgain, failing);
});

test('cells with and without names alternate, and inspection sees the committed names', async () => {
  await run('let alternating = 1');
  assert.deepEqual((await run('alternating + 1')).diagnostics, []);
  assert.deepEqual((await run('function twice(x: number) { return 2 * x }')).diagnostics, []);
  const answer = await run('twice(alternating)');
  assert.deepEqual(answer.diagnostics, []);
  assert.equal(answer.lastExpressionVar, 'tsLastExpr');
  const info = await compiler.request('inspect', { src: 'twice', position: 2 });
  assert.match(info.signature, /function twice\(x: number\): number/);
});

test('cells come out as CommonJS in one emit: imports required, exported names kept up to date', async () => {
  const answer = await run(
    'import * as nodePath from "node:path"; let counter = 0; function bump() { counter += 1 }\nnodePath.sep',
  );
  assert.deepEqual(answer.diagnostics, []);
  const output = answer.output ?? '';
  assert.doesNotMatch(output, /^\s*(import|export)\s/m);
  assert.match(output, /require\("node:path"\)/);
  assert.match(output, /exports\.counter = counter \+= 1/);
  assert.doesNotMatch(output, /"use strict"/);
});

test('a cell that stopped part-way commits the types of the declarations that ran and keeps earlier ones', async () => {
  await run('let kept = "text"; let replaced = "earlier"');
  const answer = await compiler.request('convert', {
    src: 'const reachedHere = 1; throw new Error("x"); const notReached = 2; let replaced = 3',
  });
  assert.deepEqual(answer.declaredNames.sort(), ['notReached', 'reachedHere', 'replaced']);
  await compiler.request('commit', { reached: ['reachedHere'] });
  assert.deepEqual(
    (await compiler.request('convert', { src: 'const n: number = reachedHere; const s: string = replaced + kept' }))
      .diagnostics,
    [],
  );
  const missing = await compiler.request('convert', { src: 'notReached' });
  assert.equal(missing.diagnostics[0]?.code, 2304);
});
