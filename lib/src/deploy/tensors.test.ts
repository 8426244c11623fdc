// predict's inputs become OIP v2 request tensors of the model's specs, with clear errors for bad shapes.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import type { TensorSpec } from '@lepton/server';
import { requestTensors, responseTensors, type PredictInput } from './tensors.js';

const spec: TensorSpec = { name: 'x', datatype: 'FP32', shape: [-1, 2] };

describe('deploy tensors', () => {
  const cases: Array<[string, PredictInput]> = [
    ['nested arrays', [[1, 2], [3, 4]]],
    ['a tf.Tensor', tf.tensor2d([[1, 2], [3, 4]])],
    ['a Float32Array with its shape', { data: new Float32Array([1, 2, 3, 4]), shape: [2, 2] }],
  ];
  for (const [label, value] of cases) {
    test(`${label} become one FP32 request tensor of shape [2, 2]`, () => {
      assert.deepEqual(requestTensors([spec], value), [{ name: 'x', shape: [2, 2], datatype: 'FP32', data: [1, 2, 3, 4] }]);
    });
  }

  test('ragged arrays, a wrong rank and a missing named input are errors naming the input', () => {
    assert.throws(() => requestTensors([spec], [[1, 2], [3]]), /"x": the nested arrays are ragged/);
    assert.throws(() => requestTensors([spec], [[[1, 2]]]), /"x" takes shape \[batch, 2\], got \[1, 1, 2\]/);
    assert.throws(() => requestTensors([spec, { ...spec, name: 'y' }], { x: [[1, 2]] }), /Input "y" is missing/);
  });

  test('response tensors come back as tf.Tensors by output name', () => {
    const out = responseTensors({ model_name: 'm', model_version: '1', outputs: [{ name: 'p', shape: [1, 2], datatype: 'FP32', data: [0.25, 0.75] }] });
    assert.deepEqual(out.p!.arraySync(), [[0.25, 0.75]]);
  });
});
