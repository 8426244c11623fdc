import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runsNoUserCode } from './inert-cell.js';

const earlier = new Set(['previous', 'table']);

test('declaring names from literals and reading names runs no user code', () => {
  assert.equal(runsNoUserCode('let x3 = 3 * 2; x3', earlier), true);
  assert.equal(runsNoUserCode('const label = "a" + `b`; const same = label === previous; previous', earlier), true);
  assert.equal(runsNoUserCode('let flag = !table && (1 < 2); let list = [1, , previous] as number[]', earlier), true);
  assert.equal(runsNoUserCode('function fib(n: number): number { return n < 2 ? n : fib(n - 1) + fib(n - 2) }\nconst f = () => fib(40)', earlier), true);
  assert.equal(runsNoUserCode('interface Point { x: number }\ntype Id = string;\nlet nothing = undefined', earlier), true);
});

test('a call, a property read, a loop or an await may run user code', () => {
  assert.equal(runsNoUserCode('fib(40)', new Set(['fib'])), false);
  assert.equal(runsNoUserCode('table.length', earlier), false);
  assert.equal(runsNoUserCode('new Date()', earlier), false);
  assert.equal(runsNoUserCode('while (true) {}', earlier), false);
  assert.equal(runsNoUserCode('for (const x of [1]) x', earlier), false);
  assert.equal(runsNoUserCode('await previous', earlier), false);
  assert.equal(runsNoUserCode('class Box { static size = 1 }', earlier), false);
  assert.equal(runsNoUserCode('tag`x`', new Set(['tag'])), false);
});

test('operators that convert an object, and destructuring, may run user code', () => {
  // `valueOf`, `toString` or an iterator of an earlier cell's object would run.
  assert.equal(runsNoUserCode('previous + 1', earlier), false);
  assert.equal(runsNoUserCode('`${previous}`', earlier), false);
  assert.equal(runsNoUserCode('-previous', earlier), false);
  assert.equal(runsNoUserCode('previous == 1', earlier), false);
  assert.equal(runsNoUserCode('const [a] = table', earlier), false);
  assert.equal(runsNoUserCode('const list = [...table]', earlier), false);
  assert.equal(runsNoUserCode('"key" in table', earlier), false);
});

test('a global other than a fixed one, and BigInt arithmetic, are not assumed to be quick', () => {
  // A global may be a getter defined by a cell; `10n ** 10000000n` takes minutes.
  assert.equal(runsNoUserCode('process', earlier), false);
  assert.equal(runsNoUserCode('let big = 10n ** 10000000n', earlier), false);
  assert.equal(runsNoUserCode('let n = NaN; let inf = Infinity', earlier), true);
});

test('a long cell is not examined', () => {
  assert.equal(runsNoUserCode(`let long = ${'1 + '.repeat(400)}1`, earlier), false);
});
