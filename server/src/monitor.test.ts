import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bucketOf, bucketUpper, Histogram } from './histogram.js';
import { Monitor } from './monitor.js';

describe('the latency histogram', () => {
  it('gives quantiles within 9% of the exact ones', () => {
    const h = new Histogram();
    for (let i = 1; i <= 1000; i++) h.record(i / 100); // 0.01 .. 10 ms
    for (const [q, exact] of [
      [0.5, 5],
      [0.95, 9.5],
      [0.99, 9.9],
    ] as const) {
      const got = h.quantile(q);
      assert.ok(Math.abs(got - exact) / exact < 0.09, `q${q}: ${got} vs ${exact}`);
    }
    assert.equal(h.quantile(1), 10);
  });

  it('puts every value at or under its bucket upper bound', () => {
    for (const ms of [0.0005, 0.002, 1, 3.7, 250, 1e7])
      assert.ok(ms <= bucketUpper(bucketOf(ms)) || bucketOf(ms) === 255, String(ms));
  });
});

describe('the monitor', () => {
  it('counts errors apart from rejections and keeps the last errors', () => {
    const m = new Monitor();
    m.record(1, 200, 2);
    m.record(2, 400, 0);
    m.record(3, 500, 0);
    m.recordError(500, 'LEPTON_INFERENCE_FAILED', 'boom');
    const s = m.snapshot();
    assert.deepEqual([s.requests, s.errors, s.rejected, s.rows], [3, 1, 1, 2]);
    assert.equal(s.lastMinute.errorRate, 1 / 3);
    assert.equal(s.lastErrors[0]!.code, 'LEPTON_INFERENCE_FAILED');
  });

  it('raises an alert when p99 passes its threshold and resolves it when traffic recovers', () => {
    let now = 1_000_000;
    const m = new Monitor(() => now);
    const rules = { p99Ms: 20, minRequests: 10 };
    for (let i = 0; i < 5; i++) m.record(50, 200, 1);
    assert.deepEqual(m.checkAlerts(rules), [], 'too few requests to judge');
    for (let i = 0; i < 10; i++) m.record(50, 200, 1);
    const raised = m.checkAlerts(rules);
    assert.equal(raised.length, 1);
    assert.equal(raised[0]!.kind, 'raised');
    assert.equal(m.snapshot().alerts[0]!.rule, 'p99Ms');
    assert.deepEqual(m.checkAlerts(rules), [], 'raised once');
    now += 61_000; // the slow minute leaves the window
    for (let i = 0; i < 20; i++) m.record(1, 200, 1);
    assert.equal(m.checkAlerts(rules)[0]!.kind, 'resolved');
    assert.equal(m.snapshot().alerts.length, 0);
  });

  it('counts requests per second over the last minute, oldest first, for the traffic sparkline', () => {
    let now = 5_000_500;
    const m = new Monitor(() => now);
    m.record(1, 200, 1);
    now += 2000;
    m.record(1, 200, 1);
    m.record(1, 500, 1);
    const series = m.snapshot().lastMinute.perSecond;
    assert.equal(series.length, 60);
    assert.deepEqual(series.slice(-3), [1, 0, 2]);
    now += 60_000;
    assert.deepEqual(m.snapshot().lastMinute.perSecond, new Array(60).fill(0), 'a quiet minute later nothing is left');
  });

  it('raises an error-rate alert', () => {
    const m = new Monitor();
    for (let i = 0; i < 30; i++) m.record(1, i % 10 === 0 ? 500 : 200, 1);
    assert.equal(m.checkAlerts({ errorRate: 0.01 })[0]!.alert.rule, 'errorRate');
  });
});
