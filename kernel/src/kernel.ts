import { promiseBundle, setHost, toMimeBundle } from '@lepton/lib/host';
import { createRequire } from 'node:module';
import { Channels, type ChannelName } from './protocol/channels.js';
import type { ConnectionInfo } from './protocol/connection.js';
import { PROTOCOL_VERSION, type ErrorContent, type Message, type RequestContents, type RequestType } from './protocol/messages.js';
import { makeHeader } from './protocol/wire.js';
import { Compiler } from './compiler/client.js';
import type { ConvertAnswer } from './compiler/protocol.js';
import { Cell, currentCell, InterruptError } from './execution/cell.js';
import { AsyncLocalStorage } from 'node:async_hooks';
import { Engine } from './execution/engine.js';
import { trackCellTimers } from './execution/timers.js';
import { routeStreamsToCells } from './execution/streams.js';
import { runtimeError } from './execution/errors.js';
import { CommManager } from './comm/manager.js';
import { createKernelHost } from './host.js';
import { installPreloadedGlobals, preloadedTypeFiles } from './preload.js';
import { BreakFlag } from './execution/break-flag.js';
import { guardProcessExit } from './execution/guards.js';

const require = createRequire(import.meta.url);
const kernelVersion: string = require('../package.json').version;
const typescriptVersion: string = require('@tslab/typescript-for-tslab').version;

type Handler<K extends RequestType> = (message: Message<RequestContents[K]>, channel: ChannelName) => Promise<void> | void;

/** What the kernel logs for itself (to the Jupyter server's log, never to a cell). */
function log(text: string): void {
  process.stderr.write(`[lepton-kernel] ${text}\n`);
}

/**
 * The Lepton kernel: Jupyter's messaging protocol on ZMQ, executing TypeScript cells with the library preloaded.
 * Execute requests run one at a time; every other request (comms, completion, interrupt) is answered while a
 * cell runs.
 */
export class Kernel {
  private readonly channels: Channels;
  private readonly compiler: Compiler;
  private readonly engine: Engine;
  private readonly comms: CommManager;
  private readonly breaks = new BreakFlag();
  private readonly session = crypto.randomUUID();
  private executionCount = 0;
  private executions: Promise<void> = Promise.resolve();
  private queuedExecutions = 0;
  private abortQueued = false;
  private running: Cell | undefined;
  /** Told to the next cell: the compiler worker died and was replaced since the last one. */
  private compilerNotice: string | undefined;
  private lastCell: Cell | undefined;
  private readonly commRequest = new AsyncLocalStorage<Message['header']>();
  private pendingInput: { resolve: (value: string) => void; reject: (error: Error) => void } | undefined;
  private stopped!: () => void;
  /** Resolves when the kernel has shut down. */
  readonly done = new Promise<void>((resolve) => (this.stopped = resolve));

  constructor(info: ConnectionInfo) {
    this.channels = new Channels(info);
    this.compiler = new Compiler({ types: ['node'], extraRoots: preloadedTypeFiles() }, (reason) => {
      log(`the TypeScript compiler stopped (${reason}); restarted it`);
      this.compilerNotice = `The TypeScript compiler had stopped (${reason}); it was restarted with the names declared so far.\n`;
    });
    this.engine = new Engine(this.compiler, process.cwd(), this.breaks);
    this.comms = new CommManager((msgType, content, buffers) => {
      // Replies to a front-end comm message have that message as parent; comms a cell opens, the cell.
      const parent = this.commRequest.getStore() ?? currentCell.getStore()?.parent ?? this.running?.parent ?? this.lastCell?.parent;
      void this.channels.send('iopub', { header: makeHeader(msgType, this.session), parent_header: parent ?? {}, content, buffers: buffers ?? [] });
    });
  }

  /** Binds the sockets first (so clients connect at once), then prepares the compiler and the preloaded names. */
  async start(): Promise<void> {
    await this.channels.bind();
    trackCellTimers();
    routeStreamsToCells();
    guardProcessExit();
    this.breaks.start();
    installPreloadedGlobals();
    setHost(
      createKernelHost({
        fallbackCell: () => this.running ?? this.lastCell,
        comms: this.comms,
        requestInput: (cell, prompt, password) => this.requestInput(cell, prompt, password),
      }),
    );
    this.installCrashGuards();
    for (const channel of ['shell', 'control', 'stdin'] as const) {
      void this.channels.listen(channel, (message) => this.dispatch(message, channel), (error) => log(`dropped a message on ${channel}: ${error.message}`));
    }
    void this.publishStatus('starting', {});
  }

