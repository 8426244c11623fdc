import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ENCODE_SLICE, encodeOutputSliced, largeResponseJson } from './encode.js';
import { encodeOutput } from './tensors.js';

describe('sliced encoding of large answers', () => {
  it('leaves small answers to the route serializer', async () => {
    const small = { model_name: 'm', model_version: '1', outputs: [encodeOutput('y', 'FP32', [2], Float32Array.of(1, 2))] };
    assert.equal(await largeResponseJson(small), undefined);
  });

  it('gives what JSON.stringify gives, for several outputs of several slices (NaN as null)', async () => {
    const n = ENCODE_SLICE * 2 + 3;
    const floats = Float32Array.from({ length: n }, (_, i) => (i === 5 ? NaN : i / 7));
    const flags = Uint8Array.from({ length: n }, (_, i) => i % 3);
    const big = BigInt64Array.from({ length: n }, (_, i) => BigInt(i));
    const outputs = [
      await encodeOutputSliced('y', 'FP32', [n], floats),
      await encodeOutputSliced('b', 'BOOL', [n], flags),
      await encodeOutputSliced('i', 'INT64', [n], big),
      await encodeOutputSliced('empty', 'FP32', [0], new Float32Array(0)),
    ];
    const datatypes = ['FP32', 'BOOL', 'INT64', 'FP32'] as const;
    for (const [i, o] of outputs.entries()) assert.deepEqual(o, encodeOutput(o.name, datatypes[i]!, o.shape, [floats, flags, big, new Float32Array(0)][i]!));
    const response = { model_name: 'm', model_version: '2', id: 'r', parameters: { non_finite: true as const }, outputs };
    assert.equal(await largeResponseJson(response), JSON.stringify(response));
  });
});
