// Training in a real kernel: the live chart as display messages, Stop through a comm, and interrupts.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { KernelClient, resultData, type JupyterMessage } from '../support/kernel-client.js';
import { started } from '../support/hooks.js';
import { jsonOf } from '../support/mime.js';
import type { ModelSummaryJson, TrainingBundle } from '@lepton/lib/contract';

const trainingMime = 'application/vnd.lepton.training+json';
const executeRequest = (code: string) => ({
  code,
  silent: false,
  store_history: true,
  user_expressions: {},
  allow_stdin: false,
  stop_on_error: true,
});

/** A cell that builds a small classifier on random data (the label is the sign of the first feature). */
const setup = [
  'const x = tf.randomNormal([4096, 16], 0, 1, "float32", 1);',
  'const y = tf.oneHot(x.slice([0, 0], [-1, 1]).reshape([-1]).greater(0).toInt(), 2);',
  'function makeModel() { return lepton.models.mlp({ inputs: 16, hidden: [32], classes: 2 }) }',
].join('\n');

function trainingOutputs(messages: JupyterMessage[]) {
  return messages.filter(
    (m) => (m.msg_type === 'display_data' || m.msg_type === 'update_display_data') && m.content.data?.[trainingMime],
  );
}

describe('lepton.fit in the Lepton kernel', () => {
  let kernel: KernelClient;
  before(async () => {
    kernel = await KernelClient.start();
    const run = await kernel.execute(setup, { timeout: 60 });
    assert.equal(run.reply.content.status, 'ok', JSON.stringify(run.reply.content));
  });
  after(() => started(kernel)?.shutdown());

  test('a fit shows the training view and updates it live under one display id, ending with the final state', async () => {
    const run = await kernel.execute(
      'const model = makeModel();\nconst history = await lepton.fit(model, { x: x, y: y }, { loss: "categoricalCrossentropy", epochs: 3, batchSize: 32, validation: 0.2 });\nhistory',
      { timeout: 120 },
    );
    assert.equal(run.reply.content.status, 'ok', JSON.stringify(run.reply.content));
    const outputs = trainingOutputs(run.outputs);
    assert.equal(outputs[0]!.msg_type, 'display_data');
    const id = outputs[0]!.content.transient!.display_id;
    assert.match(id!, /^lepton-training-run-/);
    const updates = outputs.filter((m) => m.msg_type === 'update_display_data');
    assert.ok(updates.length >= 3, `only ${updates.length} updates`);
    assert.ok(updates.every((m) => m.content.transient!.display_id === id));
    const last = updates.at(-1)!.content.data;
    const training = jsonOf(last, trainingMime) as TrainingBundle;
    assert.equal(training.status, 'finished');
    assert.equal(training.epochs.length, 3);
    assert.ok('val_loss' in training.epochs[2]!.logs);
    assert.ok(last!['application/vnd.vegalite.v5+json'], 'no Vega-Lite fallback');
    assert.match(last!['text/plain']!, /epoch 3\/3/);
    // The History, as the cell's result, displays as the same run.
    assert.equal((jsonOf(resultData(run), trainingMime) as TrainingBundle).runId, training.runId);
  });

  test('a model as the last expression displays its summary bundle', async () => {
    const data = resultData(await kernel.execute('model'))!;
    const summary = jsonOf(data, 'application/vnd.lepton.model+json') as ModelSummaryJson;
    assert.equal(summary.params, 16 * 32 + 32 + 32 * 2 + 2);
    assert.deepEqual(
      summary.layers.map((l) => l.type),
      ['Dense', 'Dense'],
    );
    assert.match(data['text/plain']!, /Total params: 610/);
  });

  /** Waits (20 s at most) for the running cell's first training display; returns its run id. */
  async function trainingStarted(): Promise<string> {
    let runId: string | undefined;
    for (let i = 0; i < 20 && !runId; i++) {
      const got = await kernel.call<{ messages: JupyterMessage[] }>('iopub', {
        count: 5,
        timeout: 1,
        allow_timeout: true,
      });
      const first = trainingOutputs(got.messages)[0];
      runId = first && (jsonOf(first.content.data, trainingMime) as TrainingBundle).runId;
    }
    assert.ok(runId, 'no training display arrived');
    return runId;
  }

  test("the chart's Stop (a lepton.training comm message) stops the run at a batch boundary and fit returns", async () => {
    const id = await kernel.send(
      'execute_request',
      executeRequest(
        'const stopped = await lepton.fit(makeModel(), { x: x, y: y }, { loss: "categoricalCrossentropy", epochs: 500, batchSize: 32 });\nstopped.status + " " + stopped.batches.length',
      ),
    );
    const runId = await trainingStarted();
    await new Promise((resolve) => setTimeout(resolve, 500));
    await kernel.send('comm_open', {
      comm_id: 'stop-1',
      target_name: 'lepton.training',
      data: { action: 'stop', runId },
    });
    const reply = await kernel.reply(id, 'shell', 30);
    assert.equal(reply.content.status, 'ok');
    const result = resultData(
      await kernel.execute('stopped.status + " " + stopped.epochs.length + " " + (stopped.message ?? "")'),
    )!['text/plain'];
    assert.match(
      result!,
      /^'stopped \d+ Stopped at epoch \d+\/500, batch \d+\/128: the model keeps the weights trained so far/,
    );
  });

  test('interrupting the cell stops training, keeps the weights and the history, and says so', async () => {
    await kernel.execute('const slow = makeModel(); const before = slow.getWeights()[0].sum().dataSync()[0];');
    const id = await kernel.send(
      'execute_request',
      executeRequest(
        'await lepton.fit(slow, { x: x, y: y }, { loss: "categoricalCrossentropy", epochs: 500, batchSize: 32 })',
      ),
    );
    await trainingStarted();
    await new Promise((resolve) => setTimeout(resolve, 500));
    await kernel.interrupt();
    const reply = await kernel.reply(id, 'shell', 30);
    assert.equal(reply.content.status, 'error');
    assert.equal(reply.content.ename, 'Interrupt');
    const iopub = await kernel.iopub(id);
    const last = jsonOf(trainingOutputs(iopub).at(-1)!.content.data, trainingMime) as TrainingBundle;
    assert.equal(last.status, 'interrupted');
    assert.match(
      last.message!,
      /^Interrupted at epoch \d+\/500, batch \d+\/128: the model keeps the weights trained so far/,
    );
    const after = resultData(
      await kernel.execute(
        'const h = lepton.lastHistory()!; [h.status, h.batches.length > 0, slow.getWeights()[0].sum().dataSync()[0] !== before].join(" ")',
      ),
    )!;
    assert.equal(after['text/plain'], "'interrupted true true'");
    // The kernel still trains afterwards.
    const again = await kernel.execute(
      '(await lepton.fit(slow, { x: x, y: y }, { epochs: 1, batchSize: 256, live: false })).status',
      { timeout: 60 },
    );
    assert.equal(resultData(again)!['text/plain'], "'finished'");
  });

  test('Keras-style callbacks from lepton.callbacks run in a cell: the rate drops on a plateau and each epoch is logged to CSV', async () => {
    const code = [
      'import { readFileSync, rmSync } from "node:fs"; import { tmpdir } from "node:os"; import { join } from "node:path";',
      'const csvPath = join(tmpdir(), `lepton-callbacks-${process.pid}.csv`);',
      'const plateau = lepton.callbacks.reduceLROnPlateau({ monitor: "loss", factor: 0.5, patience: 1, minDelta: 100 });',
      'const logged = await lepton.fit(makeModel(), { x: x.slice(0, 256), y: y.slice(0, 256) }, { loss: "categoricalCrossentropy", optimizer: tf.train.sgd(0.01),',
      '  epochs: 3, batchSize: 128, live: false, callbacks: [plateau, lepton.callbacks.terminateOnNaN(), lepton.callbacks.csvLogger(csvPath)] });',
      'const lines = readFileSync(csvPath, "utf8").trim().split("\\n"); rmSync(csvPath);',
      '[logged.status, plateau.rates.join(" "), lines[0], lines.length].join("|")',
    ].join('\n');
    const run = await kernel.execute(code, { timeout: 120 });
    assert.equal(run.reply.content.status, 'ok', JSON.stringify(run.reply.content));
    assert.equal(resultData(run)!['text/plain'], "'finished|0.01 0.01 0.005|epoch,loss,acc|4'");
  });
});
