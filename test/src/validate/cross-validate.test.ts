// Cross-validation in the real kernel, through a Jupyter client: the live fold table, and an interrupt that keeps
// the finished folds (in the result lepton.crossValidate.last() returns, and in the cell's saved output).
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

describe('lepton.crossValidate in the kernel', () => {
  let kernel: KernelClient;
  const folder = mkdtempSync(join(tmpdir(), 'lepton-cv-interrupt-'));
  const marker = join(folder, 'folds-started');
  before(async () => {
    kernel = await KernelClient.start();
    const setup = await kernel.execute(
      `const { writeFileSync } = await import('node:fs');
const frame = lepton.DataFrame.from({ v: Array.from({ length: 400 }, (_, i) => Math.sin(i / 6) * 5 + ((i * 7919) % 11) / 11) });
const w = lepton.preprocess.windows(frame, { features: ['v'], target: 'v', inputWidth: 8 });
// Each fold's build records that it started, so the test knows when folds have finished.
const build = ({ fold, seed }: lepton.FoldContext) => {
  writeFileSync(${JSON.stringify(marker)}, String(fold));
  return lepton.models.linear({ inputs: [8, 1], seed });
};`,
    );
    assert.equal(setup.reply.content.status, 'ok', JSON.stringify(setup.outputs.map((m) => m.content)));
  });
  after(async () => {
    await started(kernel)?.shutdown();
    rmSync(folder, { recursive: true, force: true });
  });

  test('shows the folds live and ends with the table of folds, mean ± std', { timeout: 120_000 }, async () => {
    const run =
      await kernel.execute(`const cv = await lepton.crossValidate(() => lepton.baselines.naive(w.spec), w, { splitter: lepton.timeSeriesSplit(w.x.shape[0], { folds: 3 }), metrics: ['mae', 'rmse'] });
console.log(cv.describe())`);
    assert.equal(run.reply.content.status, 'ok', JSON.stringify(run.outputs.map((m) => m.content)));
    assert.match(streamText(run), /^naive: mae \d\.\d{4} ± \d\.\d{4}, rmse \d\.\d{4} ± \d\.\d{4} \(3 of 3 folds\)/);
    const html = run.outputs
      .filter((m) => m.msg_type === 'display_data' || m.msg_type === 'update_display_data')
      .map((m) => m.content.data?.['text/html'] ?? '');
    assert.match(html.at(-1)!, /Cross-validation of naive<\/b> \(3 folds\).*mean ± std.*<svg/s);
  });

  test('interrupting keeps the finished folds', { timeout: 180_000 }, async () => {
    const id = await kernel.send(
      'execute_request',
      executeRequest(
        `await lepton.crossValidate(build, w, { folds: 50, fit: { epochs: 40, batchSize: 8 }, metrics: ['mae'], name: 'slow linear' })`,
      ),
    );
    const deadline = Date.now() + 120_000;
    const started = () => (existsSync(marker) ? Number(readFileSync(marker, 'utf8')) : -1);
    while (started() < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
    assert.ok(started() >= 2, 'two folds finished before the interrupt');
    await kernel.interrupt();
    const reply = await kernel.reply(id, 'shell', 20);
    const messages = await kernel.iopub(id);
    assert.equal(reply.content.status, 'error');
    const last = await kernel.execute(
      'const kept = lepton.crossValidate.last()!; console.log(`${kept.status} ${kept.folds.length} ${kept.name}`)',
    );
    const [status, folds, ...name] = streamText(last).trim().split(' ');
    assert.equal(status, 'interrupted');
    assert.ok(Number(folds) >= 2 && Number(folds) < 50, `${folds} finished folds kept`);
    assert.equal(name.join(' '), 'slow linear');
    const updates = messages
      .filter((m) => m.msg_type === 'update_display_data')
      .map((m) => m.content.data?.['text/html'] ?? '');
    assert.match(
      updates.at(-1)!,
      /interrupted: \d+ of 50 folds finished and kept/,
      'the saved output says the run was interrupted',
    );
    const alive = await kernel.execute('1 + 1');
    assert.equal(resultData(alive)?.['text/plain'], '2', 'the kernel still runs cells');
  });
});
