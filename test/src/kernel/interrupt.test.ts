// Interrupts, crash-proofing and restarts, through a real Jupyter client.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { KernelClient, resultData, streamText, type JupyterMessage } from '../support/kernel-client.js';
import { started } from '../support/hooks.js';

const executeRequest = (code: string) => ({
  code,
  silent: false,
  store_history: true,
  user_expressions: {},
  allow_stdin: false,
  stop_on_error: true,
});

describe('interrupting the Lepton kernel', () => {
  let kernel: KernelClient;
  before(async () => {
    kernel = await KernelClient.start();
    // A first cell waits for the compiler to be built; the timed interrupts below start from a warm kernel.
    await kernel.execute('1');
  });
  after(() => started(kernel)?.shutdown());

  async function interruptAfterStart(code: string) {
    const id = await kernel.send('execute_request', executeRequest(code));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const started = Date.now();
    await kernel.interrupt();
    const reply = await kernel.reply(id, 'shell', 10);
    const elapsed = Date.now() - started;
    await kernel.iopub(id);
    return { reply, elapsed };
  }

  test('SIGINT stops a synchronous infinite loop within 1 s and the kernel survives', async () => {
    const { reply, elapsed } = await interruptAfterStart('while (true) {}');
    assert.equal(reply.content.status, 'error');
    assert.equal(reply.content.ename, 'Interrupt');
    assert.ok(elapsed < 1000, `took ${elapsed} ms`);
    assert.deepEqual(resultData(await kernel.execute('1 + 2')), { 'text/plain': '3' });
  });

  test('SIGINT stops a recursion without loops, declared by an earlier cell, within 1 s', async () => {
    // The declaring cell runs no code, so it runs without Node's SIGINT watchdog; the calling cell must keep it, since
    // no loop check sees a recursion.
    assert.equal(
      (
        await kernel.execute(
          'function slowFib(n: number): number { return n < 2 ? n : slowFib(n - 1) + slowFib(n - 2) }',
        )
      ).reply.content.status,
      'ok',
    );
    const { reply, elapsed } = await interruptAfterStart('slowFib(60)');
    assert.equal(reply.content.ename, 'Interrupt');
    assert.ok(elapsed < 1000, `took ${elapsed} ms`);
    assert.deepEqual(resultData(await kernel.execute('let afterRecursion = 2 * 21; afterRecursion')), {
      'text/plain': '42',
    });
  });

  test('SIGINT stops an async loop within 1 s and its timers stop', async () => {
    const code =
      'globalThis.ticks = 0;\nwhile (true) { await new Promise((r) => setTimeout(r, 10)); globalThis.ticks++ }';
    const { reply, elapsed } = await interruptAfterStart(code);
    assert.equal(reply.content.ename, 'Interrupt');
    assert.ok(elapsed < 1000, `took ${elapsed} ms`);
    const before = resultData(await kernel.execute('(globalThis as any).ticks'))!['text/plain'];
    await new Promise((resolve) => setTimeout(resolve, 200));
    const later = resultData(await kernel.execute('(globalThis as any).ticks'))!['text/plain'];
    assert.equal(later, before, 'the loop kept running after the interrupt');
  });

  test('interrupt_request on the control channel stops an async cell and aborts its signal', async () => {
    const id = await kernel.send(
      'execute_request',
      executeRequest(
        'const s = lepton.signal(); await new Promise((_, reject) => s.addEventListener("abort", () => reject(new Error("aborted: " + s.aborted))))',
      ),
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    const interrupt = await kernel.send('interrupt_request', {}, 'control');
    assert.equal((await kernel.reply(interrupt, 'control')).content.status, 'ok');
    const reply = await kernel.reply(id);
    assert.equal(reply.content.status, 'error');
    await kernel.iopub(id);
  });

  test('an interval the cell left running is cleared by an interrupt', async () => {
    await kernel.execute('globalThis.beats = 0; setInterval(() => (globalThis as any).beats++, 5)');
    const id = await kernel.send('execute_request', executeRequest('await new Promise(() => {})'));
    await new Promise((resolve) => setTimeout(resolve, 300));
    await kernel.interrupt();
    await kernel.reply(id);
    await kernel.iopub(id);
    const first = resultData(await kernel.execute('(globalThis as any).beats'))!['text/plain'];
    await new Promise((resolve) => setTimeout(resolve, 100));
    const second = resultData(await kernel.execute('(globalThis as any).beats'))!['text/plain'];
    // Only the cell being interrupted loses its timers; the interval belongs to an earlier, finished cell.
    assert.notEqual(first, second);
    await kernel.execute('(globalThis as any).beats = -1');
  });
});

describe('the Lepton kernel survives what cells do', () => {
  let kernel: KernelClient;
  before(async () => {
    kernel = await KernelClient.start();
  });
  after(() => started(kernel)?.shutdown());

  test('an unhandled rejection from an earlier cell callback is reported, not fatal', async () => {
    await kernel.execute('setTimeout(() => { Promise.reject(new Error("late failure")) }, 10)');
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(await kernel.alive(), true);
    assert.deepEqual(resultData(await kernel.execute('"still here"')), { 'text/plain': "'still here'" });
  });

  test('a throw inside a timer callback does not kill the kernel', async () => {
    await kernel.execute('setTimeout(() => { throw new Error("thrown later") }, 10)');
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(await kernel.alive(), true);
  });

  test('output printed by a callback after its cell finished goes to the cell that created it', async () => {
    const first = await kernel.send(
      'execute_request',
      executeRequest('setTimeout(() => console.log("from the past"), 300); "scheduled"'),
    );
    await kernel.iopub(first);
    const second = await kernel.send(
      'execute_request',
      executeRequest('await new Promise((r) => setTimeout(r, 600)); "second"'),
    );
    const messages = await kernel.call<{ messages: JupyterMessage[] }>('iopub', {
      count: 100,
      timeout: 2,
      allow_timeout: true,
    });
    await kernel.reply(second);
    const late = messages.messages.find((m) => m.msg_type === 'stream' && m.content.text!.includes('from the past'));
    assert.ok(late, 'the late output was not sent');
    assert.equal(late.parent_msg_id, first);
  });

  test('a cell error with stop_on_error aborts the cells queued behind it', async () => {
    const failing = await kernel.send(
      'execute_request',
      executeRequest('await new Promise((r) => setTimeout(r, 200)); throw new Error("first fails")'),
    );
    const queued = await kernel.send('execute_request', executeRequest('"should not run"'));
    assert.equal((await kernel.reply(failing)).content.status, 'error');
    assert.equal((await kernel.reply(queued)).content.status, 'aborted');
    assert.deepEqual(resultData(await kernel.execute('"runs again"')), { 'text/plain': "'runs again'" });
  });

  test('restart gives a fresh kernel that still has the preloaded library', async () => {
    await kernel.execute('const beforeRestart = 1');
    await kernel.restart();
    const run = await kernel.execute('typeof lepton.display');
    assert.deepEqual(resultData(run), { 'text/plain': "'function'" });
    const gone = await kernel.execute('beforeRestart');
    assert.equal(gone.reply.content.status, 'error');
  });

  test('the unhandled rejection note names what went wrong', async () => {
    const id = await kernel.send(
      'execute_request',
      executeRequest('Promise.reject(new Error("nobody caught me")); await new Promise((r) => setTimeout(r, 100))'),
    );
    const iopub = await kernel.iopub(id);
    const text = iopub
      .filter((m) => m.msg_type === 'stream')
      .map((m) => m.content.text)
      .join('');
    assert.match(text, /nobody caught me/);
    assert.equal(
      streamText({ reply: iopub[0]!, outputs: iopub, iopub }, 'stderr').includes('Unhandled promise rejection'),
      true,
    );
  });
});
