import '../testing/dom.js';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bundle } from '../testing/fixtures.js';
import { bestEpoch, decimate, metricSeries, ticks } from './series.js';

describe('the training chart data', () => {
  it('makes one panel per training metric, loss first, with its batch, epoch and validation points', () => {
    const series = metricSeries({
      ...bundle(2, 4, { validation: true }),
      metrics: ['acc', 'loss', 'val_acc', 'val_loss'],
    });
    assert.deepEqual(
      series.map((s) => s.metric),
      ['loss', 'acc'],
    );
    const first = series[0]!;
    assert.deepEqual([first.batches.length, first.train.length, first.validation.length], [8, 2, 2]);
    assert.deepEqual(first.batches[3], { x: 1, y: 0.5 });
  });

  it('marks the epoch with the lowest validation loss as best, else the lowest training loss', () => {
    assert.equal(bestEpoch(bundle(5, 2, { validation: true })), 3);
    assert.equal(bestEpoch(bundle(5, 2)), 5);
    assert.equal(bestEpoch(bundle(0, 0)), null);
  });

  it('thins a long line to two points per pixel and keeps every spike', () => {
    const points = Array.from({ length: 10_000 }, (_, i) => ({ x: i / 1000, y: i === 4321 ? 99 : Math.sin(i) }));
    const thin = decimate(points, 0, 10, 200);
    assert.ok(thin.length <= 400, `${thin.length} points`);
    assert.ok(
      thin.some((p) => p.y === 99),
      'the spike is kept',
    );
    assert.ok(
      thin.every((p, i) => i === 0 || p.x >= thin[i - 1]!.x),
      'in order',
    );
    assert.equal(decimate(points.slice(0, 100), 0, 10, 200).length, 100, 'short lines are kept whole');
  });

  it('puts round ticks over a range', () => {
    assert.deepEqual(ticks(0, 1, 4), [0, 0.25, 0.5, 0.75, 1]);
    assert.deepEqual(ticks(0.13, 0.92, 4), [0.2, 0.4, 0.6, 0.8]);
  });
});
