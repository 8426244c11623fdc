import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ServerError } from '../errors.js';
import {
  arrayFromBytes,
  binarySlices,
  decodeBytesElements,
  encodeBytesElements,
  joinBody,
  splitBody,
  wantsBinary,
} from './binary.js';

const code = (c: string) => (error: unknown) =>
  error instanceof ServerError && error.code === c && error.statusCode === 400;

describe('the binary tensor data layout', () => {
  test('splits a body at Inference-Header-Content-Length, and joins one back', () => {
    const { body, headerLength } = joinBody('{"a":"é"}', [Uint8Array.from([1, 2]), Uint8Array.from([3])]);
    assert.equal(headerLength, 10); // "é" is two bytes in UTF-8
    const { json, binary } = splitBody(body, String(headerLength));
    assert.equal(Buffer.from(json).toString(), '{"a":"é"}');
    assert.deepEqual(Array.from(binary), [1, 2, 3]);
    assert.equal(splitBody(body, undefined).binary.length, 0);
    assert.throws(() => splitBody(body, '14'), code('LEPTON_BAD_HEADER_LENGTH'));
    assert.throws(() => splitBody(body, '-1'), code('LEPTON_BAD_HEADER_LENGTH'));
    assert.throws(() => splitBody(body, '1e1'), code('LEPTON_BAD_HEADER_LENGTH'));
  });

  test('cuts each binary tensor its bytes in order, and refuses sizes that do not add up', () => {
    const tensors = [
      { name: 'a', parameters: { binary_data_size: 2 } },
      { name: 'b' },
      { name: 'c', parameters: { binary_data_size: 1 } },
    ];
    const slices = binarySlices(tensors, Uint8Array.from([9, 8, 7]));
    assert.deepEqual(
      slices.map((s) => (s ? Array.from(s) : s)),
      [[9, 8], undefined, [7]],
    );
    assert.throws(() => binarySlices(tensors, Uint8Array.from([9, 8])), code('LEPTON_BAD_BINARY_SIZE'));
    assert.throws(() => binarySlices(tensors, Uint8Array.from([9, 8, 7, 6])), code('LEPTON_BAD_BINARY_SIZE'));
    assert.throws(
      () => binarySlices([{ name: 'a', parameters: { binary_data_size: 1.5 } }], Uint8Array.from([1])),
      code('LEPTON_BAD_BINARY_SIZE'),
    );
  });

  test('BYTES elements: a 4-byte little-endian length, then the bytes', () => {
    const encoded = encodeBytesElements(['ab', '', Uint8Array.from([255])]);
    assert.deepEqual(Array.from(encoded), [2, 0, 0, 0, 97, 98, 0, 0, 0, 0, 1, 0, 0, 0, 255]);
    assert.deepEqual(
      decodeBytesElements('t', encoded, 3).map((e) => Array.from(e)),
      [[97, 98], [], [255]],
    );
    assert.throws(() => decodeBytesElements('t', encoded, 2), code('LEPTON_BAD_BINARY_DATA'));
    assert.throws(() => decodeBytesElements('t', encoded.subarray(0, 5), 1), code('LEPTON_BAD_BINARY_DATA'));
    assert.throws(() => decodeBytesElements('t', Uint8Array.from([1, 0]), 1), code('LEPTON_BAD_BINARY_DATA'));
  });

  test('reads typed arrays from unaligned slices', () => {
    const body = new Uint8Array(9);
    new DataView(body.buffer).setFloat32(1, 1.25, true);
    new DataView(body.buffer).setFloat32(5, -3, true);
    assert.deepEqual(Array.from(arrayFromBytes(Float32Array, body.subarray(1))), [1.25, -3]);
  });

  test('an output is binary by its own binary_data, else by binary_data_output', () => {
    const request = {
      parameters: { binary_data_output: true },
      outputs: [{ name: 'a', parameters: { binary_data: false } }, { name: 'b' }],
    };
    assert.equal(wantsBinary(request, 'a'), false);
    assert.equal(wantsBinary(request, 'b'), true);
    assert.equal(wantsBinary({}, 'b'), false);
    assert.throws(
      () => wantsBinary({ parameters: { binary_data_output: 1 } }, 'b'),
      (e: unknown) => e instanceof ServerError && e.code === 'LEPTON_BAD_REQUEST',
    );
  });
});
