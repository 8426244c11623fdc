import { setFlagsFromString } from 'node:v8';

/**
 * V8's interrupt budget for this process: how much bytecode, weighted by size, a function runs between the checks
 * that decide whether to optimize it. Node 20's default unless the process was started with another.
 */
const PROCESS_INTERRUPT_BUDGET =
  process.execArgv
    .map((arg) => /^--interrupt[-_]budget=(\d+)$/.exec(arg)?.[1])
    .filter((value) => value !== undefined)
    .map(Number)
    .pop() ?? 66 * 1024;

/** How many times the process's budget a function runs before V8 considers optimizing it; see raisedOptimizationThreshold. */
export const BUDGET_FACTOR = 16;

/**
 * Runs `work` (the compiler worker's handling of one request) with V8's optimization threshold raised, so that V8
 * optimizes fewer lukewarm functions. Converting a cell walks a wide spread of TypeScript's compiler, and each cell
 * pushes a few more of its functions over the threshold: a profile over 100 trivial cells found TurboFan compiling
 * ~1.7 functions a cell on V8's background threads (4–5 ms of CPU a cell, more than the conversion itself), still
 * after the first hundred cells, while the conversion ran no faster for it. Sixteen times the budget left 1–1.5 ms
 * of it and the worker's own time unchanged.
 *
 * V8's flags belong to the process, and a function's budget is set anew from the flag each time it runs out: the
 * flag is raised only while the worker works, so cells, which run on the main thread while the worker is idle, keep
 * V8's threshold (with it raised, a 10 ms loop of a cell ran up to twice as long before it was optimized).
 */
export function raisedOptimizationThreshold<T>(work: () => T): T {
  setFlagsFromString(`--interrupt-budget=${PROCESS_INTERRUPT_BUDGET * BUDGET_FACTOR}`);
  try {
    return work();
  } finally {
    setFlagsFromString(`--interrupt-budget=${PROCESS_INTERRUPT_BUDGET}`);
  }
}
