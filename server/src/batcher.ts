/**
 * Dynamic batching: requests that arrive while every session is busy (or within `maxDelayMs`) are stacked along
 * their first dimension into one model run of at most `maxBatch` rows, and the outputs are split back. A failing
 * batch is retried request by request, so one bad request fails alone.
 */
import type { BatchingOptions } from './meta.js';
import type { OutTensor, Runner } from './runner.js';
import { allocate, type Feed } from './tensors.js';
import type { Datatype } from './meta.js';

interface Job {
  feeds: Record<string, Feed>;
  rows: number;
  resolve: (outputs: Record<string, OutTensor>) => void;
  reject: (error: Error) => void;
}

/** Called after each model run with the rows it held. */
export type RunObserver = (rows: number) => void;

/** Queues requests for one runner and runs them in batches. */
export class Batcher {
  private readonly queue: Job[] = [];
  private inFlight = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly types: Record<string, string>;

  /**
   * @param runner the model's runner
   * @param inputs each input's name and datatype
   * @param options batching limits; batching needs `stackable` (every input and output has a free first dimension)
   * @param stackable whether requests may be stacked
   * @param onRun observer of each run's size
   */
  constructor(
    private readonly runner: Runner,
    inputs: ReadonlyArray<{ name: string; datatype: Datatype; ortType: string }>,
    private readonly options: BatchingOptions,
    private readonly stackable: boolean,
    private readonly onRun: RunObserver = () => {},
  ) {
    this.types = Object.fromEntries(inputs.map((i) => [i.name, i.ortType]));
    this.datatypes = Object.fromEntries(inputs.map((i) => [i.name, i.datatype]));
  }

  private readonly datatypes: Record<string, Datatype>;

  /** Requests waiting for a run. */
  get queued(): number {
    return this.queue.length;
  }

  /** Runs `feeds` (with `rows` in the first dimension), alone or stacked with others. */
  submit(feeds: Record<string, Feed>, rows: number): Promise<Record<string, OutTensor>> {
    return new Promise((resolve, reject) => {
      this.queue.push({ feeds, rows, resolve, reject });
      if (this.inFlight >= this.runner.capacity) return; // a finishing run pumps
      if (this.options.maxDelayMs > 0 && this.stackable && this.options.maxBatch > 1 && this.queuedRows() < this.options.maxBatch) {
        this.timer ??= setTimeout(() => {
          this.timer = undefined;
          this.pump();
        }, this.options.maxDelayMs);
        return;
      }
      this.pump();
    });
  }

  /** Rejects everything queued (the deployment is stopping). */
  drain(error: Error): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    for (const job of this.queue.splice(0)) job.reject(error);
  }

  private queuedRows(): number {
    let rows = 0;
    for (const job of this.queue) rows += job.rows;
    return rows;
  }

  private pump(): void {
    while (this.inFlight < this.runner.capacity && this.queue.length > 0) {
      const jobs = this.take();
      this.inFlight++;
      void this.execute(jobs).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }

  /** The next jobs to run together: the first, plus followers with the same trailing shapes, up to `maxBatch` rows. */
  private take(): Job[] {
    const first = this.queue.shift()!;
    const jobs = [first];
    if (!this.stackable || this.options.maxBatch <= 1) return jobs;
    let rows = first.rows;
    for (let i = 0; i < this.queue.length && rows < this.options.maxBatch; ) {
      const job = this.queue[i]!;
      if (rows + job.rows <= this.options.maxBatch && sameTrailing(first.feeds, job.feeds)) {
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
        (data as Float32Array).set(src as Float32Array, offset);
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
    out[name] = { data: o.data.subarray(start * perRow, (start + rows) * perRow) as OutTensor['data'], shape: [rows, ...o.shape.slice(1)], type: o.type };
  }
  return out;
}
