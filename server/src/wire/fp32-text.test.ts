import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readFloat32Array } from './fp32-text.js';

/** What `JSON.parse` then `Math.fround` give for each number text: the reader's contract. */
const expected = (texts: readonly string[]) => texts.map((t) => Math.fround(JSON.parse(t) as number));

/** Reads `[texts]` and asserts every element is bit for bit `Math.fround(JSON.parse(text))` (-0 included). */
function assertExact(texts: readonly string[]): void {
  const body = Buffer.from(`[${texts.join(',')}]`, 'latin1');
  const list = readFloat32Array(body, 0);
  assert.ok(list, `read ${texts.slice(0, 3).join(', ')}…`);
  assert.equal(list.end, body.length);
  const want = expected(texts);
  for (let i = 0; i < texts.length; i++) {
    assert.ok(
      Object.is(list.values[i], want[i]),
      `${texts[i]!}: read ${String(list.values[i])}, want ${String(want[i])}`,
    );
  }
}

/** Random bits for the random cases, from a fixed seed (xorshift32), so a failure can be replayed. */
function randomBits(seed: number): () => number {
  let state = seed;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return state >>> 0;
  };
}

describe('readFloat32Array', () => {
  it('reads edge cases exactly as JSON.parse then Math.fround: zeros, exponents, denormals, long mantissas', () => {
    assertExact([
      '0',
      '-0',
      '0.0',
      '-0.0e5',
      '1',
      '-1',
      '1E10',
      '1e+10',
      '1e-10',
      '1e22',
      '1e23',
      '1e-22',
      '1e-23',
      '0.1',
      '0.30000000000000004',
      '3.4028234663852886e38', // the largest float
      '3.4028235677973362e38', // just below the midpoint to Infinity: the largest float
      '1e-45', // the smallest denormal float
      '7e-46', // rounds up to it
      '7.006492321624085e-46', // just below half of it: zero
      '1.1754943508222875e-38', // the smallest normal float
      '1.1754942e-38', // a denormal float
      '2.5e-324',
      '1e-400', // zero as a double
      '9007199254740993', // 2^53 + 1: above doubles' exact integers
      '18446744073709551616', // 2^64
      '123456789012345678901234567890',
      '16777217', // 2^24 + 1: a tie between two floats, to the even one
      '16777217.000000001', // just above that tie
      '1.00000005960464477539062500', // 1 + 2^-24 exactly: a float midpoint
      '1.0000000596046448', // the double just above it
      '1.0000000596046446', // the double just below it
      `0.${'0'.repeat(50)}1`,
      `1${'0'.repeat(30)}`,
      '12345678901234567890e-10',
      '3.14159265358979323846264338327950288',
      '0.00392156862745098', // the serve bench's data: (i % 255) / 255
      '0.011764705882352941',
    ]);
  });

  it('reads a million random float and double printings exactly, midpoints between floats included', () => {
    const next = randomBits(0x2f6e2b1);
    const f32 = new Float32Array(1);
    const f32Bits = new Uint32Array(f32.buffer);
    const f64 = new Float64Array(1);
    const f64Bits = new Uint32Array(f64.buffer);
    let texts: string[] = [];
    for (let n = 0; n < 1_000_000; n++) {
      const kind = n % 4;
      if (kind === 0) {
        // A float, printed shortest and to 9 digits.
        f32Bits[0] = next();
        if (!Number.isFinite(f32[0]!)) continue;
        texts.push(String(f32[0]!), f32[0]!.toPrecision(9));
      } else if (kind === 1) {
        // A double, printed shortest (up to 17 digits), within the floats' range (beyond it see the next case).
        f64Bits[0] = next();
        f64Bits[1] = next();
        if (!Number.isFinite(Math.fround(f64[0]!))) continue;
        texts.push(String(f64[0]!));
      } else if (kind === 2) {
        // The midpoint between a float and the next: where JSON.parse's rounding to a double decides the float.
        f32Bits[0] = next() & 0x7f7fffff;
        const low = f32[0]!;
        f32Bits[0] += 1;
        const mid = (low + f32[0]!) / 2;
        if (!Number.isFinite(mid)) continue;
        texts.push(String(mid), mid.toPrecision(17), mid.toPrecision(19), mid.toPrecision(21));
      } else {
        // A decimal of 1 to 21 digits at a scale from 1e-22 to 1e22, as a person or another language writes one.
        const value = (next() / 2 ** 32) * 10 ** ((next() % 45) - 22);
        texts.push(value.toPrecision(1 + (next() % 21)), value.toFixed(next() % 20));
      }
      if (texts.length >= 4096) {
        assertExact(texts);
        texts = [];
      }
    }
    assertExact(texts);
  });

  it('answers the index after the closing bracket, whitespace allowed between tokens', () => {
    const body = Buffer.from('{"data": [ 1 ,\n\t2\r\n, -3.5e0 ] , "x": 1}');
    const open = body.indexOf('[');
    const list = readFloat32Array(body, open);
    assert.ok(list);
    assert.deepEqual(Array.from(list.values), [1, 2, -3.5]);
    assert.equal(body.toString('latin1', list.end), ' , "x": 1}');
    const empty = readFloat32Array(Buffer.from('[ ]'), 0);
    assert.ok(empty);
    assert.equal(empty.values.length, 0);
    assert.equal(empty.end, 3);
  });

  it('refuses what JSON refuses and what is not a flat list of numbers, reading no further', () => {
    for (const text of [
      '[01]',
      '[1.]',
      '[.5]',
      '[+1]',
      '[-]',
      '[1e]',
      '[1e+]',
      '[NaN]',
      '[Infinity]',
      '[- 1]',
      '[1 2]',
      '[1,]',
      '[,1]',
      '[1',
      '[1,2',
      '[[1,2]]',
      '[1,[2]]',
      '["1"]',
      '[true]',
      '[null]',
      '[0x10]',
      '[1_000]',
    ]) {
      assert.equal(readFloat32Array(Buffer.from(text), 0), undefined, text);
    }
  });

  it('refuses a number whose float is not finite, so that the caller reports it with its own text', () => {
    for (const text of ['[1e39]', '[-1e39]', '[3.4028235677973366e38]', '[1e400]', `[1${'0'.repeat(40)}]`]) {
      assert.equal(readFloat32Array(Buffer.from(text), 0), undefined, text);
    }
  });

  it('reads lists longer than its scratch space', () => {
    const values = Array.from({ length: 5000 }, (_, i) => i / 7);
    const list = readFloat32Array(Buffer.from(JSON.stringify(values)), 0);
    assert.ok(list);
    assert.deepEqual(Array.from(list.values), Array.from(Float32Array.from(values)));
  });
});
