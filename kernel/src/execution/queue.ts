import { promiseBundle, toMimeBundle } from '@lepton/lib/host';
import type { ConvertAnswer } from '../compiler/protocol.js';
import type { ErrorContent, Message, MimeData } from '../protocol/messages.js';
import type { Outbox } from '../protocol/outbox.js';
import { Cell } from './cell.js';
import type { Engine } from './engine.js';
import { runtimeError } from './errors.js';

/**
 * Runs execute requests one at a time, in the order they came. After a cell fails with `stop_on_error`, the
 * requests already queued behind it are answered `aborted` without running (the spec's behaviour, as ipykernel's).
 * It knows the running cell and the last one, where output from outside any cell goes.
 */
export class ExecutionQueue {
  private executionCount = 0;
  private executions: Promise<void> = Promise.resolve();
  /** How many execute requests have been queued so far: each request's number is its place in that count. */
  private received = 0;
  /**
   * Requests numbered up to this one are answered `aborted`: those already queued when a cell failed with
   * `stop_on_error`. A number, not a flag cleared when the queue drains, because a client that reads the last
   * `aborted` reply may send its next request before the queue has counted that one done: it must run.
   */
  private abortThrough = 0;
  private current: Cell | undefined;
  private last: Cell | undefined;

  /**
   * `notice` returns, once, a line to print at the top of the next cell (e.g. the compiler was restarted);
   * `log` writes to the kernel's own log.
   */
  constructor(
    private readonly engine: Engine,
    private readonly outbox: Outbox,
    private readonly notice: () => string | undefined,
    private readonly log: (text: string) => void,
  ) {}

  /** The cell running now, if any. */
  get running(): Cell | undefined {
    return this.current;
  }

  /** The running cell, else the last one that ran: where output with no cell of its own goes. */
  get latest(): Cell | undefined {
    return this.current ?? this.last;
  }

  /** Queues an execute request; busy and idle statuses bracket it when its turn comes. */
  enqueue(message: Message<'execute_request'>): void {
    const number = ++this.received;
    this.executions = this.executions.then(async () => {
      const aborted = number <= this.abortThrough;
      // The compiler starts on the cell first and works while the busy status and execute_input go out.
      const compiled = aborted ? undefined : this.engine.compile(message.content.code);
      await this.outbox.status('busy', message.header);
      try {
        await this.execute(message, aborted, compiled);
      } catch (error) {
        this.log(`execute failed: ${(error as Error).stack}`);
      }
      await this.outbox.status('idle', message.header);
    });
  }

  private async execute(
    message: Message<'execute_request'>,
    aborted: boolean,
    compiled?: Promise<ConvertAnswer>,
  ): Promise<void> {
    const { code, silent = false, store_history = true, allow_stdin = true, stop_on_error = true } = message.content;
    if (aborted) {
      await this.outbox.reply(message, 'shell', 'execute_reply', {
        status: 'aborted',
        execution_count: this.executionCount,
      });
      return;
    }
    if (!silent && store_history) this.executionCount++;
    const count = this.executionCount;
    const cell = new Cell(count, message.header, message.identities, allow_stdin, (msgType, content) => {
      if (!silent) void this.outbox.publish(msgType, content, message.header);
    });
    if (!silent) await this.outbox.publish('execute_input', { code, execution_count: count }, message.header);
    this.current = cell;
    this.last = cell;
    const notice = this.notice();
    if (notice) cell.write('stderr', notice);
    const outcome = await this.engine
      .run(code, cell, compiled)
      .catch((error: unknown): { status: 'error'; error: ErrorContent } => ({
        status: 'error',
        error: runtimeError(error, () => undefined, code),
      }));
    this.current = undefined;
    if (outcome.status === 'ok') {
      if (outcome.hasValue) {
        // A promise left unawaited shows its state (or value), not Node's async bookkeeping.
        const data =
          outcome.value instanceof Promise
            ? await promiseBundle(outcome.value).catch(() => safeBundle(outcome.value))
            : safeBundle(outcome.value);
        cell.output('execute_result', { execution_count: count, data, metadata: {} });
      }
      cell.flush();
      await this.outbox.reply(message, 'shell', 'execute_reply', {
        status: 'ok',
        execution_count: count,
        user_expressions: {},
        payload: [],
      });
      return;
    }
    cell.output('error', { ...outcome.error });
    cell.flush();
    // Every request received by now was queued behind this cell (the cell itself is numbered among them).
    if (stop_on_error) this.abortThrough = this.received;
    await this.outbox.reply(message, 'shell', 'execute_reply', {
      status: 'error',
      execution_count: count,
      ...outcome.error,
    });
  }
}

/** A value's bundle; a display method that throws becomes a text notice rather than a failed cell. */
function safeBundle(value: unknown): MimeData {
  try {
    return toMimeBundle(value);
  } catch (error) {
    return { 'text/plain': `(could not display this value: ${(error as Error).message})` };
  }
}
