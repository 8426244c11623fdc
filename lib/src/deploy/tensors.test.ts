// predict's inputs become OIP v2 request tensors of the model's specs, with clear errors for bad shapes.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import type { InferResponse, TensorSpec } from '@lepton/server';
import { BINARY_MIN_ELEMENTS, requestTensors, responseTensors, type PredictInput } from './tensors.js';

const spec: TensorSpec = { name: 'x', datatype: 'FP32', shape: [-1, 2] };

describe('deploy tensors', () => {
  const cases: Array<[string, PredictInput]> = [
    [
      'nested arrays',
      [
        [1, 2],
        [3, 4],
      ],
    ],
    [
      'a tf.Tensor',
      tf.tensor2d([
        [1, 2],
        [3, 4],
      ]),
    ],
    ['a Float32Array with its shape', { data: new Float32Array([1, 2, 3, 4]), shape: [2, 2] }],
  ];
  for (const [label, value] of cases) {
    test(`${label} become one FP32 request tensor of shape [2, 2]`, () => {
      assert.deepEqual(requestTensors([spec], value), [
        { name: 'x', shape: [2, 2], datatype: 'FP32', data: [1, 2, 3, 4] },
      ]);
    });
  }

  test('ragged arrays, a wrong rank and a missing named input are errors naming the input', () => {
    assert.throws(() => requestTensors([spec], [[1, 2], [3]]), /"x": the nested arrays are ragged/);
    assert.throws(() => requestTensors([spec], [[[1, 2]]]), /"x" takes shape \[batch, 2\], got \[1, 1, 2\]/);
    assert.throws(() => requestTensors([spec, { ...spec, name: 'y' }], { x: [[1, 2]] }), /Input "y" is missing/);
  });

  test('response tensors come back as tf.Tensors by output name', () => {
    const out = responseTensors({
      model_name: 'm',
      model_version: '1',
      outputs: [{ name: 'p', shape: [1, 2], datatype: 'FP32', data: [0.25, 0.75] }],
    });
    assert.deepEqual(out.p!.arraySync(), [[0.25, 0.75]]);
  });

  test(`an input of ${BINARY_MIN_ELEMENTS} elements or more travels as binary data: its FP32 bytes, little-endian`, () => {
    const rows = BINARY_MIN_ELEMENTS / 2;
    const data = Float32Array.from({ length: rows * 2 }, (_, i) => i / 7);
    const [tensor] = requestTensors([spec], { data, shape: [rows, 2] });
    assert.equal(tensor!.data, undefined);
    assert.equal(tensor!.parameters?.binary_data_size, data.byteLength);
    const view = new DataView(tensor!.binary!.buffer, tensor!.binary!.byteOffset);
    assert.equal(view.getFloat32(4 * 3, true), data[3]);
    const [small] = requestTensors([spec], { data: data.subarray(0, 2), shape: [1, 2] });
    assert.deepEqual(small!.data, [data[0], data[1]]);
  });

  test('binary outputs come back as tf.Tensors (FP16 widened to float32), and binary labels as text', () => {
    const halves = new Uint16Array([0x3c00, 0xc000]);
    const labels = Buffer.from([3, 0, 0, 0, 0x63, 0x61, 0x74]);
    const response: InferResponse = {
      model_name: 'm',
      model_version: '1',
      outputs: [
        {
          name: 'p',
          shape: [1, 2],
          datatype: 'FP16',
          parameters: { binary_data_size: 4 },
          binary: new Uint8Array(halves.buffer),
        },
        {
          name: 'label',
          shape: [1],
          datatype: 'BYTES',
          parameters: { binary_data_size: 7 },
          binary: new Uint8Array(labels),
        },
      ],
    };
    const out = responseTensors(response);
    assert.deepEqual(out.p!.arraySync(), [[1, -2]]);
    assert.deepEqual(response.outputs[1]!.data, ['cat']);
  });
});
