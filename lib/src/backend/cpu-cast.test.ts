import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import './cpu-cast.js';

describe('a float tensor cast from integers on cpu', () => {
  it('keeps its values when it moves to the wasm backend', async () => {
    await tf.setBackend('cpu');
    const labels = tf.tensor1d([1, 2, 3], 'int32').toFloat();
    const flags = tf.tensor1d([true, false, true], 'bool').cast('float32');
    const ints = tf.tensor1d([4, 5], 'int32').cast('int32');
    await tf.setBackend('wasm');
    assert.deepEqual(Array.from(labels.add(1).dataSync()), [2, 3, 4]);
    assert.deepEqual(Array.from(flags.mul(2).dataSync()), [2, 0, 2]);
    assert.deepEqual(Array.from(ints.add(1).dataSync()), [5, 6], 'other casts are the original kernel');
    tf.dispose([labels, flags, ints]);
  });
});
