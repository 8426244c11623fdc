// Helpers for the compiler's tests (not part of the kernel's API).
import type { TimerSystem } from './single-timer.js';

/** A system like tslab's: one pending timer at a time, run by hand, and clearing an unknown timer throws. */
export function tslabLikeSystem() {
  let timer: { callback: () => void } | null = null;
  const system: TimerSystem & { runPending(): void } = {
    setTimeout(callback) {
      if (timer) throw new Error('Unexpected pending rebuildTimer');
      timer = {
        callback: () => {
          timer = null;
          callback();
        },
      };
      return timer;
    },
    clearTimeout(handle) {
      if (timer === handle) timer = null;
      else throw new Error('clearing unexpected timer');
    },
    runPending() {
      timer?.callback();
    },
  };
  return system;
}
