// The Lepton kernel over ZMQ with a real Jupyter client: every message type front ends use.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KernelClient, resultData, streamText, type JupyterMessage } from '../support/kernel-client.js';
import { started } from '../support/hooks.js';

describe('the Lepton kernel answers a real Jupyter client', () => {
  let kernel: KernelClient;
  before(async () => {
    kernel = await KernelClient.start();
  });
  after(() => started(kernel)?.shutdown());

  test('kernel_info_reply has status ok, the TypeScript language and protocol 5.3', async () => {
    const reply = await kernel.request('kernel_info_request');
    assert.equal(reply.content.status, 'ok');
    assert.equal(reply.content.protocol_version, '5.3');
    assert.equal(reply.content.implementation, 'lepton');
    assert.equal(reply.content.language_info!.name, 'typescript');
    assert.match(reply.content.language_info!.version, /^\d+\.\d+\.\d+$/);
  });

  test('execute sends execute_input, the result of the last expression and an ok reply', async () => {
    const run = await kernel.execute('const answer: number = 40;\nanswer + 2');
    assert.equal(run.reply.content.status, 'ok');
    assert.equal(run.outputs[0]?.msg_type, 'execute_input');
    assert.deepEqual(resultData(run), { 'text/plain': '42' });
    const count = run.reply.content.execution_count;
    assert.equal(run.outputs.find((m) => m.msg_type === 'execute_result')?.content.execution_count, count);
  });

  test('names declared in one cell are seen, with their types, by the next', async () => {
    await kernel.execute('let greeting = "hello"');
    const run = await kernel.execute('greeting.toUpperCase()');
    assert.deepEqual(resultData(run), { 'text/plain': "'HELLO'" });
    const typed = await kernel.execute('const n: number = greeting');
    assert.equal(typed.reply.content.status, 'error');
  });

  test('an object shorthand can name a value from an earlier cell', async () => {
    await kernel.execute('const shortA = 1;\nlet shortB = "two"');
    assert.deepEqual(resultData(await kernel.execute('({ shortA, shortB })')), {
      'text/plain': "{ shortA: 1, shortB: 'two' }",
    });
  });

  test('a cell that declares an earlier name again, with another type, runs; later cells check against the new type', async () => {
    await kernel.execute('let again = 1');
    assert.deepEqual(resultData(await kernel.execute('let again = "one"; again')), { 'text/plain': "'one'" });
    const typed = await kernel.execute('const stillNumber: number = again');
    assert.equal(typed.reply.content.status, 'error');
    assert.deepEqual(resultData(await kernel.execute('again.length')), { 'text/plain': '3' });
  });

  test('console output arrives as stdout and stderr streams', async () => {
    const run = await kernel.execute('console.log("to out"); console.error("to err")');
    assert.equal(streamText(run, 'stdout'), 'to out\n');
    assert.equal(streamText(run, 'stderr'), 'to err\n');
  });

  test('a type error is an error message naming the TS code, the cell line and column', async () => {
    const run = await kernel.execute('const a = 1;\nconst b: string = a;');
    assert.equal(run.reply.content.status, 'error');
    const error = run.outputs.find((m) => m.msg_type === 'error')!.content;
    assert.equal(error.ename, 'TypeScriptError');
    assert.match(error.evalue!, /line 2: Type 'number' is not assignable to type 'string'/);
    assert.ok(error.traceback!.some((line: string) => line.includes('TS2322')));
  });

  test('a runtime error gives ename, evalue and a traceback pointing at the cell line', async () => {
    const run = await kernel.execute('const ok = 1;\nfunction fail() { throw new RangeError("too far") }\nfail()');
    const error = run.outputs.find((m) => m.msg_type === 'error')!.content;
    assert.equal(error.ename, 'RangeError');
    assert.equal(error.evalue, 'too far');
    assert.ok(
      error.traceback!.some((line: string) => /line 2: function fail/.test(line)),
      error.traceback!.join('\n'),
    );
    assert.equal(run.reply.content.ename, 'RangeError');
  });

  test('a syntax error is reported and the kernel goes on', async () => {
    const run = await kernel.execute('const = ;');
    assert.equal(run.reply.content.status, 'error');
    assert.deepEqual(resultData(await kernel.execute('1 + 1')), { 'text/plain': '2' });
  });

  test('top-level await works and its value is the result', async () => {
    const run = await kernel.execute('await new Promise((r) => setTimeout(() => r("later"), 20))');
    assert.deepEqual(resultData(run), { 'text/plain': "'later'" });
  });

  test('a rejected promise awaited by a cell is an error of that cell', async () => {
    const run = await kernel.execute('await Promise.reject(new TypeError("nope"))');
    assert.equal(run.reply.content.ename, 'TypeError');
  });

  test('an object with Symbol.for("Jupyter.display") is shown as its MIME bundle', async () => {
    const run = await kernel.execute('({ [Symbol.for("Jupyter.display")]: () => ({ "text/html": "<b>rich</b>" }) })');
    const data = resultData(run)!;
    assert.equal(data['text/html'], '<b>rich</b>');
    assert.equal(typeof data['text/plain'], 'string');
  });

  test('display() sends display_data; with an id it can be updated in place', async () => {
    const run = await kernel.execute(
      'display({ step: 1 }, { id: "progress" }); display.update("progress", { step: 2 })',
    );
    const shown = run.outputs.find((m) => m.msg_type === 'display_data')!;
    assert.equal(shown.content.transient!.display_id, 'progress');
    const updated = run.outputs.find((m) => m.msg_type === 'update_display_data')!;
    assert.equal(updated.content.transient!.display_id, 'progress');
    assert.equal(updated.content.data!['text/plain'], '{ step: 2 }');
  });

  test('display.clear() sends clear_output', async () => {
    const run = await kernel.execute('console.log("x"); display.clear(true)');
    const clear = run.outputs.find((m) => m.msg_type === 'clear_output');
    assert.deepEqual(clear?.content, { wait: true });
  });

  test('complete_request offers the preloaded names and members', async () => {
    const reply = await kernel.request('complete_request', { code: 'lepton.ver', cursor_pos: 10 });
    assert.equal(reply.content.status, 'ok');
    assert.ok(reply.content.matches!.includes('version'), reply.content.matches!.join(','));
    assert.equal(reply.content.cursor_start, 7);
    assert.equal(reply.content.cursor_end, 10);
  });

  test('inspect_request shows the type and the TSDoc of a name', async () => {
    const reply = await kernel.request('inspect_request', { code: 'lepton.signal', cursor_pos: 10, detail_level: 0 });
    assert.equal(reply.content.status, 'ok');
    assert.equal(reply.content.found, true);
    assert.match(reply.content.data!['text/plain']!, /signal\(\): AbortSignal/);
    assert.match(reply.content.data!['text/plain']!, /interrupts the cell/);
  });

  test('is_complete_request tells complete from incomplete code', async () => {
    assert.equal((await kernel.request('is_complete_request', { code: 'let x = 1' })).content.status, 'complete');
    const open = await kernel.request('is_complete_request', { code: 'function f() {' });
    assert.equal(open.content.status, 'incomplete');
  });

  test('history_request gets an ok reply', async () => {
    const reply = await kernel.request('history_request', {
      hist_access_type: 'tail',
      n: 10,
      output: false,
      raw: true,
    });
    assert.equal(reply.content.status, 'ok');
    assert.deepEqual(reply.content.history, []);
  });

  test('huge output is truncated with a notice and the kernel goes on', async () => {
    const run = await kernel.execute('for (let i = 0; i < 30000; i++) console.log("x".repeat(100))', { timeout: 120 });
    const text = streamText(run);
    assert.ok(text.length < 1_100_000, `sent ${text.length} characters`);
    assert.match(text, /output truncated/);
    assert.equal(run.reply.content.status, 'ok');
  });

  test('a huge rich output is replaced by a notice and the kernel goes on', async () => {
    const run = await kernel.execute(
      'display({ [Symbol.for("Jupyter.display")]: () => ({ "text/html": "x".repeat(25_000_000) }) })',
      { timeout: 120 },
    );
    const shown = run.outputs.find((m) => m.msg_type === 'display_data')!;
    assert.match(shown.content.data!['text/plain']!, /output not shown: it is 25\.0 MB \(text\/html, text\/plain\)/);
    assert.equal(shown.content.data!['text/html'], undefined);
    assert.equal(run.reply.content.status, 'ok');
  });

  test('input() asks the front end through input_request and gets the reply', async () => {
    const id = await kernel.send('execute_request', {
      code: 'const name = await input("Name?"); `hi ${name}`',
      allow_stdin: true,
      silent: false,
      store_history: true,
      user_expressions: {},
      stop_on_error: true,
    });
    const request = await kernel.call<JupyterMessage>('stdin', { timeout: 30 });
    assert.equal(request.msg_type, 'input_request');
    assert.equal(request.content.prompt, 'Name?');
    await kernel.send('input_reply', { value: 'Ada' }, 'stdin');
    const iopub = await kernel.iopub(id);
    const result = iopub.find((m) => m.msg_type === 'execute_result');
    assert.equal(result?.content.data!['text/plain'], "'hi Ada'");
  });

  test('input() without allow_stdin fails with a clear error', async () => {
    const run = await kernel.execute('await input("x")');
    assert.match(run.reply.content.evalue!, /allow_stdin/);
  });
});

