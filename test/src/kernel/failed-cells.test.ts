// A cell that throws or is interrupted keeps what it declared before it stopped (issue 25.1), through a real client.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { KernelClient, resultData, type Execution, type JupyterMessage } from '../support/kernel-client.js';
import { started } from '../support/hooks.js';

const executeRequest = (code: string) => ({
  code,
  silent: false,
  store_history: true,
  user_expressions: {},
  allow_stdin: false,
  stop_on_error: true,
});

/** The text/plain result of a cell that must succeed. */
function text(run: Execution): string | undefined {
  assert.equal(run.reply.content.status, 'ok', JSON.stringify(run.reply.content));
  return resultData(run)?.['text/plain'];
}

describe('a failed or interrupted cell keeps the declarations that ran', () => {
  let kernel: KernelClient;
  before(async () => {
    kernel = await KernelClient.start();
    await kernel.execute('1');
  });
  after(() => started(kernel)?.shutdown());

  async function interruptWhenStarted(code: string, startedWhen: string) {
    const id = await kernel.send('execute_request', executeRequest(code));
    // Waits until the cell has reached its loop: its first output says so.
    for (;;) {
      const { messages } = await kernel.call<{ messages: JupyterMessage[] }>('iopub', { count: 1, timeout: 60 });
      const message = messages[0];
      if (message?.parent_msg_id === id && message.msg_type === 'stream' && message.content.text!.includes(startedWhen))
        break;
    }
    await kernel.interrupt();
    const reply = await kernel.reply(id, 'shell', 30);
    await kernel.iopub(id);
    return reply;
  }

  test('a synchronous throw keeps the names declared before it, with their types, and not those after it', async () => {
    await kernel.execute('let overwritten = "earlier"; let untouched = "earlier"');
    const run = await kernel.execute(
      'const a = 1; overwritten = "changed"; let labels: string[] = ["x"];\nthrow new Error("boom");\nconst b = 2; let untouched = 42',
    );
    assert.equal(run.reply.content.status, 'error');
    assert.equal(run.reply.content.evalue, 'boom');
    assert.equal(
      text(await kernel.execute('[a + 1, labels.concat("y").join(), overwritten]')),
      "[ 2, 'x,y', 'changed' ]",
    );
    const missing = await kernel.execute('b');
    assert.equal(missing.reply.content.ename, 'TypeScriptError');
    assert.match(missing.reply.content.evalue!, /Cannot find name 'b'/);
    // The redeclaration never ran: the earlier value and type stay (a string, not undefined or a number).
    assert.equal(text(await kernel.execute('untouched.toUpperCase()')), "'EARLIER'");
  });

  test('an async rejection keeps the names declared before the await that failed', async () => {
    const run = await kernel.execute(
      'const beforeAwait = { ok: true };\nawait Promise.reject(new Error("rejected"));\nconst afterAwait = 1',
    );
    assert.equal(run.reply.content.evalue, 'rejected');
    assert.equal(text(await kernel.execute('beforeAwait.ok')), 'true');
    assert.equal((await kernel.execute('afterAwait')).reply.content.ename, 'TypeScriptError');
  });

  test('an interrupted await loop keeps its counter and what it declared before the loop', async () => {
    const reply = await interruptWhenStarted(
      'const progress = { rounds: 0 };\nconsole.log("looping");\nwhile (true) { await new Promise((r) => setTimeout(r, 5)); progress.rounds++ }\nconst unreachable = 1',
      'looping',
    );
    assert.equal(reply.content.ename, 'Interrupt');
    assert.equal(text(await kernel.execute('progress.rounds >= 0 && typeof progress.rounds')), "'number'");
    assert.equal((await kernel.execute('unreachable')).reply.content.ename, 'TypeScriptError');
  });

  test('an interrupted lepton.fit keeps the model, which the next cell trains further', async () => {
    await kernel.execute(
      'const xs = tf.randomNormal([2048, 8], 0, 1, "float32", 7); const ys = tf.oneHot(xs.slice([0, 0], [-1, 1]).reshape([-1]).greater(0).toInt(), 2);',
      { timeout: 60 },
    );
    const reply = await interruptWhenStarted(
      'const model = lepton.models.mlp({ inputs: 8, hidden: [16], classes: 2, seed: 3 });\nconst initial = model.getWeights()[0]!.sum().dataSync()[0];\nconsole.log("training");\nawait lepton.fit(model, { x: xs, y: ys }, { loss: "categoricalCrossentropy", epochs: 1000, batchSize: 32, live: false })',
      'training',
    );
    assert.equal(reply.content.ename, 'Interrupt');
    const trained = await kernel.execute('model.getWeights()[0]!.sum().dataSync()[0] !== initial', { timeout: 60 });
    assert.equal(text(trained), 'true');
    const further = await kernel.execute(
      'const more = await lepton.fit(model, { x: xs, y: ys }, { loss: "categoricalCrossentropy", epochs: 1, batchSize: 256, live: false });\nmore.status',
      { timeout: 60 },
    );
    assert.equal(text(further), "'finished'");
  });

  test('a type error in a later line runs nothing and commits nothing', async () => {
    const run = await kernel.execute(
      'const sideEffect = (globalThis as any).ranBeforeTypeError = true;\nconst wrong: number = "text"',
    );
    assert.equal(run.reply.content.ename, 'TypeScriptError');
    assert.equal(text(await kernel.execute('String((globalThis as any).ranBeforeTypeError)')), "'undefined'");
    assert.equal((await kernel.execute('sideEffect')).reply.content.ename, 'TypeScriptError');
  });
});
