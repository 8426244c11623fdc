// Comms both ways between a cell and a real Jupyter client.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { KernelClient, resultData, type JupyterMessage } from '../support/kernel-client.js';
import { started } from '../support/hooks.js';

describe('comms in the Lepton kernel', () => {
  let kernel: KernelClient;
  before(async () => {
    kernel = await KernelClient.start();
  });
  after(() => started(kernel)?.shutdown());

  test('a front end opens a comm on a registered target and gets its messages echoed', async () => {
    await kernel.execute(
      'lepton.comm.registerTarget("echo", (comm) => comm.onMessage((data) => comm.send({ echoed: data })))',
    );
    const open = await kernel.send('comm_open', { comm_id: 'c1', target_name: 'echo', data: {} });
    await kernel.iopub(open);
    const info = await kernel.request('comm_info_request', { target_name: 'echo' });
    assert.deepEqual(info.content.comms, { c1: { target_name: 'echo' } });
    const msg = await kernel.send('comm_msg', { comm_id: 'c1', data: { n: 7 } });
    const iopub = await kernel.iopub(msg);
    const echo = iopub.find((m) => m.msg_type === 'comm_msg');
    assert.deepEqual(echo?.content.data, { echoed: { n: 7 } });
  });

  test('a cell opens a comm and receives front-end messages while it is still running', async () => {
    const id = await kernel.send('execute_request', {
      code: [
        'const c = lepton.comm.open("lepton.test", { hello: true });',
        'const got = await new Promise((resolve) => c.onMessage((data) => resolve(data)));',
        'got',
      ].join('\n'),
      silent: false,
      store_history: true,
      user_expressions: {},
      allow_stdin: false,
      stop_on_error: true,
    });
    const opened = await kernel.call<{ messages: JupyterMessage[] }>('iopub', {
      count: 50,
      timeout: 10,
      allow_timeout: true,
    });
    const open = opened.messages.find((m) => m.msg_type === 'comm_open');
    assert.ok(open, 'no comm_open arrived');
    assert.equal(open.content.target_name, 'lepton.test');
    assert.deepEqual(open.content.data, { hello: true });
    await kernel.send('comm_msg', { comm_id: open.content.comm_id, data: { stop: 'now' } });
    const reply = await kernel.reply(id);
    assert.equal(reply.content.status, 'ok');
  });

  test('comm_close from the front end runs the close handler and forgets the comm', async () => {
    await kernel.execute(
      'lepton.comm.registerTarget("closing", (comm) => comm.onClose(() => { (globalThis as any).closed = true }))',
    );
    await kernel.iopub(await kernel.send('comm_open', { comm_id: 'c2', target_name: 'closing', data: {} }));
    await kernel.iopub(await kernel.send('comm_close', { comm_id: 'c2', data: {} }));
    assert.deepEqual(resultData(await kernel.execute('(globalThis as any).closed')), { 'text/plain': 'true' });
    const info = await kernel.request('comm_info_request', {});
    assert.equal(info.content.comms!.c2, undefined);
  });

  test('a comm opened on an unknown target is closed at once', async () => {
    const id = await kernel.send('comm_open', { comm_id: 'c3', target_name: 'nobody', data: {} });
    const iopub = await kernel.iopub(id);
    assert.ok(iopub.some((m) => m.msg_type === 'comm_close' && m.content.comm_id === 'c3'));
  });
});
