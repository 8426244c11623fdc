import type { TimerSystem } from './single-timer.js';

/** Controls the skipping of tslab's first rebuild per cell; see skipProbeRebuilds. */
export interface ProbeSkipper {
  /** Program updates from now on may be answered by `answer` instead of being run. */
  arm(): void;
  /** Ends the window opened by `arm`, whether or not an update came. */
  disarm(): void;
}

/** TypeScript's watch program names the program update it schedules so (the other timer invalidates resolutions). */
const isProgramUpdate = (callback: (...args: unknown[]) => void) => callback.name === 'updateProgramWithWatchStatus';

/**
 * tslab converts a cell with two program rebuilds: the first only to read the cell's top-level names
 * (`srcFile.locals`), the second with `export {names}` appended, which it checks and emits. A rebuild is worth
 * skipping: TypeScript walks every file of the program (over a thousand with TensorFlow.js's declarations).
 * While armed, each program update TypeScript schedules calls `answer` first, with the update's index since
 * arming (0 for tslab's first rebuild of the cell); when `answer` has given tslab what it needs (it returns true),
 * the update is not run. That is the debounce TypeScript's timer exists for: the
 * file changes it would have picked up are still marked, and the next update, tslab's second rebuild, takes them
 * all. TypeScript clears its last update timer before scheduling the next; tslab's system no longer knows a
 * skipped one and would throw, so clearing it is dropped here. `updated` runs after every update that ran: where
 * TypeScript found the files unchanged and made no new program, tslab must be given the current one again in place
 * of the answer.
 */
export function skipProbeRebuilds(
  system: TimerSystem,
  answer: (index: number) => boolean,
  updated: () => void = () => {},
): ProbeSkipper {
  const set = system.setTimeout?.bind(system);
  const clear = system.clearTimeout?.bind(system);
  let armed = false;
  let index = 0;
  const skipped = new Set<unknown>();
  if (set && clear) {
    system.setTimeout = (callback, ms, ...args) => {
      if (!isProgramUpdate(callback)) return set(callback, ms, ...args);
      const handle: unknown = set(
        (...callArgs: unknown[]) => {
          if (armed && answer(index++)) {
            skipped.add(handle);
            return;
          }
          callback(...callArgs);
          updated();
        },
        ms,
        ...args,
      );
      return handle;
    };
    system.clearTimeout = (handle) => {
      if (skipped.delete(handle)) return;
      clear(handle);
    };
  }
  return {
    arm: () => {
      armed = true;
      index = 0;
    },
    disarm: () => {
      armed = false;
    },
  };
}
