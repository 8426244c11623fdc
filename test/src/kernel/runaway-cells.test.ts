// Cells that never yield, exit the process, kill the compiler or fill the heap (issue 26.7), through a real client.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { KernelClient, resultData, streamText, type Execution, type JupyterMessage } from '../support/kernel-client.js';
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

/** A cell that makes the compiler worker exit, through the inspector's NodeWorker domain (public Node APIs only). */
const killCompiler = `import * as inspector from 'node:inspector';
const session = new inspector.Session();
session.connect();
await new Promise<void>((resolve, reject) => {
  setTimeout(() => reject(new Error('the compiler worker was not found')), 20_000);
  session.on('NodeWorker.attachedToWorker', ({ params }: any) => {
    if (!String(params.workerInfo.url).includes('compiler/worker.js')) return;
    // The worker exits a moment later, once this session is gone: a worker that exits while the kernel's own
    // thread holds an inspector session on it can deadlock the two threads (the kernel then hung for good, now
    // and then, in CI), which is the injection's doing, not a crash a kernel meets.
    const exit = { id: 1, method: 'Runtime.evaluate', params: { expression: 'setTimeout(() => process.exit(7), 300)' } };
    // Not waiting for the answer: the worker may be gone before its session acknowledges the message.
    session.post('NodeWorker.sendMessageToWorker' as any, { sessionId: params.sessionId, message: JSON.stringify(exit) } as any);
    resolve();
  });
  session.post('NodeWorker.enable' as any, { waitForDebuggerOnStart: false } as any);
});
session.disconnect();
// The kernel hears of the exit from the worker's thread: let it arrive before the next cell.
await new Promise((r) => setTimeout(r, 1500));`;

describe('the kernel stops runaway cells and survives them', () => {
  let kernel: KernelClient;
  before(async () => {
    kernel = await KernelClient.start();
    await kernel.execute('1', { timeout: 120 });
  });
  after(() => started(kernel)?.shutdown());

  /** Starts `code`, interrupts it once it printed `started`, and returns its reply and the time the reply took. */
  async function interruptWhenStarted(code: string) {
    const id = await kernel.send('execute_request', executeRequest(code));
    for (;;) {
      const { messages } = await kernel.call<{ messages: JupyterMessage[] }>('iopub', { count: 1, timeout: 60 });
      const message = messages[0];
      if (message?.parent_msg_id === id && message.msg_type === 'stream' && message.content.text!.includes('started'))
        break;
    }
    // The loop starts 100 ms after the print: give it time to be the only thing running.
    await new Promise((resolve) => setTimeout(resolve, 400));
    const sent = Date.now();
    await kernel.interrupt();
    const reply = await kernel.reply(id, 'shell', 10);
    const elapsed = Date.now() - sent;
    const iopub = await kernel.iopub(id);
    return { reply, elapsed, iopub };
  }

  test('an interrupt stops a busy loop that runs after an await within 1 s', async () => {
    const { reply, elapsed } = await interruptWhenStarted(
      'console.log("started");\nawait new Promise((r) => setTimeout(r, 100));\nlet spins = 0;\nwhile (true) { spins++ }',
    );
    assert.equal(reply.content.ename, 'Interrupt');
    assert.ok(elapsed < 1000, `took ${elapsed} ms`);
    assert.equal(text(await kernel.execute('"alive"')), "'alive'");
  });

  test('an interrupt stops a busy loop inside a timer callback within 1 s', async () => {
    const { reply, elapsed, iopub } = await interruptWhenStarted(
      'setTimeout(() => { for (;;) {} }, 100);\nconsole.log("started");\nawait new Promise((r) => setTimeout(r, 60_000))',
    );
    assert.equal(reply.content.ename, 'Interrupt');
    assert.ok(elapsed < 1000, `took ${elapsed} ms`);
    const stderr = iopub
      .filter((m) => m.msg_type === 'stream' && m.content.name === 'stderr')
      .map((m) => m.content.text)
      .join('');
    assert.match(stderr, /Interrupt/);
    assert.equal(text(await kernel.execute('1 + 1')), '2');
  });

  test('process.exit in a cell is an error that names it; the kernel and its names live on', async () => {
    await kernel.execute('const beforeExit = 41');
    const run = await kernel.execute('process.exit(3)');
    assert.equal(run.reply.content.ename, 'ProcessExitError');
    assert.match(run.reply.content.evalue!, /process\.exit\(3\) was called in a cell/);
    const later = await kernel.execute(
      'setTimeout(() => process.exit(0), 0); await new Promise((r) => setTimeout(r, 100)); beforeExit + 1',
    );
    assert.equal(text(later), '42');
    assert.match(streamText(later, 'stderr'), /process\.exit\(0\) was called in a cell/);
    assert.equal(await kernel.alive(), true);
  });
});

describe('a compiler worker that dies', () => {
  // A kernel of its own: the crash is injected through the inspector, which this leaves attached to the workers.
  let kernel: KernelClient;
  before(async () => {
    kernel = await KernelClient.start();
    await kernel.execute('1', { timeout: 120 });
  });
  after(() => started(kernel)?.shutdown());

  test('is restarted with a message, and the names declared so far stay', async () => {
    await kernel.execute('const declaredBeforeCrash = "kept"');
    assert.equal((await kernel.execute(killCompiler, { timeout: 60 })).reply.content.status, 'ok');
    let run = await kernel.execute('declaredBeforeCrash.toUpperCase()', { timeout: 120 });
    if (run.reply.content.status === 'error') {
      // The cell reached the worker as it died: it is told to run again.
      assert.match(run.reply.content.evalue!, /The TypeScript compiler stopped .* and was restarted/);
      run = await kernel.execute('declaredBeforeCrash.toUpperCase()', { timeout: 120 });
    } else {
      assert.match(
        streamText(run, 'stderr'),
        /The TypeScript compiler had stopped \(its thread exited with code 7\); it was restarted/,
      );
    }
    assert.equal(text(run), "'KEPT'");
  });
});

describe('a cell that fills the heap', () => {
  let kernel: KernelClient;
  before(async () => {
    // A small heap, so the test fills it in a second.
    kernel = await KernelClient.start({ env: { NODE_OPTIONS: '--max-old-space-size=256' } });
    await kernel.execute('1', { timeout: 120 });
  });
  after(() => started(kernel)?.shutdown());

  // Arrays of 80 KB go through the young generation, which makes V8 die well below its stated limit (break-flag.ts).
  test('ends with an OutOfMemory error reply, drops what it declared, and the kernel lives on', async () => {
    const run = await kernel.execute(
      'const chunks: number[][] = [];\nwhile (true) chunks.push(new Array(10_000).fill(1.5))',
      { timeout: 120 },
    );
    assert.equal(run.reply.content.ename, 'OutOfMemory');
    assert.match(run.reply.content.evalue!, /stopped with the heap at \d+ MB of its \d+ MB limit/);
    assert.equal((await kernel.execute('chunks')).reply.content.ename, 'TypeScriptError');
    const after = await kernel.execute(
      'const more: number[][] = [];\nfor (let i = 0; i < 100; i++) more.push(new Array(100_000).fill(2));\nmore.length',
    );
    assert.equal(text(after), '100');
  });
});
