import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { backend } from './select.js';
import { filledTensors } from './filled.js';
import { firstNaN } from './nan-scan.js';

/** The first NaN of 103 values (not a whole number of SIMD groups) with NaNs at `holes`, found in wasm heap memory. */
function onHeap(holes: number[]): number {
  let found = -2;
  const [t] = filledTensors([[103]], ([values]) => {
    for (let i = 0; i < 103; i++) values![i] = holes.includes(i) ? NaN : i === 7 ? Infinity : i - 50;
    found = firstNaN(values!);
  });
  t!.dispose();
  return found;
}

describe('firstNaN', () => {
  before(async () => {
    await backend('wasm');
  });

  test('finds the first NaN in wasm memory, inside the SIMD groups and in the tail; -1 when there is none (∞ is no hole)', () => {
    assert.equal(tf.getBackend(), 'wasm');
    assert.equal(onHeap([]), -1);
    assert.equal(onHeap([0]), 0);
    assert.equal(onHeap([57, 90]), 57);
    assert.equal(onHeap([101]), 101);
    assert.equal(onHeap([102]), 102);
  });

  test('finds it in an ordinary Float32Array too', () => {
    assert.equal(firstNaN(new Float32Array([1, 2, NaN])), 2);
    assert.equal(firstNaN(new Float32Array([1, 2, 3])), -1);
  });
});