describe('the preloaded names', () => {
  let kernel: KernelClient;
  before(async () => {
    kernel = await KernelClient.start();
  });
  after(() => started(kernel)?.shutdown());

  test('tf is TensorFlow.js without its Node.js banner', async () => {
    const run = await kernel.execute('tf.tensor([1, 2, 3]).sum().dataSync()[0]');
    assert.deepEqual(resultData(run), { 'text/plain': '6' });
    assert.equal(streamText(run, 'stderr') + streamText(run, 'stdout'), '');
  });

  test('lepton, tf and aq also name their types in cells', async () => {
    const run = await kernel.execute(
      'const t: tf.Tensor = tf.tensor([1, 2]);\nconst d: lepton.Display = display;\nconst table: aq.ColumnTable = aq.table({ a: [1] });\n[t.shape, typeof d, table.numRows()]',
    );
    assert.equal(run.reply.content.status, 'ok', JSON.stringify(run.reply.content));
    assert.deepEqual(resultData(run), { 'text/plain': "[ [ 2 ], 'function', 1 ]" });
  });
});

describe('a notebook outside the project', () => {
  let kernel: KernelClient;
  const folder = mkdtempSync(join(tmpdir(), 'lepton-outside-'));
  before(async () => {
    kernel = await KernelClient.start({ cwd: folder });
  });
  after(async () => {
    await started(kernel)?.shutdown();
    rmSync(folder, { recursive: true, force: true });
  });

  test('can keep library objects whose types live in the library, and use them in the next cell', async () => {
    const run = await kernel.execute(
      "const scaler = lepton.preprocess.standardScaler({ columns: ['Body Mass (g)'] });\nconst frame = lepton.datasets.penguins().filter((d: any) => d['Body Mass (g)'] != null);",
    );
    assert.equal(run.reply.content.status, 'ok', JSON.stringify(run.outputs.map((m) => m.content)));
    const next = await kernel.execute('scaler.fit(frame).transform(frame).numRows()');
    assert.deepEqual(resultData(next), { 'text/plain': '342' }, JSON.stringify(next.outputs.map((m) => m.content)));
  });
});
