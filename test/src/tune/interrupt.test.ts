// Interrupting a cell that runs lepton.tune, through a real Jupyter client: the search stops, the finished trials
// stay in the study (in the kernel and on disk), and a later call resumes from them.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KernelClient, resultData, streamText } from '../support/kernel-client.js';
import { started } from '../support/hooks.js';

const executeRequest = (code: string) => ({
  code,
  silent: false,
  store_history: true,
  user_expressions: {},
  allow_stdin: false,
  stop_on_error: true,
});

describe('interrupting a hyperparameter search', () => {
  let kernel: KernelClient;
  const folder = mkdtempSync(join(tmpdir(), 'lepton-tune-interrupt-'));
  const studyPath = join(folder, 'study.json');
  before(async () => {
    kernel = await KernelClient.start();
    const setup = await kernel.execute(
      `const x = tf.randomNormal([200, 4], 0, 1, 'float32', 1); const y = x.sum(1).greater(0).cast('int32');
const search = (trials: number) => lepton.tune((p, trial) => lepton.models.mlp({ inputs: 4, hidden: [p.units], classes: 2, seed: trial.seed }),
  { units: lepton.tune.int(2, 32) },
  { data: { x, y }, fit: { loss: 'sparseCategoricalCrossentropy', validation: 0.25, batchSize: 8 }, epochs: 4, trials, seed: 3, path: ${JSON.stringify(studyPath)} });`,
    );
    assert.equal(setup.reply.content.status, 'ok', JSON.stringify(setup.outputs.map((m) => m.content)));
  });
  after(async () => {
    await started(kernel)?.shutdown();
    rmSync(folder, { recursive: true, force: true });
  });

  test('stops the search and keeps every finished trial, in the kernel and on disk', { timeout: 120_000 }, async () => {
    const id = await kernel.send('execute_request', executeRequest('await search(500)'));
    const deadline = Date.now() + 60_000;
    const finished = () =>
      existsSync(studyPath)
        ? (JSON.parse(readFileSync(studyPath, 'utf8')) as { trials: { status: string }[] }).trials.filter(
            (t) => t.status === 'complete',
          ).length
        : 0;
    while (finished() < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
    assert.ok(finished() >= 2, 'two trials finished before the interrupt');
    await kernel.interrupt();
    const reply = await kernel.reply(id, 'shell', 10);
    await kernel.iopub(id);
    assert.equal(reply.content.status, 'error');
    const kept = finished();
    assert.ok(kept >= 2 && kept < 500, `${kept} finished trials on disk`);
    const inKernel = await kernel.execute("lepton.tune.last()!.trials.filter((t) => t.status === 'complete').length");
    assert.ok(
      Number(resultData(inKernel)?.['text/plain']) >= kept,
      'the study in the kernel keeps the finished trials',
    );
  });

  test('a later call resumes from the saved trials and runs only the missing ones', { timeout: 120_000 }, async () => {
    type Saved = { trials: { status: string; params: Record<string, unknown> }[] };
    const saved = (JSON.parse(readFileSync(studyPath, 'utf8')) as Saved).trials.filter((t) => t.status === 'complete');
    const run = await kernel.execute(
      `const more = await search(${saved.length + 1});\nconsole.log(JSON.stringify(more.trials.map((t) => [t.status, t.params])))`,
    );
    assert.equal(run.reply.content.status, 'ok', JSON.stringify(run.outputs.map((m) => m.content)));
    const trials = JSON.parse(streamText(run)) as [string, Record<string, unknown>][];
    assert.equal(trials.length, saved.length + 1);
    assert.deepEqual(
      trials.slice(0, saved.length).map(([, params]) => params),
      saved.map((t) => t.params),
      'the saved trials come first, unchanged',
    );
  });
});
