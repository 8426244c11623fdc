import { currentCell } from './cell.js';

/**
 * A global timer start as this module handles it: Node's overloads differ per function (and from the DOM's), and
 * the wrapper passes the callback and the rest through untouched, so only the shape it relies on is declared.
 */
type StartTimer = (callback: unknown, ...args: unknown[]) => unknown;
/** A start with util.promisify's custom form attached under its symbol. */
type PromisifiableTimer = StartTimer & { [promisified: symbol]: unknown };
/** A global timer clear, taking whatever handle the matching start returned. */
type ClearTimer = (handle: unknown) => void;
/** The timer functions of `globalThis` that are replaced. */
interface TimerGlobals {
  setTimeout: PromisifiableTimer;
  setInterval: StartTimer;
  setImmediate: PromisifiableTimer;
  clearTimeout: ClearTimer;
  clearInterval: ClearTimer;
  clearImmediate: ClearTimer;
}

/**
 * Replaces the global timer functions with ones that remember which cell created each timer, so that
 * interrupting a cell clears its timeouts, intervals and immediates, and an interrupted cell starts no more.
 */
export function trackCellTimers(): void {
  const g = globalThis as unknown as TimerGlobals;
  const original = {
    setTimeout: g.setTimeout,
    setInterval: g.setInterval,
    setImmediate: g.setImmediate,
    clearTimeout: g.clearTimeout,
    clearInterval: g.clearInterval,
    clearImmediate: g.clearImmediate,
  };

  function tracked(start: StartTimer, clear: ClearTimer, once: boolean): StartTimer {
    return function (this: unknown, callback: unknown, ...args: unknown[]) {
      const cell = currentCell.getStore();
      if (!cell || typeof callback !== 'function') return start.call(this, callback, ...args);
      if (cell.abort.signal.aborted) {
        // An interrupted cell starts nothing new; a cleared handle keeps callers' clear* calls valid.
        const handle = start.call(this, () => {}, ...args.slice(0, 1));
        clear(handle);
        return handle;
      }
      const entry = { clear: () => clear(handle) };
      const run = once
        ? (...callArgs: unknown[]) => {
            cell.timers.delete(entry);
            return (callback as (...a: unknown[]) => unknown)(...callArgs);
          }
        : callback;
      const handle = start.call(this, run, ...args);
      cell.timers.add(entry);
      return handle;
    };
  }

  g.setTimeout = Object.assign(tracked(original.setTimeout, original.clearTimeout, true), {
    [Symbol.for('nodejs.util.promisify.custom')]: original.setTimeout[Symbol.for('nodejs.util.promisify.custom')],
  });
  g.setInterval = tracked(original.setInterval, original.clearInterval, false);
  g.setImmediate = Object.assign(tracked(original.setImmediate, original.clearImmediate, true), {
    [Symbol.for('nodejs.util.promisify.custom')]: original.setImmediate[Symbol.for('nodejs.util.promisify.custom')],
  });
}
