import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runsNoUserCode } from './inert-cell.js';

const earlier = new Set(['previous', 'table', 'fib', 'tag']);

/** Asserts the answer for every cell of `cells`, naming the cell that got the other one. */
function expectAll(cells: string[], expected: boolean) {
  for (const cell of cells) assert.equal(runsNoUserCode(cell, earlier), expected, cell);
}

test('declaring names from literals and reading names runs no user code', () => {
  expectAll(
    [
      'let x3 = 3 * 2; x3',
      'const label = "a" + `b`; const same = label === previous; previous',
      'let flag = !table && (1 < 2); let list = [1, , previous] as number[]',
      'function slow(n: number): number { return n < 2 ? n : slow(n - 1) + slow(n - 2) }\nconst f = () => slow(40)',
      'interface Point { x: number }\ntype Id = string;\nlet nothing = undefined; let n = NaN; let inf = Infinity',
    ],
    true,
  );
});

test('a call, a property read, a loop, an await or a class may run user code', () => {
  expectAll(
    [
      'fib(40)',
      'table.length',
      'new Date()',
      'while (true) {}',
      'for (const x of [1]) x',
      'await previous',
      'class Box { static size = 1 }',
      'tag`x`',
    ],
    false,
  );
});

test('operators that convert an object, and destructuring, may run user code', () => {
  // `valueOf`, `toString` or an iterator of an earlier cell's object would run.
  expectAll(
    [
      'previous + 1',
      '`${previous}`',
      '-previous',
      'previous == 1',
      'const [a] = table',
      'const list = [...table]',
      '"key" in table',
    ],
    false,
  );
});

test('a global other than a fixed one, BigInt arithmetic and a long cell are not assumed to be quick', () => {
  // A global may be a getter defined by a cell; `10n ** 10000000n` takes minutes; a long cell is not examined.
  expectAll(['process', 'let big = 10n ** 10000000n', `let long = ${'1 + '.repeat(400)}1`], false);
});