  private readonly handlers: { [K in RequestType]?: Handler<K> } = {
    kernel_info_request: (message, channel) => this.reply(message, channel, 'kernel_info_reply', this.kernelInfo()),
    execute_request: (message) => this.queueExecution(message),
    complete_request: async (message, channel) => {
      const { code, cursor_pos } = message.content;
      const answer = await this.engine.complete(code, cursor_pos);
      await this.reply(message, channel, 'complete_reply', {
        status: 'ok',
        matches: answer.matches,
        cursor_start: answer.start,
        cursor_end: answer.end,
        metadata: {},
      });
    },
    inspect_request: async (message, channel) => {
      const { code, cursor_pos } = message.content;
      const answer = await this.engine.inspect(code, cursor_pos);
      const text = [answer.signature, answer.documentation].filter(Boolean).join('\n\n');
      await this.reply(message, channel, 'inspect_reply', {
        status: 'ok',
        found: answer.found,
        data: answer.found ? { 'text/plain': text, 'text/markdown': '```typescript\n' + answer.signature + '\n```\n\n' + answer.documentation } : {},
        metadata: {},
      });
    },
    is_complete_request: async (message, channel) => {
      const answer = await this.engine.isComplete(message.content.code);
      await this.reply(message, channel, 'is_complete_reply', { ...answer });
    },
    history_request: (message, channel) => this.reply(message, channel, 'history_reply', { status: 'ok', history: [] }),
    comm_info_request: (message, channel) =>
      this.reply(message, channel, 'comm_info_reply', { status: 'ok', comms: this.comms.info(message.content.target_name) }),
    comm_open: (message) => this.withCellContext(message, () => this.comms.openedByFrontEnd(message.content.comm_id, message.content.target_name, message.content.data)),
    comm_msg: (message) => this.withCellContext(message, () => this.comms.message(message.content.comm_id, message.content.data, message.buffers)),
    comm_close: (message) => this.withCellContext(message, () => this.comms.closedByFrontEnd(message.content.comm_id, message.content.data)),
    interrupt_request: async (message, channel) => {
      this.interrupt();
      await this.reply(message, channel, 'interrupt_reply', { status: 'ok' });
    },
    shutdown_request: async (message, channel) => {
      await this.reply(message, channel, 'shutdown_reply', { status: 'ok', restart: message.content.restart ?? false });
      await this.shutdown();
    },
    input_reply: (message) => {
      const pending = this.pendingInput;
      this.pendingInput = undefined;
      pending?.resolve(message.content.value);
    },
  };

  /** Routes a message to its handler, between busy and idle statuses; a failing handler never stops the kernel. */
  private dispatch(message: Message, channel: ChannelName): void {
    const type = message.header.msg_type as RequestType;
    const handler = this.handlers[type] as Handler<RequestType> | undefined;
    if (channel === 'stdin') {
      if (handler) void handler(message as any, channel);
      return;
    }
    if (!handler) {
      log(`no handler for ${type} on ${channel}`);
      return;
    }
    if (type === 'execute_request') {
      void handler(message as any, channel);
      return;
    }
    void (async () => {
      await this.publishStatus('busy', message.header);
      try {
        await handler(message as any, channel);
      } catch (error) {
        log(`${type} failed: ${(error as Error).stack}`);
        const replyType = type.replace(/_request$/, '_reply');
        if (replyType !== type) {
          await this.reply(message, channel, replyType, { status: 'error', ename: 'KernelError', evalue: (error as Error).message, traceback: [] });
        }
      }
      await this.publishStatus('idle', message.header);
    })();
  }

  private kernelInfo() {
    return {
      status: 'ok',
      protocol_version: PROTOCOL_VERSION,
      implementation: 'lepton',
      implementation_version: kernelVersion,
      language_info: {
        name: 'typescript',
        version: typescriptVersion,
        mimetype: 'text/typescript',
        file_extension: '.ts',
        codemirror_mode: { name: 'javascript', typescript: true },
        pygments_lexer: 'typescript',
      },
      banner: `Lepton ${kernelVersion}: TypeScript ${typescriptVersion} on Node.js ${process.version}, with lepton, tf, aq and display preloaded`,
      help_links: [{ text: 'Lepton', url: 'https://github.com/lepton-notebooks/lepton' }],
      debugger: false,
    };
  }

  /** Execute requests run in order; after an error with stop_on_error, those already queued are aborted. */
  private queueExecution(message: Message<RequestContents['execute_request']>): void {
    this.queuedExecutions++;
    this.executions = this.executions.then(async () => {
      // The compiler starts on the cell first and works while the busy status and execute_input go out.
      const compiled = this.abortQueued ? undefined : this.engine.compile(message.content.code);
      await this.publishStatus('busy', message.header);
      try {
        await this.execute(message, compiled);
      } catch (error) {
        log(`execute failed: ${(error as Error).stack}`);
      }
      this.queuedExecutions--;
      if (this.queuedExecutions === 0) this.abortQueued = false;
      await this.publishStatus('idle', message.header);
    });
  }

