import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { backend } from './select.js';
import { reluGrad, reluGradKernelName, reluGradWithSums } from './relu-grad.js';

/** x and dy with the cases that matter: positive, negative, zero, NaN, ±∞; 37 long, so the scalar tail runs too. */
const special = [1.5, -2, 0, -0, NaN, Infinity, -Infinity, 1e-30, -1e-30];
function values(seed: number): Float32Array {
  const out = new Float32Array(37);
  let state = seed;
  for (let i = 0; i < out.length; i++) {
    state = (state * 1664525 + 1013904223) >>> 0;
    out[i] = i % 4 === 0 ? special[(i / 4 + seed) % special.length]! : state / 2 ** 31 - 1;
  }
  return out;
}

/** ReLU's gradient of x for the seed dy on one backend, and the kernels it ran. */
async function gradientOn(name: 'cpu' | 'wasm'): Promise<{ grad: Float32Array; kernels: string[] }> {
  await backend(name);
  const x = tf.tensor(values(1), [37]);
  const dy = tf.tensor(values(2), [37]);
  let grad!: Float32Array;
  const profile = await tf.profile(() => {
    const g = tf.grad((t: tf.Tensor) => tf.relu(t))(x, dy);
    grad = g.dataSync() as Float32Array;
    g.dispose();
  });
  tf.dispose([x, dy]);
  return { grad, kernels: profile.kernels.map((k) => k.name) };
}

describe("ReLU's one-pass gradient", () => {
  before(async () => {
    await backend('wasm');
  });

  test("gives the cpu backend's gradient bit for bit (NaN, ±0, ±∞ included) in one kernel", async () => {
    const expected = await gradientOn('cpu');
    const actual = await gradientOn('wasm');
    assert.deepEqual(
      Array.from(new Uint32Array(actual.grad.buffer)),
      Array.from(new Uint32Array(expected.grad.buffer)),
    );
    assert.ok(actual.kernels.includes(reluGradKernelName), `wasm ran ${actual.kernels.join(', ')}`);
    assert.ok(!actual.kernels.includes('Step'), 'wasm still ran the step kernel');
  });

  test('has a second derivative through it (linear in dy, with the same mask)', async () => {
    await backend('wasm');
    const x = tf.tensor1d([-1, 2, 0, 3]);
    const dy = tf.tensor1d([5, 6, 7, 8]);
    const second = tf.grad((d: tf.Tensor) =>
      tf
        .grad((t: tf.Tensor) => tf.relu(t))(x, d)
        .sum(),
    )(dy);
    assert.deepEqual(Array.from(second.dataSync()), [0, 1, 0, 1]);
    tf.dispose([x, dy, second]);
  });

  /** The bits of a float32 tensor's values, so that NaN, ±0 and ±∞ compare exactly. */
  const bits = (t: tf.Tensor) => Array.from(new Uint32Array((t.dataSync() as Float32Array).slice().buffer));

  for (const shape of [
    [37, 4],
    [3, 5, 7, 8],
    [2, 3, 12],
    [64, 16],
  ])
    test(`computes the gradient and its per-channel sums of ${String(shape)} in one kernel, bit for bit as reluGrad and Sum`, async () => {
      await backend('wasm');
      const size = shape.reduce((a, b) => a * b, 1);
      const repeat = (seed: number) =>
        Float32Array.from({ length: size }, (_, i) => values(seed + Math.floor(i / 37))[i % 37]!);
      const x = tf.tensor(repeat(1), shape);
      const dy = tf.tensor(repeat(2), shape);
      const profile = await tf.profile(() => {
        const [masked, sums] = reluGradWithSums(dy, x);
        const expected = reluGrad(dy, x);
        assert.deepEqual(bits(masked), bits(expected));
        assert.deepEqual(bits(sums), bits(tf.sum(expected, [...Array(shape.length - 1).keys()])));
      });
      assert.ok(profile.kernelNames.includes('LeptonReluGradSums'), `ran ${profile.kernelNames.join(', ')}`);
      tf.dispose([x, dy]);
    });

  test("gives both outputs a gradient with respect to dy (the mask on the output's, spread over rows for the sums)", async () => {
    await backend('wasm');
    const x = tf.tensor2d([-1, 2, 0, 3, 4, -5, 6, 7], [2, 4]);
    const dy = tf.tensor2d([1, 1, 1, 1, 1, 1, 1, 1], [2, 4]);
    const weights = tf.tensor1d([10, 20, 30, 40]);
    const gradient = tf.grad((d: tf.Tensor) => {
      const [masked, sums] = reluGradWithSums(d, x);
      return masked.sum().add(sums.mul(weights).sum());
    })(dy);
    assert.deepEqual(Array.from(gradient.dataSync()), [0, 21, 0, 41, 11, 0, 31, 41]);
    tf.dispose([x, dy, weights, gradient]);
  });
});
