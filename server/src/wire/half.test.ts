import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fromHalf, halfNonFinite, toHalf } from './half.js';

describe('FP16 conversions', () => {
  test('known bit patterns of IEEE 754 half precision', () => {
    const cases: Array<[number, number]> = [
      [0, 0x0000],
      [-0, 0x8000],
      [1, 0x3c00],
      [-2, 0xc000],
      [1.5, 0x3e00],
      [65504, 0x7bff],
      [2 ** -24, 0x0001],
      [2 ** -14, 0x0400],
      [0.333251953125, 0x3555],
      [Infinity, 0x7c00],
      [-Infinity, 0xfc00],
    ];
    for (const [value, bits] of cases) {
      assert.equal(toHalf(value), bits, `toHalf(${value})`);
      assert.ok(Object.is(fromHalf(bits), value), `fromHalf(0x${bits.toString(16)})`);
    }
    assert.ok(Number.isNaN(fromHalf(toHalf(NaN))));
  });

  test('rounds to the nearest half, ties to even, and overflows to Infinity', () => {
    assert.equal(toHalf(0.1), 0x2e66);
    assert.equal(toHalf(1 + 2 ** -11), 0x3c00); // a tie between 1 and 1 + 2^-10: to the even mantissa
    assert.equal(toHalf(1 + 3 * 2 ** -11), 0x3c02); // a tie: up to the even one
    assert.equal(toHalf(65520), 0x7c00); // halfway past 65504 rounds up to Infinity
    assert.equal(toHalf(65519), 0x7bff);
    assert.equal(toHalf(2 ** -25), 0x0000); // a tie between 0 and the smallest subnormal: to even (0)
    assert.equal(toHalf(3 * 2 ** -26), 0x0001);
  });

  test('every finite half survives a round trip through a number', () => {
    for (let bits = 0; bits < 0x10000; bits++) {
      if (halfNonFinite(bits)) continue;
      assert.equal(toHalf(fromHalf(bits)), bits === 0x8000 ? 0x8000 : bits);
    }
    assert.ok(halfNonFinite(0x7c00) && halfNonFinite(0xfe00) && !halfNonFinite(0x7bff));
  });
});
