import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ENCODE_SLICE, responseJson } from './encode.js';
import { encodeOutput } from './tensors.js';
import type { InferResponse } from './deployment.js';
import type { Datatype } from './wire/tensor-spec.js';

/** The answer with plain arrays, as `JSON.stringify` would write it: what `responseJson` must give byte for byte. */
function plain(response: InferResponse, values: Array<Parameters<typeof encodeOutput>[3] | undefined>): string {
  return JSON.stringify({
    ...response,
    outputs: response.outputs.map((o, i) =>
      values[i] === undefined ? o : encodeOutput(o.name, o.datatype, o.shape, values[i]),
    ),
  });
}

describe('the JSON text of infer answers', () => {
  it('writes a small answer as JSON.stringify would, for every datatype (NaN and Infinity as null, FP16 as numbers)', async () => {
    const outputs: Array<[Datatype, Parameters<typeof encodeOutput>[3]]> = [
      ['FP32', Float32Array.of(1.5, NaN, -0, 0.1, Infinity)],
      ['FP64', Float64Array.of(1e-300, -2)],
      ['INT32', Int32Array.of(-3, 7)],
      ['INT64', BigInt64Array.of(-5n, 2n ** 40n)],
      ['UINT8', Uint8Array.of(255)],
      ['BOOL', Uint8Array.of(1, 0)],
      ['FP16', Uint16Array.of(0x3e00, 0x7c00)],
      ['BYTES', ['a "quoted" é', '']],
    ];
    const response: InferResponse = {
      model_name: 'm',
      model_version: '1',
      id: 'r"1',
      parameters: { non_finite: true },
      outputs: outputs.map(([datatype, data], i) => ({ name: `o${i}`, datatype, shape: [data.length] })),
    };
    // One more output sent as binary data: its parameters, no data.
    response.outputs.push({ name: 'bin', datatype: 'FP32', shape: [2], parameters: { binary_data_size: 8 } });
    const values = [...outputs.map(([, data]) => data), undefined];
    const text = await responseJson(response, values as never);
    assert.equal(text, plain(response, values));
  });

  it('writes outputs of several slices whole, the same text as JSON.stringify', async () => {
    const n = ENCODE_SLICE * 2 + 3;
    const floats = Float32Array.from({ length: n }, (_, i) => (i === 5 ? NaN : i / 7));
    const flags = Uint8Array.from({ length: n }, (_, i) => i % 3);
    const big = BigInt64Array.from({ length: n }, (_, i) => BigInt(i));
    const datatypes: Datatype[] = ['FP32', 'BOOL', 'INT64', 'FP32'];
    const values = [floats, flags, big, new Float32Array(0)];
    const response: InferResponse = {
      model_name: 'm',
      model_version: '2',
      outputs: values.map((v, i) => ({ name: `o${i}`, datatype: datatypes[i]!, shape: [v.length] })),
    };
    assert.equal(await responseJson(response, values), plain(response, values));
  });
});
