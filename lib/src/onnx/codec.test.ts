// Lepton's protobuf encoder writes what protobufjs, an independent decoder, reads back.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeModel } from './encode.js';
import { decodeModel } from './decode.js';
import { attr, modelProto, OnnxGraph, type AttrValue } from './graph.js';
import { AttributeType, DataType } from './format.js';
import { ProtoWriter } from './protobuf-writer.js';

describe('protobuf writer', () => {
  const varints: [number | bigint, number[]][] = [
    [0, [0x00]],
    [1, [0x01]],
    [300, [0xac, 0x02]],
    [-1, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]],
    [2n ** 63n - 1n, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]],
  ];
  for (const [value, bytes] of varints) {
    test(`varint ${value} is written as the protobuf spec's ${bytes.length} bytes`, () => {
      assert.deepEqual([...new ProtoWriter().varint(1, value).finish()], [0x08, ...bytes]);
    });
  }

  test('a float field is a tag then four little-endian bytes', () => {
    assert.deepEqual([...new ProtoWriter().float(2, 1).finish()], [0x15, 0x00, 0x00, 0x80, 0x3f]);
  });

  test('a non-integer varint is refused', () => {
    assert.throws(() => new ProtoWriter().varint(1, 1.5), /integer/);
  });
});

describe('ONNX model encoding', () => {
  const attributes: [string, AttrValue][] = [
    ['an INT attribute (negative)', attr.int(-3)],
    ['a FLOAT attribute', attr.float(0.25)],
    ['a STRING attribute', attr.string('SAME_UPPER')],
    ['an INTS attribute', attr.ints([0, 3, 1, 2])],
    ['a FLOATS attribute', attr.floats([0.5, -2])],
    ['a STRINGS attribute', attr.strings(['Sigmoid', 'Tanh', 'Tanh'])],
  ];
  for (const [name, value] of attributes) {
    test(`${name} round-trips through protobufjs`, () => {
      const g = new OnnxGraph('g');
      const x = g.addInput('x', DataType.FLOAT, [null, 3]);
      g.addOutput(g.op('Relu', [x], { a: value }), DataType.FLOAT, [null, 3]);
      const decoded = decodeModel(encodeModel(modelProto(g.toProto())));
      assert.deepEqual(decoded.graph.node[0]!.attribute, [{ ...value, name: 'a' }]);
    });
  }

  test('a whole model round-trips: header, opset, initializers, shapes with symbolic and fixed dims', () => {
    const g = new OnnxGraph('net');
    const x = g.addInput('x', DataType.FLOAT, [null, 4]);
    const w = g.addFloats('w', [1, 2, 3, 4, 5, 6, 7, 8], [4, 2]);
    const shape = g.addInt64s('shape', [0, -1]);
    const y = g.op('Reshape', [g.op('MatMul', [x, w]), shape]);
    g.addValueInfo(y, DataType.FLOAT, [null, 2]);
    g.addOutput(g.alias(y, 'y'), DataType.FLOAT, ['n', 2]);
    const model = modelProto(g.toProto(), { producerVersion: '9.9', docString: 'doc', metadata: { k: 'v' } });
    const decoded = decodeModel(encodeModel(model));
    assert.deepEqual(decoded, model);
    assert.equal(decoded.graph.initializer[1]!.dataType, DataType.INT64);
    assert.deepEqual([...new BigInt64Array(decoded.graph.initializer[1]!.rawData.slice().buffer)], [0n, -1n]);
    assert.equal(AttributeType.INTS, 7);
  });

  test('a node reading a value no node made is refused', () => {
    const g = new OnnxGraph('g');
    assert.throws(() => g.op('Relu', ['nope']), /no node made/);
  });
});
