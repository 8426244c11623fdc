import { Worker } from 'node:worker_threads';
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import vm from 'node:vm';
import { LOOP_CHECK } from '../compiler/loop-checks.js';
import { InterruptError } from './cell.js';
import {
  BREAK_INTERRUPT,
  BREAK_MEMORY,
  BREAK_SAMPLE,
  CLOCK_MS,
  FLAG,
  FLAG_COUNT,
  type WatchdogData,
} from './break-protocol.js';

/** The error a cell ends with when its loops ran the heap close to its limit (the kernel would otherwise die). */
export class OutOfMemoryError extends Error {
  override name = 'OutOfMemory';
  constructor(usedMb: number, limitMb: number) {
    super(
      `The cell was stopped with the heap at ${usedMb} MB of its ${limitMb} MB limit, before the kernel ran out of memory. ` +
        'The names it declared were dropped to free the memory. Work on smaller pieces (batches, a sample, a stream), ' +
        'or start Jupyter with NODE_OPTIONS=--max-old-space-size=<MB> for a larger heap.',
    );
  }
}

/**
 * What lets an interrupt stop a cell whose code never yields to the event loop (a busy loop after an `await` or in a
 * timer callback), and a cell stop before it exhausts the heap: a flag shared with a watchdog thread (watchdog.ts),
 * which raises it on SIGINT and asks for a heap reading every 50 ms while a cell runs, and the global function every
 * loop of a cell calls (loop-checks.ts), which throws while the flag is up (or the heap is near its limit).
 */
export class BreakFlag {
  private readonly flags = new Int32Array(new SharedArrayBuffer(FLAG_COUNT * Int32Array.BYTES_PER_ELEMENT));
  private readonly startedAt = Date.now();
  private readonly heapLimitBytes = getHeapStatistics().heap_size_limit;
  /** The heap use at which a running cell is stopped (see `heapThreshold`). */
  private readonly memoryThreshold = heapThreshold(this.heapLimitBytes);
  private watchdog: Worker | undefined;

  /** Installs the loop check and starts the watchdog thread. */
  start(): void {
    const { flags, memoryThreshold } = this;
    const limitMb = Math.round(this.heapLimitBytes / 2 ** 20);
    // The heap in use counts garbage not yet collected: over the threshold, a full collection tells what is live.
    setFlagsFromString('--expose-gc');
    const collect = vm.runInNewContext('gc') as () => void;
    Object.defineProperty(globalThis, LOOP_CHECK, {
      enumerable: false,
      value: () => {
        let reason = Atomics.load(flags, FLAG.reason);
        if (reason === 0) return;
        if (reason === BREAK_SAMPLE) {
          Atomics.compareExchange(flags, FLAG.reason, BREAK_SAMPLE, 0);
          let used = getHeapStatistics().used_heap_size;
          Atomics.store(flags, FLAG.heapNear, used > memoryThreshold / 2 ? 1 : 0);
          if (used < memoryThreshold) return;
          collect();
          used = getHeapStatistics().used_heap_size;
          if (used < memoryThreshold) return;
          Atomics.store(flags, FLAG.usedMb, Math.round(used / 2 ** 20));
          Atomics.store(flags, FLAG.reason, (reason = BREAK_MEMORY));
        }
        throw reason === BREAK_MEMORY
          ? new OutOfMemoryError(Atomics.load(flags, FLAG.usedMb), limitMb)
          : new InterruptError();
      },
    });
    const data: WatchdogData = {
      shared: flags.buffer,
      startedAt: this.startedAt,
      pollMs: 50,
      nearPollMs: 5,
    };
    this.watchdog = new Worker(new URL('./watchdog.js', import.meta.url), { workerData: data });
    this.watchdog.unref();
  }

  /** The main thread handled an interrupt itself (it was free): the running cell's loops stop from now on. */
  interrupted(): void {
    Atomics.store(this.flags, FLAG.handledAt, Math.max(1, Math.round((Date.now() - this.startedAt) / CLOCK_MS)));
    Atomics.store(this.flags, FLAG.reason, BREAK_INTERRUPT);
  }

  /** A cell starts: earlier reasons to stop are spent, and the heap is watched while it runs. */
  cellStarted(): void {
    Atomics.store(this.flags, FLAG.reason, 0);
    Atomics.store(this.flags, FLAG.cellRunning, 1);
  }

  /** The cell ended (its callbacks may still run, unwatched). */
  cellEnded(): void {
    Atomics.store(this.flags, FLAG.cellRunning, 0);
  }
}

/** V8 reserves this much of `heap_size_limit` for the young generation (three 16 MB semi-spaces on 64-bit). */
const YOUNG_GENERATION_BYTES = 48 * 2 ** 20;
/** A scavenge needs room in the old space for what it may promote: one semi-space. */
const SEMI_SPACE_BYTES = 16 * 2 ** 20;

/**
 * The heap use at which a running cell is stopped, for V8's `heap_size_limit`. V8 dies with "Reached heap limit" once
 * the old space cannot take a scavenge's survivors, which happens at the limit less the young generation less one
 * semi-space (with `--max-old-space-size=256` the limit reads 304 MB and a loop of small arrays dies at ~245 MB);
 * below that ceiling a tenth (at least 24 MB) is left for what a loop allocates between two readings.
 */
export function heapThreshold(heapLimitBytes: number): number {
  const ceiling = heapLimitBytes - YOUNG_GENERATION_BYTES - SEMI_SPACE_BYTES;
  return ceiling - Math.max(0.1 * ceiling, 24 * 2 ** 20);
}
