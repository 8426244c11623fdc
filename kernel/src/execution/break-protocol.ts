/** The flags the kernel's main thread and its watchdog share (an Int32Array over a SharedArrayBuffer). */

/** Index of each flag. */
export const FLAG = {
  /**
   * Why the running loops must stop: 0 (they need not), BREAK_INTERRUPT or BREAK_MEMORY; or BREAK_SAMPLE, the
   * watchdog asking the next loop check to read the heap. Cleared when a cell starts.
   */
  reason: 0,
  /** 1 while a cell runs (the watchdog reads the heap only then). */
  cellRunning: 1,
  /** The heap in use, in MiB, when the watchdog raised BREAK_MEMORY. */
  usedMb: 2,
  /** When the main thread last handled a SIGINT itself, in CLOCK_MS units since `startedAt` (0: never). */
  handledAt: 3,
  /**
   * 1 while the last reading found the heap past half the stopping threshold: the watchdog then asks for a reading
   * every `nearPollMs` instead of every `pollMs` (a loop that allocates fast crosses the last stretch in milliseconds).
   */
  heapNear: 4,
} as const;

/** The number of flags. */
export const FLAG_COUNT = 5;

/** The unit of `handledAt`: Int32 flags hold 248 days of it. */
export const CLOCK_MS = 10;

/**
 * How recently the main thread must have handled a SIGINT for the watchdog to take the relayed copy of the same
 * signal as already handled (the relay is a process away, so its copy may come second).
 */
export const SAME_SIGNAL_MS = 250;

/** The user interrupted the kernel. */
export const BREAK_INTERRUPT = 1;
/** The heap is near its limit. */
export const BREAK_MEMORY = 2;
/** Time to read the heap (not a reason to stop). */
export const BREAK_SAMPLE = 3;

/** What the watchdog thread is started with. */
export interface WatchdogData {
  shared: SharedArrayBuffer;
  /** The Date.now() the clock of `handledAt` counts from. */
  startedAt: number;
  /** How often the heap is read while a cell runs. */
  pollMs: number;
  /** How often it is read once the heap is past half the threshold (`FLAG.heapNear`). */
  nearPollMs: number;
}
