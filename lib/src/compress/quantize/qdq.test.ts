// quantizeGraph's choice between an int32 bias and bias columns, on hand-made Gemm graphs.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DataType, type GraphProto } from '../../onnx/format.js';
import { correctedBias } from '../../onnx/bias-correction.js';
import { quantizeGraph, type QdqPlan } from './qdq.js';
import { dequantizeWeight, quantizeWeight, roundHalfEven } from '../../onnx/quant-math.js';
import { floatsOf, tensor } from '../tensors.js';

/** x [B, 100] → Gemm(w [100, 512], bias) → y: the shape bias columns are for. */
function gemm(bias: Float32Array): GraphProto {
  const w = Float32Array.from({ length: 100 * 512 }, (_, i) => Math.sin(i) / 10);
  return {
    name: 'g',
    node: [{ opType: 'Gemm', input: ['x', 'w', 'b'], output: ['y'], name: 'gemm', domain: '', attribute: [] }],
    initializer: [tensor('w', w, [100, 512]), tensor('b', bias, [bias.length])],
    input: [{ name: 'x', elemType: DataType.FLOAT, shape: [] }],
    output: [{ name: 'y', elemType: DataType.FLOAT, shape: [] }],
    valueInfo: [],
  };
}

const plan: QdqPlan = {
  mode: 'static',
  weightType: 'int8',
  perChannel: true,
  weightLevels: 127,
  ranges: new Map([['x', { min: 0, max: 1 }]]),
  ranks: new Map([['x', 2]]),
  opset: 17,
  biasColumns: true,
  inputMeans: new Map(),
};

describe('compress quantizeGraph, bias columns', () => {
  test('a one-value bias (which Gemm broadcasts) stays an int32 bias', () => {
    const r = quantizeGraph(gemm(Float32Array.of(0.1)), plan);
    assert.deepEqual(r.biasColumns, []);
    assert.equal(r.graph.node.find((n) => n.opType === 'Gemm')!.input.length, 3);
  });

  test('a bias of zeros is dropped without a Pad', () => {
    const r = quantizeGraph(gemm(new Float32Array(512)), plan);
    assert.deepEqual(r.biasColumns, ['gemm']);
    assert.ok(!r.graph.node.some((n) => n.opType === 'Pad'));
    assert.equal(r.graph.node.find((n) => n.opType === 'Gemm')!.input.length, 2);
    assert.deepEqual(r.graph.initializer.find((t) => t.name === 'w0.q')!.dims, [100, 512]);
  });

  test('a full bias moves into columns; with biasColumns off, or before opset 11, it stays', () => {
    const bias = Float32Array.from({ length: 512 }, (_, j) => Math.cos(j) / 20);
    assert.deepEqual(quantizeGraph(gemm(bias), plan).biasColumns, ['gemm']);
    assert.deepEqual(quantizeGraph(gemm(bias), { ...plan, biasColumns: false }).biasColumns, []);
    assert.deepEqual(quantizeGraph(gemm(bias), { ...plan, opset: 10 }).biasColumns, []);
  });
});

describe('compress quantizeGraph, bias correction', () => {
  const bias = Float32Array.from({ length: 512 }, (_, j) => Math.cos(j) / 20);
  const mean = Float32Array.from({ length: 100 }, (_, i) => 0.5 + Math.sin(i) / 4);
  const plain = { ...plan, biasColumns: false };

  test("with the input's mean, the int32 bias is the corrected float bias over input scale × weight scale", () => {
    const graph = gemm(bias);
    const r = quantizeGraph(graph, { ...plain, inputMeans: new Map([['x', mean]]) });
    assert.deepEqual(r.biasCorrected, ['gemm']);
    const w = graph.initializer.find((t) => t.name === 'w')!;
    const q = quantizeWeight(floatsOf(w), w.dims, 1);
    const expected = correctedBias(
      {
        weight: floatsOf(w),
        dequantized: dequantizeWeight(q, w.dims),
        dims: w.dims,
        bias,
        layout: { kind: 'gemm', transB: false },
      },
      mean,
    )!;
    const inputScale = 1 / 255;
    const stored = r.graph.initializer.find((t) => t.name === 'b0.q')!;
    const values = new Int32Array(
      stored.rawData.buffer.slice(stored.rawData.byteOffset, stored.rawData.byteOffset + stored.rawData.length),
    );
    assert.deepEqual(
      Array.from(values),
      Array.from(expected, (b, j) => roundHalfEven(b / (inputScale * q.scales[j]!))),
    );
    assert.notDeepEqual(Array.from(expected), Array.from(bias), 'the correction moved the bias');
  });

  test('without means, or with a mean of the wrong length, the bias is the float one', () => {
    assert.deepEqual(quantizeGraph(gemm(bias), plain).biasCorrected, []);
    assert.deepEqual(
      quantizeGraph(gemm(bias), { ...plain, inputMeans: new Map([['x', mean.subarray(1)]]) }).biasCorrected,
      [],
    );
  });
});
