import { setHost } from '@lepton/lib/host';
import { AsyncLocalStorage } from 'node:async_hooks';
import { createRequire } from 'node:module';
import { CommManager } from './comm/manager.js';
import { Compiler } from './compiler/client.js';
import { BreakFlag } from './execution/break-flag.js';
import { currentCell } from './execution/cell.js';
import { Engine } from './execution/engine.js';
import { guardProcessExit } from './execution/guards.js';
import { InputRequests } from './execution/input.js';
import { ExecutionQueue } from './execution/queue.js';
import { routeStreamsToCells } from './execution/streams.js';
import { trackCellTimers } from './execution/timers.js';
import { createDispatcher, createHandlers } from './handlers.js';
import { createKernelHost } from './host.js';
import { installCrashGuards, log, watchParentProcess } from './lifecycle.js';
import { installPreloadedGlobals, preloadedTypeFiles } from './preload.js';
import { Channels } from './protocol/channels.js';
import type { ConnectionInfo } from './protocol/connection.js';
import { PROTOCOL_VERSION, type Header, type KernelInfo } from './protocol/messages.js';
import { Outbox } from './protocol/outbox.js';

const require = createRequire(import.meta.url);
const kernelVersion = (require('../package.json') as { version: string }).version;
// The version from the package's manifest: requiring the compiler itself (8 MB of JavaScript, ~0.3 s and ~20 MB of
// heap) would load it on this thread, before the sockets are bound, only to read its version; the worker compiles.
const typescriptVersion = (require('@tslab/typescript-for-tslab/package.json') as { version: string }).version;

/**
 * The Lepton kernel: Jupyter's messaging protocol on ZMQ, executing TypeScript cells with the library preloaded.
 * This class owns the lifecycle (start, interrupt, shutdown) and wires the parts: the request handlers
 * (`handlers.ts`), the execution queue (`execution/queue.ts`), comms, input and the typed outbox. Execute
 * requests run one at a time; every other request (comms, completion, interrupt) is answered while a cell runs.
 */
export class Kernel {
  private readonly channels: Channels;
  private readonly outbox: Outbox;
  private readonly compiler: Compiler;
  private readonly engine: Engine;
  private readonly comms: CommManager;
  private readonly queue: ExecutionQueue;
  private readonly input: InputRequests;
  private readonly breaks = new BreakFlag();
  /** Told to the next cell: the compiler worker died and was replaced since the last one. */
  private compilerNotice: string | undefined;
  /** The front-end comm message being handled, parent of what its handler sends. */
  private readonly commRequest = new AsyncLocalStorage<Header>();
  private stopped!: () => void;
  /** Resolves when the kernel has shut down. */
  readonly done = new Promise<void>((resolve) => (this.stopped = resolve));

  constructor(info: ConnectionInfo) {
    this.channels = new Channels(info);
    this.outbox = new Outbox(this.channels);
    this.compiler = new Compiler({ types: ['node'], extraRoots: preloadedTypeFiles() }, (reason) => {
      log(`the TypeScript compiler stopped (${reason}); restarted it`);
      this.compilerNotice = `The TypeScript compiler had stopped (${reason}); it was restarted with the names declared so far.\n`;
    });
    this.engine = new Engine(this.compiler, process.cwd(), this.breaks);
    this.queue = new ExecutionQueue(this.engine, this.outbox, () => this.takeCompilerNotice(), log);
    this.input = new InputRequests(this.outbox);
    this.comms = new CommManager((msgType, content, buffers) => {
      // Replies to a front-end comm message have that message as parent; comms a cell opens, the cell.
      const parent = this.commRequest.getStore() ?? currentCell.getStore()?.parent ?? this.queue.latest?.parent;
      void this.outbox.publishComm(msgType, content, parent ?? {}, buffers);
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
        fallbackCell: () => this.queue.latest,
        comms: this.comms,
        requestInput: (cell, prompt, password) => this.input.request(cell, prompt, password),
      }),
    );
    installCrashGuards(
      () => this.queue.latest,
      () => this.interrupt(),
    );
    watchParentProcess();
    const handlers = createHandlers({
      outbox: this.outbox,
      engine: this.engine,
      comms: this.comms,
      queue: this.queue,
      input: this.input,
      kernelInfo: () => kernelInfo(),
      interrupt: () => this.interrupt(),
      shutdown: () => this.shutdown(),
      inCommContext: (request, action) => this.inCommContext(request, action),
    });
    const dispatch = createDispatcher(handlers, this.outbox, log);
    for (const channel of ['shell', 'control', 'stdin'] as const) {
      void this.channels.listen(
        channel,
        (message) => dispatch(message, channel),
        (error) => log(`dropped a message on ${channel}: ${error.message}`),
      );
    }
    void this.outbox.status('starting', {});
  }

  /** Stops the running cell (interrupt_request or SIGINT); a pending input request ends too. */
  interrupt(): void {
    this.breaks.interrupted();
    this.queue.running?.interrupt();
    this.input.interrupt();
  }

  private takeCompilerNotice(): string | undefined {
    const notice = this.compilerNotice;
    this.compilerNotice = undefined;
    return notice;
  }

  /** Front-end comm messages run in the context of the latest cell, so what their handlers print shows there. */
  private inCommContext(request: Header, action: () => void): void {
    const cell = this.queue.latest;
    const inRequest = () => this.commRequest.run(request, action);
    try {
      if (cell) currentCell.run(cell, inRequest);
      else inRequest();
    } catch (error) {
      const text = `A comm handler failed: ${(error as Error).stack ?? String(error)}`;
      if (cell) cell.write('stderr', text + '\n');
      else log(text);
    }
  }

  /** Ends the kernel once the reply is out; the process exits (its worker threads hold native sockets). */
  private async shutdown(): Promise<void> {
    this.interrupt();
    await this.channels.close();
    this.stopped();
  }
}

/** What kernel_info_reply says. */
function kernelInfo(): KernelInfo {
  return {
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
