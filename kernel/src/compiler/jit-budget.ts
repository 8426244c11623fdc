import { setFlagsFromString } from 'node:v8';

/**
 * V8's default interrupt budget (Node 20): how much bytecode, weighted by size, a function runs between the checks
 * that decide whether to optimize it.
 */
const DEFAULT_INTERRUPT_BUDGET = 66 * 1024;

/** How many times the default budget a function runs before V8 considers optimizing it; see raiseOptimizationThreshold. */
export const BUDGET_FACTOR = 16;

/**
 * Makes V8 optimize fewer lukewarm functions. Converting a cell walks a wide spread of TypeScript's compiler, and
 * each cell pushes a few more of its functions over V8's optimization threshold: a profile over 100 trivial cells
 * found TurboFan compiling ~1.7 functions a cell on V8's background threads (4–5 ms of CPU a cell, more than the
 * conversion itself), still after the first hundred cells, while the conversion ran no faster for it. Sixteen times
 * the budget left 1–1.5 ms of it and the compiler worker's own time unchanged.
 *
 * V8's flags are the process's: cells on the main thread get the same threshold. A loop that runs long enough to
 * matter is optimized within a few milliseconds all the same (on-stack replacement uses the same budget).
 */
export function raiseOptimizationThreshold(): void {
  setFlagsFromString(`--interrupt-budget=${DEFAULT_INTERRUPT_BUDGET * BUDGET_FACTOR}`);
}