  private async execute(message: Message<RequestContents['execute_request']>, compiled?: Promise<ConvertAnswer>): Promise<void> {
    const { code, silent = false, store_history = true, allow_stdin = true, stop_on_error = true } = message.content;
    if (this.abortQueued) {
      await this.reply(message, 'shell', 'execute_reply', { status: 'aborted', execution_count: this.executionCount });
      return;
    }
    if (!silent && store_history) this.executionCount++;
    const count = this.executionCount;
    const cell = new Cell(count, message.header, message.identities, allow_stdin, (msgType, content) => {
      if (!silent) void this.channels.send('iopub', { header: makeHeader(msgType, this.session), parent_header: message.header, content });
    });
    if (!silent) await this.channels.send('iopub', { header: makeHeader('execute_input', this.session), parent_header: message.header, content: { code, execution_count: count } });
    this.running = cell;
    this.lastCell = cell;
    if (this.compilerNotice) cell.write('stderr', this.compilerNotice);
    this.compilerNotice = undefined;
    const outcome = await this.engine.run(code, cell, compiled).catch((error): { status: 'error'; error: ErrorContent } => ({
      status: 'error',
      error: runtimeError(error, () => undefined, code),
    }));
    this.running = undefined;
    if (outcome.status === 'ok') {
      if (outcome.hasValue) {
        // A promise left unawaited shows its state (or value), not Node's async bookkeeping.
        const data = outcome.value instanceof Promise ? await promiseBundle(outcome.value).catch(() => safeBundle(outcome.value)) : safeBundle(outcome.value);
        cell.output('execute_result', { execution_count: count, data, metadata: {} });
      }
      cell.flush();
      await this.reply(message, 'shell', 'execute_reply', { status: 'ok', execution_count: count, user_expressions: {}, payload: [] });
      return;
    }
    cell.output('error', { ...outcome.error });
    cell.flush();
    if (stop_on_error) this.abortQueued = this.queuedExecutions > 1;
    await this.reply(message, 'shell', 'execute_reply', { status: 'error', execution_count: count, ...outcome.error });
  }

  /** Stops the running cell (interrupt_request or SIGINT); a pending input request ends too. */
  interrupt(): void {
    this.breaks.interrupted();
    this.running?.interrupt();
    const pending = this.pendingInput;
    this.pendingInput = undefined;
    pending?.reject(new InterruptError());
  }

  private requestInput(cell: Cell, prompt: string, password: boolean): Promise<string> {
    this.pendingInput?.reject(new Error('A newer input request replaced this one.'));
    return new Promise((resolve, reject) => {
      this.pendingInput = { resolve, reject };
      cell.flush();
      void this.channels.send('stdin', {
        identities: cell.identities,
        header: makeHeader('input_request', this.session),
        parent_header: cell.parent,
        content: { prompt, password },
      });
    });
  }

  /** Front-end comm messages run in the context of the latest cell, so what their handlers print shows there. */
  private withCellContext(message: Message, action: () => void): void {
    const cell = this.running ?? this.lastCell;
    const inRequest = () => this.commRequest.run(message.header, action);
    try {
      if (cell) currentCell.run(cell, inRequest);
      else inRequest();
    } catch (error) {
      const text = `A comm handler failed: ${(error as Error).stack ?? error}`;
      if (cell) cell.write('stderr', text + '\n');
      else log(text);
    }
  }

  private reply(request: Message, channel: ChannelName, msgType: string, content: Record<string, unknown>): Promise<void> {
    return this.channels.send(channel, {
      identities: request.identities,
      header: makeHeader(msgType, this.session),
      parent_header: request.header,
      content,
    });
  }

  private publishStatus(state: 'starting' | 'busy' | 'idle', parent: object): Promise<void> {
    return this.channels.send('iopub', { header: makeHeader('status', this.session), parent_header: parent, content: { execution_state: state } });
  }

  /** Errors that escape cells (rejections, throws in callbacks) go to the cell that caused them, never kill the kernel. */
  private installCrashGuards(): void {
    const report = (kind: string) => (error: unknown) => {
      const cell = currentCell.getStore() ?? this.running ?? this.lastCell;
      const text = error instanceof Error ? error.stack ?? error.message : String(error);
      if (cell) cell.write('stderr', `${kind}: ${text}\n`);
      else log(`${kind}: ${text}`);
    };
    process.on('unhandledRejection', report('Unhandled promise rejection'));
    process.on('uncaughtException', report('Uncaught exception'));
    process.on('SIGINT', () => this.interrupt());
    // Like ipykernel: when the process that started the kernel dies without shutting it down, end too.
    const parentPid = Number(process.env.JPY_PARENT_PID);
    if (parentPid > 1) {
      setInterval(() => {
        try {
          process.kill(parentPid, 0);
        } catch {
          log(`the parent process ${parentPid} is gone: exiting`);
          process.exit(0);
        }
      }, 1000).unref();
    }
  }

  /** Ends the kernel once the reply is out; the process exits (its worker threads hold native sockets). */
  private async shutdown(): Promise<void> {
    this.interrupt();
    await this.channels.close();
    this.stopped();
  }
}


/** A value's bundle; a display method that throws becomes a text notice rather than a failed cell. */
function safeBundle(value: unknown): Record<string, unknown> {
  try {
    return toMimeBundle(value);
  } catch (error) {
    return { 'text/plain': `(could not display this value: ${(error as Error).message})` };
  }
}
