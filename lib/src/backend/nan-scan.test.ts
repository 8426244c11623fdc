import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { backend } from './select.js';
import { filledTensors } from './filled.js';
import { allFinite, firstNaN } from './nan-scan.js';

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

describe('allFinite', () => {
  before(async () => {
    await backend('wasm');
  });

  /** A float32 tensor of 103 values (not a whole number of SIMD groups) on the wasm heap, with `value` at `at`. */
  const withValueAt = (at: number, value: number) =>
    tf.tensor1d(Array.from({ length: 103 }, (_, i) => (i === at ? value : i - 50.5)));

  test('answers true for finite values on the wasm heap and false for NaN or ±Infinity in a SIMD group or the tail', () => {
    const clean = withValueAt(0, 3.4e38);
    assert.equal(allFinite(clean), true);
    clean.dispose();
    for (const at of [0, 57, 99, 101, 102])
      for (const value of [NaN, Infinity, -Infinity]) {
        const t = withValueAt(at, value);
        assert.equal(allFinite(t), false, `${value} at ${at}`);
        t.dispose();
      }
  });

  test('cannot tell (undefined) for other dtypes and for tensors held by another backend', async () => {
    const ints = tf.tensor1d([1, 2, 3], 'int32');
    assert.equal(allFinite(ints), undefined);
    ints.dispose();
    await tf.setBackend('cpu');
    const onCpu = tf.tensor1d([1, NaN]);
    await tf.setBackend('wasm');
    assert.equal(allFinite(onCpu), undefined);
    onCpu.dispose();
  });
});
