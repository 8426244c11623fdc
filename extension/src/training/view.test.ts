import { host } from '../testing/dom.js';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bundle } from '../testing/fixtures.js';
import { TrainingView } from './view.js';

describe('the live training view', () => {
  it('draws one chart per metric and grows as batches arrive', () => {
    const view = new TrainingView(host(), { stop: async () => {} });
    view.update(bundle(1, 5));
    const first = view.points;
    view.update(bundle(3, 5));
    assert.equal(view.node.querySelectorAll('svg.jp-LeptonChart').length, 2);
    assert.ok(view.points > first, `${view.points} points after ${first}`);
    assert.equal(view.node.dataset.points, String(view.points));
    assert.match(view.node.textContent, /epoch 3\/10 · batch 5\/5 · 900 samples\/s · ETA 3\.0s/);
  });

  it('draws at most the chart point cap of batch points per metric, however long the run', () => {
    const long = bundle(10, 500); // 5,000 batches per metric
    const capped = new TrainingView(host(), { stop: async () => {} });
    capped.maxPoints = 200;
    capped.update(long);
    const epochPoints = 2 * 10; // loss and acc: one training point per epoch each, never thinned
    assert.ok(
      capped.points - epochPoints <= 2 * 200,
      `${capped.points - epochPoints} batch points drawn for a cap of 200 per chart`,
    );
    const wide = new TrainingView(host(), { stop: async () => {} });
    wide.maxPoints = 4000;
    wide.update(long);
    assert.ok(wide.points > capped.points * 5, `a higher cap draws more detail: ${wide.points} vs ${capped.points}`);
  });

  it('marks the best epoch, and keeps the final state when training finishes', () => {
    const view = new TrainingView(host(), { stop: async () => {} });
    view.update(bundle(5, 2, { validation: true, status: 'finished', planned: 5 }));
    assert.match(view.node.querySelector('.jp-LeptonChart-best text')?.textContent ?? '', /best \(epoch 3\)/);
    assert.equal(view.node.querySelector('progress')!.value, 1);
    assert.equal(
      view.node.querySelector<HTMLButtonElement>('.jp-LeptonTraining-stop')!.hidden,
      true,
      'no Stop once finished',
    );
    assert.equal(view.node.dataset.status, 'finished');
  });

  it('asks the kernel to stop the run once when Stop is pressed', async () => {
    const asked: string[] = [];
    const view = new TrainingView(host(), {
      stop: (runId) => {
        asked.push(runId);
        return Promise.resolve();
      },
    });
    view.update(bundle(1, 3));
    const stop = view.node.querySelector<HTMLButtonElement>('.jp-LeptonTraining-stop')!;
    assert.equal(stop.hidden, false);
    stop.click();
    stop.click();
    await new Promise((resolve) => setTimeout(resolve, 0));
    assert.deepEqual(asked, ['run-test']);
    assert.equal(stop.disabled, true);
    assert.match(view.node.textContent, /stopping…/);
  });

  it('says why when the kernel cannot stop the run, and lets the user try again', async () => {
    const view = new TrainingView(host(), {
      stop: async () => Promise.reject(new Error('no running training run run-test')),
    });
    view.update(bundle(1, 3));
    view.node.querySelector<HTMLButtonElement>('.jp-LeptonTraining-stop')!.click();
    await new Promise((resolve) => setTimeout(resolve, 0));
    assert.match(
      view.node.querySelector('.jp-LeptonTraining-message')!.textContent,
      /Could not stop the run: no running training run/,
    );
    assert.equal(view.node.querySelector<HTMLButtonElement>('.jp-LeptonTraining-stop')!.disabled, false);
  });
});
