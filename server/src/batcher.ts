/**
 * Dynamic batching: requests that arrive while every session is busy (or within `maxDelayMs`) are stacked along
 * their first dimension into one model run of at most `maxBatch` rows, and the outputs are split back. A failing
 * batch is retried request by request, so one bad request fails alone.
 *
 * The queue is bounded (`maxQueue`: a request beyond it is refused at once, so overload costs no memory), each
 * request has a deadline (`timeoutMs` after it arrived: still queued then, it is dropped before running), and a
 * request whose client has gone is taken out of the queue. `close` drains: queued and running work finishes first.
 */
import { DEFAULT_BATCHING, type BatchingOptions } from './meta.js';
import { errors } from './errors.js';
import type { OutTensor, Runner } from './runner.js';
import { allocate, type Feed } from './tensors.js';
import type { Datatype } from './wire/tensor-spec.js';

interface Job {
  feeds: Record<string, Feed>;
  rows: number;
  /** `Date.now()` after which the job is dropped if it has not started. */
  deadline: number;
  /** Whether it was taken from the queue to run. */
  started: boolean;
  resolve: (outputs: Record<string, OutTensor>) => void;
  reject: (error: Error) => void;
}

/**
 * What tells the batcher that a request's client has gone. An `AbortSignal` fits; so does `ClientGone`, which the
 * infer route uses because an `AbortController` per request (an EventTarget and its listener machinery) cost more
 * than the rest of the route's own work at batch 1.
 */
export interface CancelSignal {
  /** Whether the client has gone. */
  readonly aborted: boolean;
  /** Calls `listener` once, when the client goes. */
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  /** Stops `listener` from being called. */
  removeEventListener(type: 'abort', listener: () => void): void;
}

/** A request's cancellation, without an EventTarget: at most a few listeners, each called once on `abort`. */
export class ClientGone implements CancelSignal {
  private gone = false;
  private listeners: Array<() => void> | undefined;

  /** Whether `abort` was called. */
  get aborted(): boolean {
    return this.gone;
  }

  addEventListener(_type: 'abort', listener: () => void): void {
    // Added after the abort, a listener would wait for ever: the batcher checks `aborted` first, as with AbortSignal.
    (this.listeners ??= []).push(listener);
  }

  removeEventListener(_type: 'abort', listener: () => void): void {
    const at = this.listeners?.indexOf(listener) ?? -1;
    if (at !== -1) this.listeners!.splice(at, 1);
  }

  /** Marks the client gone and calls each listener once. */
  abort(): void {
    if (this.gone) return;
    this.gone = true;
    const listeners = this.listeners;
    this.listeners = undefined;
    if (listeners) for (const listener of listeners) listener();
  }
}

/** Called after each model run with the rows it held. */
export type RunObserver = (rows: number) => void;

/** Queues requests for one runner and runs them in batches. */
export class Batcher {
  private readonly queue: Job[] = [];
  private inFlight = 0;
  private timer: NodeJS.Timeout | undefined;
  private expiryTimer: NodeJS.Timeout | undefined;
  private readonly types: Record<string, string>;
  private readonly options: BatchingOptions;
  private closing = false;
  private idle: Array<() => void> = [];

  /**
   * @param runner the model's runner
   * @param inputs each input's name and datatype
   * @param options batching limits; batching needs `stackable` (every input and output has a free first dimension)
   * @param stackable whether requests may be stacked
   * @param onRun observer of each run's size
   * @param model the deployment's name, for the errors
   */
  constructor(
    private readonly runner: Runner,
    inputs: ReadonlyArray<{ name: string; datatype: Datatype; ortType: string }>,
    options: Partial<BatchingOptions>,
    private readonly stackable: boolean,
    private readonly onRun: RunObserver = () => {},
    private readonly model = 'model',
  ) {
    // A version written before the queue limits existed has no maxQueue or timeoutMs: the defaults apply.
    this.options = { ...DEFAULT_BATCHING, ...options };
    this.types = Object.fromEntries(inputs.map((i) => [i.name, i.ortType]));
    this.datatypes = Object.fromEntries(inputs.map((i) => [i.name, i.datatype]));
  }

