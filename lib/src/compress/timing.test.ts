// Interleaved timings: every session timed, in the given order, with at least the minimum runs.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { onnx } from '../export/onnx.js';
import { openSession, type FloatBatch } from '../onnx/session.js';
import { batchOfSize, timeInterleaved } from './timing.js';

async function sessionOf(units: number[]): Promise<Awaited<ReturnType<typeof openSession>>> {
  const model = tf.sequential({
    layers: units.map((u, i) =>
      tf.layers.dense({
        units: u,
        ...(i === 0 ? { inputShape: [16] } : {}),
        kernelInitializer: tf.initializers.glorotUniform({ seed: i + 1 }),
      }),
    ),
  });
  return openSession((await onnx(model, undefined, { verify: false })).data, { threads: 1 });
}

describe('compress timing', () => {
  test('batchOfSize cycles through the rows it has', () => {
    const x: FloatBatch = { data: Float32Array.of(1, 2, 3, 4, 5, 6), shape: [3, 2] };
    assert.deepEqual(batchOfSize(x, 4), { data: Float32Array.of(1, 2, 3, 4, 5, 6, 1, 2), shape: [4, 2] });
  });

  test('each session gets its own figures, in order: a model with ~16,000× the work is the slower one', async () => {
    await tf.setBackend('cpu');
    const small = await sessionOf([4]);
    const large = await sessionOf([1024, 1024, 4]);
    try {
      const x: FloatBatch = { data: new Float32Array(8 * 16).fill(0.5), shape: [8, 16] };
      const [a, b] = await timeInterleaved([small, large], x, { latencyRuns: 20, throughputRuns: 10, maxSeconds: 0.2 });
      assert.ok(
        a!.throughput > b!.throughput && a!.latencyP50Ms < b!.latencyP50Ms,
        `small ${JSON.stringify(a)}, large ${JSON.stringify(b)}`,
      );
      for (const t of [a!, b!]) assert.ok(Number.isFinite(t.throughput) && t.throughput > 0 && t.latencyP50Ms > 0);
    } finally {
      await small.release();
      await large.release();
    }
  });
});
