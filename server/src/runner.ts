/**
 * Runners execute a model with onnxruntime: `InlineRunner` in the server's thread, `WorkerRunner` on a pool of
 * worker threads, one session each, so model runs use the machine's other cores while the main thread parses and
 * answers HTTP. (onnxruntime-node runs a session synchronously on the calling thread.) A model cheaper to run than
 * the hop to a worker runs inline (`loadRunner`).
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';
import type { Feed, FeedData } from './tensors.js';

/** A model output as a runner returns it. */
export interface OutTensor {
  data: FeedData;
  shape: number[];
  /** onnxruntime's type name, e.g. `float32`. */
  type: string;
}

/** Executes one model. */
export interface Runner {
  /** How many runs can proceed at once. */
  readonly capacity: number;
  /** Whether every session is up (false once a worker thread died). */
  readonly healthy: boolean;
  /** Runs the model on `feeds` (onnxruntime type names in `types`); resolves with every output. */
  run(feeds: Record<string, Feed>, types: Record<string, string>): Promise<Record<string, OutTensor>>;
  /** Frees sessions and threads. */
  close(): Promise<void>;
}

/** Session options for serving: one intra-op thread per session (parallelism comes from sessions), quiet logging. */
export const SESSION_OPTIONS: ort.InferenceSession.SessionOptions = {
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  graphOptimizationLevel: 'all',
  logSeverityLevel: 4,
};

/** How many worker sessions suit this machine: one per core beyond the main thread's, at most 4; 0 on one core. */
export function defaultWorkers(): number {
  return Math.min(4, Math.max(0, availableParallelism() - 1));
}

/** Builds onnxruntime tensors from feeds. */
export function ortFeeds(feeds: Record<string, Feed>, types: Record<string, string>): Record<string, ort.Tensor> {
  const out: Record<string, ort.Tensor> = {};
  for (const name in feeds) {
    const feed = feeds[name]!;
    out[name] = new ort.Tensor(types[name] as 'float32', feed.data as Float32Array, feed.shape);
  }
  return out;
}

/** Plain output tensors from onnxruntime's. */
export function plainOutputs(results: ort.InferenceSession.OnnxValueMapType): Record<string, OutTensor> {
  const out: Record<string, OutTensor> = {};
  for (const name in results) {
    const t = results[name] as ort.Tensor;
    out[name] = { data: t.data, shape: [...t.dims], type: t.type };
  }
  return out;
}

/** Runs the model in the calling thread. */
export class InlineRunner implements Runner {
  readonly capacity = 1;
  readonly healthy = true;
  private constructor(private readonly session: ort.InferenceSession) {}

  /** Loads the model at `path`. */
  static async load(path: string): Promise<InlineRunner> {
    return new InlineRunner(await ort.InferenceSession.create(path, SESSION_OPTIONS));
  }

  /**
   * The fastest of a few batch-1 runs on zeros, in milliseconds (fewer runs once the answer to `INLINE_RUN_MS` is
   * clear); undefined when the model's inputs cannot be made up (strings, dimensions other than the first left open).
   */
  async batchOneMs(): Promise<number | undefined> {
    const feeds: Record<string, ort.Tensor> = {};
    for (const meta of this.session.inputMetadata) {
      if (!meta.isTensor || meta.type === 'string') return undefined;
      const dims = meta.shape.map((d, i) => (typeof d === 'number' && d >= 0 ? d : i === 0 ? 1 : -1));
      if (dims.some((d) => d < 0)) return undefined;
      const size = dims.reduce((a, b) => a * b, 1);
      const Ctor = ZEROS[meta.type];
      if (!Ctor) return undefined;
      feeds[meta.name] = new ort.Tensor(meta.type as 'float32', new Ctor(size) as Float32Array, dims);
    }
    let best = Infinity;
    for (let i = 0; i < PROBE_RUNS; i++) {
      const start = performance.now();
      await this.session.run(feeds);
      best = Math.min(best, performance.now() - start);
      // Stop once the answer is clear, so a heavy model does not pay a dozen runs at deploy (the first run warms up).
      if (best < INLINE_RUN_MS || (i >= 1 && best > 50 * INLINE_RUN_MS)) break;
    }
    return best;
  }

  async run(feeds: Record<string, Feed>, types: Record<string, string>): Promise<Record<string, OutTensor>> {
    return plainOutputs(await this.session.run(ortFeeds(feeds, types)));
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}

interface Pending {
  resolve: (outputs: Record<string, OutTensor>) => void;
  reject: (error: Error) => void;
}

/** A message to a worker. */
export interface RunMessage {
  id: number;
  feeds: Record<string, Feed>;
  types: Record<string, string>;
}

/** A worker's answer. */
export type RunReply =
  | { id: number; outputs: Record<string, OutTensor> }
  | { id: number; error: string }
  | { ready: true }
  | { failed: string };

/** The message that asks a worker to release its session and end (after the runs it has). */
export interface CloseMessage {
  close: true;
}

/** How long `close` waits for runs in progress, then for the workers to end by themselves, before terminating them. */
const CLOSE_WAIT_MS = 30_000;

/** Runs the model on worker threads, one session each; a run goes to the least busy worker. */
export class WorkerRunner implements Runner {
  private readonly busy: number[];
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closed = false;
  private dead = false;
  private settled: Array<() => void> = [];

