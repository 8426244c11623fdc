import { currentCell } from './cell.js';

/**
 * Replaces the global timer functions with ones that remember which cell created each timer, so that
 * interrupting a cell clears its timeouts, intervals and immediates, and an interrupted cell starts no more.
 */
export function trackCellTimers(): void {
  const g = globalThis as any;
  const original = {
    setTimeout: g.setTimeout,
    setInterval: g.setInterval,
    setImmediate: g.setImmediate,
    clearTimeout: g.clearTimeout,
    clearInterval: g.clearInterval,
    clearImmediate: g.clearImmediate,
  };

  function tracked(start: (...args: any[]) => any, clear: (handle: any) => void, once: boolean) {
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
