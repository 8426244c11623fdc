// cancelTransposes removes NHWC⇄NCHW round trips from exported graphs without changing what they compute.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { attr } from '../../onnx/graph.js';
import { decodeModel } from '../../onnx/decode.js';
import { encodeModel } from '../../onnx/encode.js';
import { onnx } from '../../export/onnx.js';
import { DataType, type GraphProto, type NodeProto } from '../../onnx/format.js';
import { cancelTransposes, inversePerms } from './layout.js';
import { openSession, runFloat } from '../../onnx/session.js';

const transpose = (input: string, output: string, perm: number[]): NodeProto => ({
  opType: 'Transpose',
  input: [input],
  output: [output],
  name: output,
  domain: '',
  attribute: [{ name: 'perm', ...attr.ints(perm) }],
});
const unary = (opType: string, input: string, output: string): NodeProto => ({
  opType,
  input: [input],
  output: [output],
  name: output,
  domain: '',
  attribute: [],
});
const value = (name: string) => ({ name, elemType: DataType.FLOAT, shape: [] });
const graphOf = (node: NodeProto[], output = 'y'): GraphProto => ({
  name: 'g',
  node,
  initializer: [],
  input: [value('x')],
  output: [value(output)],
  valueInfo: [],
});

describe('compress cancelTransposes', () => {
  test('inversePerms: NHWC→NCHW then NCHW→NHWC is the identity, the same perm twice is not', () => {
    assert.ok(inversePerms([0, 3, 1, 2], [0, 2, 3, 1]));
    assert.ok(!inversePerms([0, 3, 1, 2], [0, 3, 1, 2]));
    assert.ok(!inversePerms([1, 0], [1, 0, 2]));
  });

  test('a Relu between inverse Transposes moves before them and both Transposes go', () => {
    const g = cancelTransposes(
      graphOf([
        unary('Sigmoid', 'x', 'a'),
        transpose('a', 't1', [0, 2, 3, 1]),
        unary('Relu', 't1', 'r'),
        transpose('r', 't2', [0, 3, 1, 2]),
        unary('Tanh', 't2', 'y'),
      ]),
    );
    assert.deepEqual(
      g.node.map((n) => n.opType),
      ['Sigmoid', 'Relu', 'Tanh'],
    );
    assert.equal(g.node[1]!.input[0], 'a');
    assert.equal(g.node[2]!.input[0], g.node[1]!.output[0]);
  });

  test('a Transpose pair feeding a graph output, or read twice, is kept', () => {
    const toOutput = graphOf([transpose('x', 't1', [0, 2, 3, 1]), transpose('t1', 'y', [0, 3, 1, 2])]);
    assert.equal(cancelTransposes(toOutput), toOutput);
    const shared = graphOf([
      transpose('x', 't1', [0, 2, 3, 1]),
      transpose('t1', 't2', [0, 3, 1, 2]),
      unary('Relu', 't1', 'r'),
      unary('Softmax', 't2', 'y'),
    ]);
    assert.equal(cancelTransposes(shared), shared);
  });

  test('an exported CNN loses its inner Transposes and computes the same outputs in onnxruntime', async () => {
    await tf.setBackend('cpu');
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({
          inputShape: [10, 10, 2],
          filters: 3,
          kernelSize: 3,
          activation: 'relu',
          kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }),
        }),
        tf.layers.maxPooling2d({ poolSize: 2 }),
        tf.layers.conv2d({
          filters: 4,
          kernelSize: 2,
          activation: 'sigmoid',
          kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }),
        }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 3, kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }),
      ],
    });
    const proto = decodeModel((await onnx(model, undefined, { verify: false })).data);
    const count = (g: GraphProto) => g.node.filter((n) => n.opType === 'Transpose').length;
    const cleaned = cancelTransposes(proto.graph);
    assert.ok(count(proto.graph) >= 6, `exported with ${count(proto.graph)} Transposes`);
    assert.equal(count(cleaned), 2, 'the input one and the one before Flatten');
    const x = { data: Float32Array.from({ length: 5 * 200 }, (_, i) => Math.sin(i)), shape: [5, 10, 10, 2] };
    const run = async (g: GraphProto) => {
      const s = await openSession(encodeModel({ ...proto, graph: g }));
      try {
        return Array.from((await runFloat(s, x)).values().next().value!.data);
      } finally {
        await s.release();
      }
    };
    const [want, got] = [await run(proto.graph), await run(cleaned)];
    assert.equal(got.length, want.length);
    for (let i = 0; i < want.length; i++)
      assert.ok(Math.abs(got[i]! - want[i]!) < 1e-5, `output ${i}: ${got[i]} vs ${want[i]}`);
  });
});
