import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BatchPointSampler, maxBatchPoints, type BatchPoint } from './training-bundle.js';

describe('the per-batch points of a long run', () => {
  it('stay within the cap, evenly spread over the whole run from its first batch', () => {
    const bundle = { batches: [] as BatchPoint[], batchesDropped: 0 };
    const sampler = new BatchPointSampler(bundle);
    for (let i = 1; i <= 20_000; i++) {
      sampler.add({ step: i / 100, epoch: Math.ceil(i / 100), batch: ((i - 1) % 100) + 1, logs: { loss: 1 / i } });
      assert.ok(bundle.batches.length <= maxBatchPoints);
    }
    const points = bundle.batches;
    assert.equal(points.length + bundle.batchesDropped, 20_000);
    assert.equal(points[0]!.step, 0.01);
    assert.ok(points.at(-1)!.step > 199, 'the newest points are there');
    const gaps = points.slice(1).map((p, i) => p.step - points[i]!.step);
    assert.ok(Math.max(...gaps) - Math.min(...gaps) < 1e-9, `gaps from ${Math.min(...gaps)} to ${Math.max(...gaps)}`);
  });

  it('are all kept in a short run', () => {
    const bundle = { batches: [] as BatchPoint[], batchesDropped: 0 };
    const sampler = new BatchPointSampler(bundle);
    for (let i = 1; i <= 100; i++) sampler.add({ step: i, epoch: 1, batch: i, logs: {} });
    assert.deepEqual([bundle.batches.length, bundle.batchesDropped], [100, 0]);
  });
});
