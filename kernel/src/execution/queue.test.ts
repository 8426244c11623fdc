import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Message } from '../protocol/messages.js';
import { makeHeader } from '../protocol/wire.js';
import type { Outbox } from '../protocol/outbox.js';
import type { CellOutcome, Engine } from './engine.js';
import { ExecutionQueue } from './queue.js';

const request = (code: string): Message<'execute_request'> => ({
  identities: [],
  header: makeHeader('execute_request', 's'),
  parent_header: {},
  metadata: {},
  content: { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true },
  buffers: [],
});

/**
 * A queue over an engine that fails the cell `fail` and runs every other one, recording what ran; `onReply` sees each
 * execute_reply as the outbox is handed it (where a real client could already have read it and sent its next request).
 */
function queueWith(onReply: (code: string, status: string) => void) {
  const ran: string[] = [];
  const engine = {
    compile: () => new Promise(() => {}),
    run: (code: string): Promise<CellOutcome> => {
      ran.push(code);
      return Promise.resolve(
        code === 'fail'
          ? { status: 'error', error: { ename: 'Error', evalue: 'fails', traceback: [] } }
          : { status: 'ok', hasValue: false },
      );
    },
  } as unknown as Engine;
  const outbox = {
    status: () => Promise.resolve(),
    publish: () => Promise.resolve(),
    reply: (message: Message<'execute_request'>, _channel: string, _type: string, content: { status: string }) => {
      onReply(message.content.code, content.status);
      return Promise.resolve();
    },
  } as unknown as Outbox;
  const queue = new ExecutionQueue(
    engine,
    outbox,
    () => undefined,
    () => {},
  );
  return { queue, ran };
}

test('a failed cell aborts the requests queued behind it, and a request sent on reading their reply runs', async () => {
  const statuses: Record<string, string> = {};
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const { queue, ran } = queueWith((code, status) => {
    statuses[code] = status;
    // The client reads the queued cell's `aborted` reply and sends its next request at once.
    if (code === 'queued') queue.enqueue(request('runs again'));
    if (code === 'runs again') done();
  });
  queue.enqueue(request('fail'));
  queue.enqueue(request('queued'));
  await finished;
  assert.deepEqual(statuses, { fail: 'error', queued: 'aborted', 'runs again': 'ok' });
  assert.deepEqual(ran, ['fail', 'runs again']);
});
