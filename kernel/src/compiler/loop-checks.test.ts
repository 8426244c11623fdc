import { test } from 'node:test';
import assert from 'node:assert/strict';
import ts from 'typescript';
import { LOOP_CHECK, loopChecks } from './loop-checks.js';

function transform(source: string): string {
  const file = ts.createSourceFile('cell.ts', source, ts.ScriptTarget.ES2022, true);
  const result = ts.transform(file, [loopChecks(ts)]);
  return ts.createPrinter().printFile(result.transformed[0]!);
}

for (const [kind, source] of [
  ['while', 'while (x) step();'],
  ['do', 'do { step(); } while (x);'],
  ['for', 'for (let i = 0; i < 3; i++) step();'],
  ['for…in', 'for (const k in o) { step(); }'],
  ['for…of', 'for (const v of list) step();'],
  ['for await', 'async function f() { for await (const v of list) step(); }'],
]) {
  test(`a ${kind} loop checks for a break first in every iteration`, () => {
    const output = transform(source!);
    assert.equal(output.split(`${LOOP_CHECK}();`).length - 1, 1, output);
    assert.ok(output.indexOf(`${LOOP_CHECK}();`) < output.indexOf('step()'), output);
  });
}

test('nested loops each check, and code without loops is left as it is', () => {
  assert.equal(transform('while (a) { for (;;) { break; } }').split(`${LOOP_CHECK}();`).length - 1, 2);
  assert.equal(transform('const a = 1;\nf(a);\n'), 'const a = 1;\nf(a);\n');
});
