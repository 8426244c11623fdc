// lepton.automl in the real kernel, through a Jupyter client: the live leaderboard updates in place as trials
// finish, and interrupting the cell stops the search while keeping the leaderboard and the best pipeline so far.
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

describe('lepton.automl in the kernel', () => {
  let kernel: KernelClient;
  const folder = mkdtempSync(join(tmpdir(), 'lepton-automl-interrupt-'));
  const progress = join(folder, 'trials.txt');
  before(async () => {
    kernel = await KernelClient.start();
    const setup = await kernel.execute(
      `import { writeFileSync } from 'node:fs';
const penguins = lepton.datasets.penguins();`,
      { timeout: 300 },
    );
    assert.equal(setup.reply.content.status, 'ok', JSON.stringify(setup.outputs.map((m) => m.content)));
  });
  after(async () => {
    await started(kernel)?.shutdown();
    rmSync(folder, { recursive: true, force: true });
  });

  test(
    'interrupting the search keeps the leaderboard and a best pipeline that predicts',
    { timeout: 180_000 },
    async () => {
      // The cell writes how many trials have finished, so the test interrupts only once two have.
      const code = `const tick = setInterval(() => writeFileSync(${JSON.stringify(progress)}, String(lepton.automl.last()?.leaderboard.entries.length ?? 0)), 50);
try { await lepton.automl(penguins, { target: 'Species', budget: { trials: 500 }, cv: 3, families: ['baseline', 'linear'], seed: 0 }); } finally { clearInterval(tick); }`;
      const id = await kernel.send('execute_request', executeRequest(code));
      const finished = () => (existsSync(progress) ? Number(readFileSync(progress, 'utf8')) || 0 : 0);
      const deadline = Date.now() + 120_000;
      while (finished() < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
      assert.ok(finished() >= 2, 'two trials finished before the interrupt');
      await kernel.interrupt();
      const reply = await kernel.reply(id, 'shell', 60);
      const outputs = await kernel.iopub(id, 60);
      assert.notEqual(reply.content.status, 'ok', 'the interrupted cell does not end as ok');
      // The leaderboard was shown once and updated in place under its display id.
      const shown = outputs.filter(
        (m) => (m.msg_type === 'display_data' && m.content.data?.['text/plain']) ?? ''.includes('trial'),
      );
      const updates = outputs.filter((m) => m.msg_type === 'update_display_data');
      assert.ok(shown.length >= 1, 'the leaderboard is displayed');
      assert.ok(updates.length >= 2, `the leaderboard updates in place (${updates.length} updates)`);
      const lastTable = updates.filter((m) => m.content.data?.['text/html'] ?? ''.includes('lepton-automl')).at(-1);
      assert.match(String(lastTable?.content.data?.['text/plain']), /Interrupted: \d+ trials/);

      const kept = await kernel.execute(`const r = lepton.automl.last()!;
console.log(JSON.stringify({ status: r.status, trials: r.leaderboard.entries.length, family: r.best?.family, predicted: r.best?.predict(penguins.slice(0, 3)) }))`);
      assert.equal(kept.reply.content.status, 'ok', JSON.stringify(kept.outputs.map((m) => m.content)));
      const state = JSON.parse(streamText(kept)) as {
        status: string;
        trials: number;
        family: string;
        predicted: string[];
      };
      assert.equal(state.status, 'interrupted');
      assert.ok(state.trials >= 2 && state.trials < 500, `${state.trials} trials kept`);
      assert.ok(state.family === 'linear' || state.family === 'baseline', JSON.stringify(state));
      assert.equal(state.predicted.length, 3);
      assert.ok(state.predicted.every((p) => ['Adelie', 'Chinstrap', 'Gentoo'].includes(p)));
      const alive = await kernel.execute('1 + 1');
      assert.equal(resultData(alive)?.['text/plain'], '2', 'the kernel still runs cells');
    },
  );
});