  private readonly datatypes: Record<string, Datatype>;

  /** Requests waiting for a run. */
  get queued(): number {
    return this.queue.length;
  }

  /** Whether the queue is full, so the next request would be refused. */
  get saturated(): boolean {
    return this.queue.length >= this.options.maxQueue;
  }

  /**
   * Runs `feeds` (with `rows` in the first dimension), alone or stacked with others. Rejects with
   * `LEPTON_OVERLOADED` when the queue is full, `LEPTON_DEADLINE_EXCEEDED` when the request waits past its deadline,
   * and `LEPTON_CLIENT_CLOSED` when `signal` aborts while it waits.
   */
  submit(feeds: Record<string, Feed>, rows: number, signal?: CancelSignal): Promise<Record<string, OutTensor>> {
    if (this.queue.length >= this.options.maxQueue)
      return Promise.reject(errors.overloaded(this.model, this.queue.length));
    if (signal?.aborted) return Promise.reject(errors.clientClosed(this.model));
    return new Promise((resolve, reject) => {
      const job: Job = { feeds, rows, deadline: Date.now() + this.options.timeoutMs, started: false, resolve, reject };
      this.queue.push(job);
      if (this.inFlight >= this.runner.capacity) {
        this.armExpiry(); // a finishing run pumps; the deadline may come first
      } else if (
        this.options.maxDelayMs > 0 &&
        this.stackable &&
        this.options.maxBatch > 1 &&
        this.queuedRows() < this.options.maxBatch
      ) {
        this.timer ??= setTimeout(() => {
          this.timer = undefined;
          this.pump();
        }, this.options.maxDelayMs);
      } else {
        this.pump();
      }
      // Only a job left waiting can be cancelled (an idle server runs it at once: no listener on the fast path).
      if (signal && !job.started) this.cancellable(job, signal);
    });
  }

  /** Takes `job` out of the queue if `signal` aborts before it starts. */
  private cancellable(job: Job, signal: CancelSignal): void {
    const { resolve, reject } = job;
    const cancel = () => {
      const at = this.queue.indexOf(job);
      if (at === -1) return; // already running: its answer is simply not read
      this.queue.splice(at, 1);
      reject(errors.clientClosed(this.model));
      this.settle();
    };
    signal.addEventListener('abort', cancel, { once: true });
    job.resolve = (outputs) => {
      signal.removeEventListener('abort', cancel);
      resolve(outputs);
    };
    job.reject = (error) => {
      signal.removeEventListener('abort', cancel);
      reject(error);
    };
  }