  private constructor(private readonly workers: Worker[]) {
    this.busy = workers.map(() => 0);
    workers.forEach((worker, i) => {
      worker.on('message', (reply: RunReply) => {
        if (!('id' in reply)) return;
        const pending = this.pending.get(reply.id);
        if (!pending) return;
        this.pending.delete(reply.id);
        this.busy[i]!--;
        if ('error' in reply) pending.reject(new Error(reply.error));
        else pending.resolve(reply.outputs);
        if (this.pending.size === 0) for (const resolve of this.settled.splice(0)) resolve();
      });
      worker.on('error', (error) => {
        this.dead = true;
        this.failAll(error);
      });
      worker.on('exit', () => {
        if (this.closed) return;
        this.dead = true;
        this.failAll(new Error('a model worker thread exited'));
      });
    });
  }

  get capacity(): number {
    return this.workers.length;
  }

  get healthy(): boolean {
    return !this.dead;
  }

  /** Starts `count` workers on the model at `path`; rejects if any cannot load it. */
  static async load(path: string, count: number): Promise<WorkerRunner> {
    const url = new URL('./worker.js', import.meta.url);
    const workers = Array.from({ length: count }, () => new Worker(url, { workerData: { path } }));
    try {
      await Promise.all(
        workers.map(
          (w) =>
            new Promise<void>((resolve, reject) => {
              const onMessage = (m: RunReply) => {
                if ('ready' in m) resolve();
                else if ('failed' in m) reject(new Error(m.failed));
              };
              w.on('message', onMessage);
              w.once('error', reject);
            }),
        ),
      );
    } catch (error) {
      await Promise.all(workers.map((w) => w.terminate()));
      throw error;
    }
    return new WorkerRunner(workers);
  }

  run(feeds: Record<string, Feed>, types: Record<string, string>): Promise<Record<string, OutTensor>> {
    if (this.closed) return Promise.reject(new Error('the runner is closed'));
    let best = 0;
    for (let i = 1; i < this.busy.length; i++) if (this.busy[i]! < this.busy[best]!) best = i;
    this.busy[best]!++;
    const id = this.nextId++;
    const message: RunMessage = { id, feeds, types };
    const transfer: ArrayBuffer[] = [];
    for (const name in feeds) {
      const data = feeds[name]!.data;
      if (Array.isArray(data)) continue; // strings are cloned
      const buffer = data.buffer as ArrayBuffer;
      if (!transfer.includes(buffer)) transfer.push(buffer);
    }
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.workers[best]!.postMessage(message, transfer);
    });
  }

  /**
   * Refuses new runs, lets the runs in progress finish, then asks each worker to release its session and end.
   * A worker is terminated only if it has not ended within `CLOSE_WAIT_MS`: terminating a thread inside a native
   * onnxruntime run can abort the whole process.
   */
  async close(): Promise<void> {
    this.closed = true;
    if (this.pending.size > 0)
      await withTimeout(new Promise<void>((resolve) => this.settled.push(resolve)), CLOSE_WAIT_MS);
    this.failAll(new Error('the runner is closed'));
    await Promise.all(
      this.workers.map(async (worker) => {
        const exited = new Promise<void>((resolve) =>
          worker.once('exit', () => {
            resolve();
          }),
        );
        worker.postMessage({ close: true } satisfies CloseMessage);
        if (!(await withTimeout(exited, CLOSE_WAIT_MS))) await worker.terminate();
      }),
    );
  }

  private failAll(error: Error): void {
    for (const p of this.pending.values()) p.reject(error);
    this.pending.clear();
    this.busy.fill(0);
    for (const resolve of this.settled.splice(0)) resolve();
  }
}

/** Whether `promise` settled within `ms` (it is not cancelled). */
async function withTimeout(promise: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>(
    (resolve) =>
      (timer = setTimeout(() => {
        resolve(false);
      }, ms)),
  );
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A model whose batch-1 run takes less than this many milliseconds runs in the server's thread even when workers
 * are allowed. A run on a worker costs the server's thread two messages (a structured clone and a transfer each
 * way, ~11% of its time in a `--cpu-prof` of batch-1 MLP load) while the worker sat idle 91% of the time: for such
 * a model the hop costs more than the run, and the thread answering HTTP is the bottleneck either way.
 */
export const INLINE_RUN_MS = 0.15;

/** Runs timed to decide where a model runs (the fastest counts: a loaded machine only slows some of them). */
const PROBE_RUNS = 12;

/** Zero-filled arrays of the onnxruntime types a probe can feed. */
const ZEROS: Record<string, new (n: number) => ArrayLike<number | bigint>> = {
  float32: Float32Array,
  float64: Float64Array,
  float16: Uint16Array,
  int8: Int8Array,
  uint8: Uint8Array,
  int16: Int16Array,
  uint16: Uint16Array,
  int32: Int32Array,
  uint32: Uint32Array,
  int64: BigInt64Array,
  uint64: BigUint64Array,
  bool: Uint8Array,
};

/**
 * A runner for the model at `path`: inline when `workers` is 0, or when the model is cheaper to run than a
 * thread hop (`INLINE_RUN_MS`); else `workers` threads.
 */
export async function loadRunner(path: string, workers: number): Promise<Runner> {
  const inline = await InlineRunner.load(path);
  if (workers === 0) return inline;
  let ms: number | undefined;
  try {
    ms = await inline.batchOneMs();
  } catch {
    ms = undefined; // a model that fails on zeros is judged by the workers' sessions
  }
  if (ms !== undefined && ms < INLINE_RUN_MS) return inline;
  await inline.close();
  return WorkerRunner.load(path, workers);
}
