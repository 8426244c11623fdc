import { Worker } from 'node:worker_threads';
import type { OperationName, Operations, WorkerResponse } from './protocol.js';

/** What the compiler worker is started with. */
export interface CompilerOptions {
  /** The `@types` packages to include (all of them when absent). */
  types?: string[];
  /** Declaration files every cell sees (the preloaded names). */
  extraRoots?: string[];
  /** The declarations committed by earlier cells, for a worker that replaces one that died. */
  declarations?: string;
}

/**
 * The main thread's handle on the compiler worker: typed requests answered in order. A worker that dies (out of
 * memory, a crash in the TypeScript compiler) is replaced by a new one that starts from the declarations committed so
 * far; the requests it had not answered fail with a message that says so, and later ones go to the new worker.
 */
export class Compiler {
  private worker!: Worker;
  private nextId = 1;
  private closing = false;
  /** The declarations the worker holds, as its last commit answered. */
  private declarations = '';
  // Method syntax on purpose: each waiter resolves its own request's answer type, which the worker's reply (by id)
  // carries as unknown; the protocol, not the compiler, ties the two.
  private readonly pending = new Map<number, { resolve(answer: unknown): void; reject(error: Error): void }>();
  /** Resolves once the first compiler is built. */
  readonly ready: Promise<number>;
  private markReady!: (ms: number) => void;
  private failReady!: (error: Error) => void;
  /** How many times a dead worker was replaced. */
  restarts = 0;

  /** `onRestart` hears why a worker was replaced (the kernel logs it). */
  constructor(
    private readonly options: CompilerOptions = {},
    private readonly onRestart: (reason: string) => void = () => {},
  ) {
    this.ready = new Promise((resolve, reject) => {
      this.markReady = resolve;
      this.failReady = reject;
    });
    this.ready.catch(() => {});
    this.spawn();
  }

  private spawn(): void {
    const worker = new Worker(new URL('./worker.js', import.meta.url), {
      workerData: { ...this.options, declarations: this.declarations },
    });
    this.worker = worker;
    worker.on('message', (response: WorkerResponse) => {
      if ('ready' in response) {
        this.markReady(response.ms);
        return;
      }
      const waiter = this.pending.get(response.id);
      this.pending.delete(response.id);
      if (response.ok) waiter?.resolve(response.answer);
      else waiter?.reject(new Error(`The TypeScript compiler failed: ${response.error}`));
    });
    let failure: string | undefined;
    worker.on('error', (error) => (failure = error.message));
    worker.on('exit', (code) => {
      if (this.closing || worker !== this.worker) return;
      const reason = failure ?? `its thread exited with code ${code}`;
      const restarted = new Error(
        `The TypeScript compiler stopped (${reason}) and was restarted with the names declared so far: run the cell again.`,
      );
      this.failReady(restarted);
      for (const waiter of this.pending.values()) waiter.reject(restarted);
      this.pending.clear();
      this.restarts++;
      this.onRestart(reason);
      this.spawn();
    });
    worker.unref();
  }

  /** Runs one operation in the compiler worker. */
  request<K extends OperationName>(op: K, args: Operations[K]['args']): Promise<Operations[K]['answer']> {
    const id = this.nextId++;
    const answer = new Promise<Operations[K]['answer']>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, op, args });
    });
    // A replacement worker starts from what was committed: keep the latest copy here.
    if (op === 'commit')
      answer.then(
        (declarations) => (this.declarations = declarations as string),
        () => {},
      );
    return answer;
  }

  /** Stops the worker. */
  async close(): Promise<void> {
    this.closing = true;
    await this.worker.terminate();
  }
}
