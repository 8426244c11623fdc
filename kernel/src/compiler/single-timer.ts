/** The timer functions of a TypeScript `System`. */
export interface TimerSystem {
  setTimeout?(callback: (...args: unknown[]) => void, ms: number, ...args: unknown[]): unknown;
  clearTimeout?(handle: unknown): void;
}

/**
 * tslab's compiler system holds a single pending timer: it runs the program update itself when a cell is converted,
 * and throws "Unexpected pending rebuildTimer" when TypeScript asks for a second one. TypeScript does so when
 * files or folders it watches change between cells (a checkpoint or a package written to disk), to invalidate
 * module resolutions. This wraps the system so that a new timer first runs the pending one at once — an early
 * invalidation or rebuild is harmless — and only then schedules the new one.
 */
export function allowOnePendingTimer(system: TimerSystem): void {
  const set = system.setTimeout?.bind(system);
  const clear = system.clearTimeout?.bind(system);
  if (!set || !clear) return;
  let pending: { handle: unknown; run: () => void } | undefined;
  system.setTimeout = (callback, ms, ...args) => {
    // Running a pending callback may schedule another (an invalidation schedules a program update): run those too.
    while (pending) {
      const earlier = pending;
      pending = undefined;
      clear(earlier.handle);
      earlier.run();
    }
    const entry = {
      handle: undefined as unknown,
      run: () => callback(...args),
    };
    entry.handle = set(
      (...callArgs: unknown[]) => {
        if (pending === entry) pending = undefined;
        callback(...callArgs);
      },
      ms,
      ...args,
    );
    pending = entry;
    return entry.handle;
  };
  system.clearTimeout = (handle) => {
    if (pending?.handle === handle) pending = undefined;
    clear(handle);
  };
}
