import { Worker } from 'node:worker_threads';
import type { OperationName, Operations, WorkerResponse } from './protocol.js';

/** The main thread's handle on the compiler worker: typed requests answered in order. */
export class Compiler {
  private readonly worker: Worker;
  private nextId = 1;
  private failure: Error | undefined;
  private readonly pending = new Map<number, { resolve: (v: any) => void; reject: (e: Error) => void }>();
  /** Resolves once the compiler is built. */
  readonly ready: Promise<number>;

  constructor(options: { types?: string[]; extraRoots?: string[] } = {}) {
    this.worker = new Worker(new URL('./worker.js', import.meta.url), { workerData: options });
    let markReady!: (ms: number) => void;
    let failReady!: (error: Error) => void;
    this.ready = new Promise((resolve, reject) => {
      markReady = resolve;
      failReady = reject;
    });
    this.ready.catch(() => {});
    this.worker.on('message', (response: WorkerResponse) => {
      if ('ready' in response) return markReady(response.ms);
      const waiter = this.pending.get(response.id);
      this.pending.delete(response.id);
      if (response.ok) waiter?.resolve(response.answer);
      else waiter?.reject(new Error(`The TypeScript compiler failed: ${response.error}`));
    });
    this.worker.on('error', (error) => {
      this.failure = new Error(`The TypeScript compiler stopped: ${error.message}`);
      failReady(this.failure);
      for (const waiter of this.pending.values()) waiter.reject(error);
      this.pending.clear();
    });
    this.worker.unref();
  }

  /** Runs one operation in the compiler worker. */
  request<K extends OperationName>(op: K, args: Operations[K]['args']): Promise<Operations[K]['answer']> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, op, args });
    });
  }

  /** Stops the worker. */
  async close(): Promise<void> {
    await this.worker.terminate();
  }
}