  /** Rejects everything queued (the deployment is going away at once). */
  drain(error: Error): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    for (const job of this.queue.splice(0)) job.reject(error);
    this.settle();
  }

  /**
   * Resolves once every queued and running request has been answered (queued ones still run, or meet their
   * deadline), so a swapped-out version is closed only when nothing uses it.
   */
  close(): Promise<void> {
    this.closing = true;
    if (this.queue.length === 0 && this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  /** Wakes `close` once nothing is queued or running. */
  private settle(): void {
    if (this.queue.length > 0 || this.inFlight > 0) return;
    if (this.expiryTimer) clearTimeout(this.expiryTimer);
    this.expiryTimer = undefined;
    if (this.closing) for (const resolve of this.idle.splice(0)) resolve();
  }

  /** Drops every queued job past its deadline, and sets a timer for the next deadline. */
  private expire(): void {
    const now = Date.now();
    let dropped = false;
    for (let i = 0; i < this.queue.length;) {
      const job = this.queue[i]!;
      if (job.deadline <= now) {
        this.queue.splice(i, 1);
        job.reject(errors.deadlineExceeded(this.model, this.options.timeoutMs));
        dropped = true;
      } else i++;
    }
    if (dropped) this.settle();
    this.armExpiry();
  }

  /** One timer at a time, for the oldest queued job's deadline (jobs queue in arrival order). */
  private armExpiry(): void {
    if (this.expiryTimer || this.queue.length === 0) return;
    const wait = Math.max(0, this.queue[0]!.deadline - Date.now());
    this.expiryTimer = setTimeout(() => {
      this.expiryTimer = undefined;
      this.expire();
    }, wait + 1);
    this.expiryTimer.unref();
  }

  private queuedRows(): number {
    let rows = 0;
    for (const job of this.queue) rows += job.rows;
    return rows;
  }

  private pump(): void {
    if (this.queue.length > 0 && this.queue[0]!.deadline <= Date.now()) this.expire();
    while (this.inFlight < this.runner.capacity && this.queue.length > 0) {
      const jobs = this.take();
      this.inFlight++;
      void this.execute(jobs).finally(() => {
        this.inFlight--;
        this.pump();
        this.settle();
      });
    }
  }

  /** The next jobs to run together: the first, plus followers with the same trailing shapes, up to `maxBatch` rows. */
  private take(): Job[] {
    const first = this.queue.shift()!;
    first.started = true;
    const jobs = [first];
    if (!this.stackable || this.options.maxBatch <= 1) return jobs;
    let rows = first.rows;
    for (let i = 0; i < this.queue.length && rows < this.options.maxBatch;) {
      const job = this.queue[i]!;
      if (rows + job.rows <= this.options.maxBatch && sameTrailing(first.feeds, job.feeds)) {
        job.started = true;
        jobs.push(job);
        rows += job.rows;
        this.queue.splice(i, 1);
      } else i++;
    }
    return jobs;
  }

  private async execute(jobs: Job[]): Promise<void> {
    if (jobs.length === 1) {
      const job = jobs[0]!;
      try {
        const outputs = await this.runner.run(job.feeds, this.types);
        this.onRun(job.rows);
        job.resolve(outputs);
      } catch (error) {
        job.reject(error as Error);
      }
      return;
    }
    const total = jobs.reduce((n, j) => n + j.rows, 0);
    let outputs: Record<string, OutTensor> | undefined;
    try {
      outputs = await this.runner.run(this.stack(jobs, total), this.types);
      this.onRun(total);
    } catch {
      outputs = undefined;
    }
    if (outputs && Object.values(outputs).every((o) => o.shape[0] === total)) {
      let offset = 0;
      for (const job of jobs) {
        job.resolve(slice(outputs, offset, job.rows));
        offset += job.rows;
      }
      return;
    }
    // The batch failed (or its outputs do not split by rows): run each request alone so only a bad one fails.
    for (const job of jobs) await this.execute([job]);
  }

  private stack(jobs: Job[], total: number): Record<string, Feed> {
    const feeds: Record<string, Feed> = {};
    for (const name in jobs[0]!.feeds) {
      const first = jobs[0]!.feeds[name]!;
      const perRow = first.shape.slice(1).reduce((a, b) => a * b, 1);
      const data = allocate(this.datatypes[name]!, total * perRow);
      let offset = 0;
      for (const job of jobs) {
        const src = job.feeds[name]!.data;
        if (Array.isArray(data)) for (let i = 0; i < src.length; i++) data[offset + i] = (src as string[])[i]!;
        else (data as Float32Array).set(src as Float32Array, offset);
        offset += src.length;
      }
      feeds[name] = { data, shape: [total, ...first.shape.slice(1)] };
    }
    return feeds;
  }
}

function sameTrailing(a: Record<string, Feed>, b: Record<string, Feed>): boolean {
  for (const name in a) {
    const x = a[name]!.shape;
    const y = b[name]?.shape;
    if (!y || x.length !== y.length) return false;
    for (let i = 1; i < x.length; i++) if (x[i] !== y[i]) return false;
  }
  return true;
}

function slice(outputs: Record<string, OutTensor>, start: number, rows: number): Record<string, OutTensor> {
  const out: Record<string, OutTensor> = {};
  for (const name in outputs) {
    const o = outputs[name]!;
    const perRow = o.shape.slice(1).reduce((a, b) => a * b, 1);
    const from = start * perRow;
    const to = (start + rows) * perRow;
    out[name] = {
      data: Array.isArray(o.data) ? o.data.slice(from, to) : o.data.subarray(from, to),
      shape: [rows, ...o.shape.slice(1)],
      type: o.type,
    };
  }
  return out;
}
