// Smoothing keeps the float function, balances channels as its formula says, and leaves alone what it cannot keep exact.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AttributeType, DataType, type GraphProto, type NodeProto } from '../../onnx/format.js';
import { channelScales, smoothGraph, smoothingPairs } from './smooth.js';
import { floatsOf, tensor } from '../tensors.js';

/** Deterministic values in [-1, 1), with channel j of every row scaled by `columnScale(j)`. */
function values(rows: number, columns: number, seed: number, columnScale = (_: number) => 1): Float32Array {
  return Float32Array.from(
    { length: rows * columns },
    (_, i) => (Math.sin(seed * 31 + i * 7.77) % 1) * columnScale(i % columns),
  );
}

const node = (
  opType: string,
  input: string[],
  output: string[],
  attribute: NodeProto['attribute'] = [],
): NodeProto => ({ opType, input, output, name: output[0]!, domain: '', attribute });

/** x [B, 6] → Gemm(w1 [6, 8], b1) → Relu → Gemm(w2 [8, 5], b2) → Relu → Gemm(w3 [5, 3]) → y, hidden channels of unequal size. */
function mlp(): GraphProto {
  return {
    name: 'mlp',
    node: [
      node('Gemm', ['x', 'w1', 'b1'], ['z1']),
      node('Relu', ['z1'], ['h1']),
      node('Gemm', ['h1', 'w2', 'b2'], ['z2']),
      node('Relu', ['z2'], ['h2']),
      node('Gemm', ['h2', 'w3'], ['y']),
    ],
    initializer: [
      tensor(
        'w1',
        values(6, 8, 1, (j) => 2 ** (j - 4)),
        [6, 8],
      ),
      tensor('b1', values(1, 8, 2), [8]),
      tensor('w2', values(8, 5, 3), [8, 5]),
      tensor('b2', values(1, 5, 4), [5]),
      tensor('w3', values(5, 3, 5), [5, 3]),
    ],
    input: [{ name: 'x', elemType: DataType.FLOAT, shape: [] }],
    output: [{ name: 'y', elemType: DataType.FLOAT, shape: [] }],
    valueInfo: [],
  };
}

/** Runs the graph `mlp()` builds (Gemm and Relu only) on rows of `x`; returns every value. */
function run(graph: GraphProto, x: Float32Array, rows: number): Map<string, Float32Array> {
  const inits = new Map(graph.initializer.map((t) => [t.name, t]));
  const env = new Map<string, Float32Array>([['x', x]]);
  for (const n of graph.node) {
    const a = env.get(n.input[0]!)!;
    if (n.opType === 'Relu') {
      env.set(
        n.output[0]!,
        a.map((v) => Math.max(0, v)),
      );
      continue;
    }
    const w = inits.get(n.input[1]!)!;
    const [k, m] = w.dims as [number, number];
    const wd = floatsOf(w);
    const b = n.input[2] ? floatsOf(inits.get(n.input[2])!) : new Float32Array(m);
    const out = new Float32Array(rows * m);
    for (let r = 0; r < rows; r++)
      for (let j = 0; j < m; j++) {
        let sum = b[j]!;
        for (let i = 0; i < k; i++) sum += a[r * k + i]! * wd[i * m + j]!;
        out[r * m + j] = sum;
      }
    env.set(n.output[0]!, out);
  }
  return env;
}

/** Largest magnitude of each column of a [rows, columns] matrix. */
function columnMax(data: Float32Array, columns: number): Float32Array {
  const out = new Float32Array(columns);
  data.forEach((v, i) => (out[i % columns] = Math.max(out[i % columns]!, Math.abs(v))));
  return out;
}

describe('compress smoothing', () => {
  const rows = 20;
  const x = values(rows, 6, 9);

  test('finds each Gemm → Relu → Gemm of a chain', () => {
    assert.deepEqual(
      smoothingPairs(mlp()).map((p) => [p.producer.output[0], p.value, p.consumer.output[0]]),
      [
        ['z1', 'h1', 'z2'],
        ['z2', 'h2', 'y'],
      ],
    );
  });

  test('leaves out an activation read twice, a graph output, a transposed weight, and a shared weight', () => {
    const g = mlp();
    const readTwice = { ...g, node: [...g.node, node('Relu', ['h1'], ['extra'])] };
    assert.deepEqual(
      smoothingPairs(readTwice).map((p) => p.value),
      ['h2'],
    );
    assert.deepEqual(
      smoothingPairs({ ...g, output: [...g.output, { name: 'h2', elemType: DataType.FLOAT, shape: [] }] }).map(
        (p) => p.value,
      ),
      ['h1'],
    );
    const transposed = g.node.map((n): NodeProto =>
      n.output[0] === 'y' ? { ...n, attribute: [{ name: 'transB', type: AttributeType.INT, i: 1 }] } : n,
    );
    assert.deepEqual(
      smoothingPairs({ ...g, node: transposed }).map((p) => p.value),
      ['h1'],
    );
    const shared = { ...g, node: [...g.node, node('MatMul', ['x', 'w1'], ['again'])] };
    assert.deepEqual(
      smoothingPairs(shared).map((p) => p.value),
      ['h2'],
    );
  });

  test('the scales are √(activation / weight row) at a geometric mean of 1, dead channels 1, clipped into limits', () => {
    const s = channelScales(Float32Array.of(4, 1, 0, 9), Float32Array.of(1, 4, 2, 1));
    const raw = [2, 0.5, 3];
    const g = Math.cbrt(raw[0]! * raw[1]! * raw[2]!);
    assert.deepEqual(
      Array.from(s, (v) => +v.toFixed(5)),
      [2 / g, 0.5 / g, 1, 3 / g].map((v) => +v.toFixed(5)),
    );
    const clipped = channelScales(Float32Array.of(4, 1), Float32Array.of(1, 4), {
      low: Float32Array.of(0, 1),
      high: Float32Array.of(1.5, 9),
    });
    assert.deepEqual(Array.from(clipped), [1.5, 1]);
  });

  for (const perChannel of [true, false]) {
    test(`the smoothed graph computes the same outputs, and balances the hidden channels (${perChannel ? 'per-channel' : 'per-tensor'} weights)`, () => {
      const before = mlp();
      const act = run(before, x, rows);
      const absMax = new Map(['h1', 'h2'].map((v) => [v, columnMax(act.get(v)!, v === 'h1' ? 8 : 5)]));
      const { graph, smoothed } = smoothGraph(before, smoothingPairs(before), absMax, perChannel);
      assert.deepEqual(smoothed, ['h1', 'h2']);
      const after = run(graph, x, rows);
      after
        .get('y')!
        .forEach((v, i) => assert.ok(Math.abs(v - act.get('y')![i]!) < 1e-5, `y[${i}]: ${v} vs ${act.get('y')![i]}`));
      const spread = (m: Float32Array) => Math.max(...m) / Math.min(...m.filter((v) => v > 0));
      assert.ok(
        spread(columnMax(after.get('h1')!, 8)) < spread(absMax.get('h1')!),
        'the channel ranges of h1 moved closer together',
      );
      if (!perChannel) {
        // One scale per weight: no weight's largest magnitude, hence its step, grows.
        for (const name of ['w1', 'w2', 'w3']) {
          const max = (g: GraphProto) =>
            Math.max(...floatsOf(g.initializer.find((t) => t.name === name)!).map(Math.abs));
          assert.ok(max(graph) <= max(before) * (1 + 1e-6), `${name}: ${max(graph)} vs ${max(before)}`);
        }
      }
    });
  }
});
