import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Batcher, ClientGone } from './batcher.js';
import type { OutTensor, Runner } from './runner.js';
import type { Feed } from './tensors.js';

/** A runner doubling `x`, recording each run's rows; rows holding -1 make the run fail. */
function doubler(capacity: number, delayMs: number) {
  const runs: number[] = [];
  const runner: Runner = {
    capacity,
    healthy: true,
    async run(feeds: Record<string, Feed>): Promise<Record<string, OutTensor>> {
      const x = feeds.x!;
      runs.push(x.shape[0]!);
      await new Promise((r) => setTimeout(r, delayMs));
      if ((x.data as Float32Array).includes(-1)) throw new Error('bad row');
      return { y: { data: (x.data as Float32Array).map((v) => v * 2), shape: x.shape, type: 'float32' } };
    },
    async close() {},
  };
  return { runner, runs };
}

const feed = (...values: number[]): Record<string, Feed> => ({
  x: { data: Float32Array.from(values), shape: [values.length, 1] },
});
const input = [{ name: 'x', datatype: 'FP32' as const, ortType: 'float32' }];

describe('dynamic batching', () => {
  it('stacks requests that queue while the runner is busy, up to maxBatch rows, and splits the outputs back', async () => {
    const { runner, runs } = doubler(1, 5);
    const b = new Batcher(runner, input, { maxBatch: 4, maxDelayMs: 0 }, true);
    const results = await Promise.all(
      [feed(1), feed(2), feed(3, 4), feed(5), feed(6), feed(7)].map((f) => b.submit(f, f.x!.shape[0]!)),
    );
    assert.deepEqual(
      results.map((r) => Array.from(r.y!.data as Float32Array)),
      [[2], [4], [6, 8], [10], [12], [14]],
    );
    assert.deepEqual(runs, [1, 4, 2], 'the first runs alone; the queue goes in batches of at most 4 rows');
  });

  it('waits up to maxDelayMs to fill a batch when the runner is idle', async () => {
    const { runner, runs } = doubler(1, 1);
    const b = new Batcher(runner, input, { maxBatch: 8, maxDelayMs: 20 }, true);
    await Promise.all([feed(1), feed(2), feed(3)].map((f) => b.submit(f, 1)));
    assert.deepEqual(runs, [3]);
  });

  it('fails only the bad request of a failing batch', async () => {
    const { runner } = doubler(1, 2);
    const b = new Batcher(runner, input, { maxBatch: 8, maxDelayMs: 10 }, true);
    const settled = await Promise.allSettled([feed(1), feed(-1), feed(3)].map((f) => b.submit(f, 1)));
    assert.deepEqual(
      settled.map((s) => s.status),
      ['fulfilled', 'rejected', 'fulfilled'],
    );
  });

  it('never stacks when the model has no free first dimension', async () => {
    const { runner, runs } = doubler(1, 2);
    const b = new Batcher(runner, input, { maxBatch: 8, maxDelayMs: 0 }, false);
    await Promise.all([feed(1), feed(2), feed(3)].map((f) => b.submit(f, 1)));
    assert.deepEqual(runs, [1, 1, 1]);
  });
});

describe('the bounded queue', () => {
  const code = (p: Promise<unknown>) =>
    p.then(
      () => 'ok',
      (e: unknown) => (e as { code?: string } | undefined)?.code ?? 'no code',
    );

  it('refuses a request beyond maxQueue at once with LEPTON_OVERLOADED, and runs the queued ones', async () => {
    const { runner } = doubler(1, 20);
    const b = new Batcher(
      runner,
      input,
      { maxBatch: 1, maxDelayMs: 0, maxQueue: 2, timeoutMs: 10_000 },
      false,
      () => {},
      'm',
    );
    const running = b.submit(feed(1), 1); // runs at once: not queued
    const queued = [b.submit(feed(2), 1), b.submit(feed(3), 1)];
    assert.equal(b.saturated, true);
    assert.equal(await code(b.submit(feed(4), 1)), 'LEPTON_OVERLOADED');
    assert.deepEqual(await Promise.all([code(running), ...queued.map(code)]), ['ok', 'ok', 'ok']);
    assert.equal(b.saturated, false);
  });

  it('drops a request still queued at its deadline, unrun', async () => {
    const { runner, runs } = doubler(1, 60);
    const b = new Batcher(
      runner,
      input,
      { maxBatch: 1, maxDelayMs: 0, maxQueue: 8, timeoutMs: 20 },
      false,
      () => {},
      'm',
    );
    const first = b.submit(feed(1), 1);
    const late = b.submit(feed(2), 1);
    assert.equal(await code(late), 'LEPTON_DEADLINE_EXCEEDED');
    assert.equal(await code(first), 'ok');
    assert.deepEqual(runs, [1]);
  });

  it('takes a request out of the queue when its client goes, and never runs it', async () => {
    const { runner, runs } = doubler(1, 30);
    const b = new Batcher(runner, input, { maxBatch: 1, maxDelayMs: 0 }, false, () => {}, 'm');
    const first = b.submit(feed(1), 1);
    const gone = new AbortController();
    const cancelled = b.submit(feed(2), 1, gone.signal);
    gone.abort();
    assert.equal(await code(cancelled), 'LEPTON_CLIENT_CLOSED');
    await first;
    assert.deepEqual(runs, [1]);
  });

  it('takes a request out of the queue when its ClientGone aborts, and answers the others', async () => {
    const { runner, runs } = doubler(1, 30);
    const b = new Batcher(runner, input, { maxBatch: 1, maxDelayMs: 0 }, false, () => {}, 'm');
    const first = b.submit(feed(1), 1, new ClientGone());
    const gone = new ClientGone();
    const cancelled = b.submit(feed(2), 1, gone);
    const stays = new ClientGone();
    const third = b.submit(feed(3), 1, stays);
    gone.abort();
    assert.equal(gone.aborted, true);
    assert.equal(await code(cancelled), 'LEPTON_CLIENT_CLOSED');
    assert.deepEqual(Array.from((await first).y!.data as Float32Array), [2]);
    assert.deepEqual(Array.from((await third).y!.data as Float32Array), [6]);
    // Aborted once answered, a request's client calls nothing: its listener was removed with the answer.
    stays.abort();
    assert.deepEqual(runs, [1, 1]);
  });

  it('refuses at once a request whose ClientGone aborted before it was submitted', async () => {
    const { runner, runs } = doubler(1, 5);
    const b = new Batcher(runner, input, { maxBatch: 1, maxDelayMs: 0 }, false, () => {}, 'm');
    const gone = new ClientGone();
    gone.abort();
    assert.equal(await code(b.submit(feed(1), 1, gone)), 'LEPTON_CLIENT_CLOSED');
    assert.deepEqual(runs, []);
  });

  it('closes only once queued and running requests are answered', async () => {
    const { runner } = doubler(1, 20);
    const b = new Batcher(runner, input, { maxBatch: 1, maxDelayMs: 0 }, false);
    const answers = [b.submit(feed(1), 1), b.submit(feed(2), 1), b.submit(feed(3), 1)];
    let settled = 0;
    for (const a of answers) void a.then(() => settled++);
    await b.close();
    assert.equal(settled, 3);
  });
});
