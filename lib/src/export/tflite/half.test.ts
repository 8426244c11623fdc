import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromHalfBits, toHalfBits } from './half.js';

test('float16 rounding keeps exact halves and rounds to the nearest representable value', () => {
  for (const v of [0, 1, -2, 0.5, 65504, 2 ** -14, 2 ** -24]) assert.equal(fromHalfBits(toHalfBits(v)), v);
  assert.equal(toHalfBits(1 + 2 ** -11), toHalfBits(1), 'a tie rounds to the even mantissa');
  assert.equal(fromHalfBits(toHalfBits(1 + 3 * 2 ** -11)), 1 + 2 * 2 ** -10, 'a tie rounds up to the even mantissa');
  assert.equal(fromHalfBits(toHalfBits(0.1)), 0.0999755859375);
  assert.equal(fromHalfBits(toHalfBits(1e6)), Infinity);
  assert.equal(fromHalfBits(toHalfBits(-1e-9)), -0);
});
