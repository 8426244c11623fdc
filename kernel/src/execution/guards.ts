import { currentCell } from './cell.js';

/** The error a cell gets for calling `process.exit`: ending the process would end the kernel and lose every name. */
export class ProcessExitError extends Error {
  override name = 'ProcessExitError';
  /** `call`: what the cell called, e.g. `process.exit(1)`. */
  constructor(readonly call: string) {
    super(
      `${call} was called in a cell: it would end the kernel and lose every value. ` +
        'To stop a cell, throw an error; to start afresh, restart the kernel (Kernel ▸ Restart Kernel).',
    );
  }
}

/**
 * Makes `process.exit` (and `process.abort`) throw when cell code calls it, in the cell or in a callback it started;
 * the kernel's own calls (outside any cell) still end the process.
 */
export function guardProcessExit(): void {
  const exit = process.exit.bind(process);
  const abort = process.abort.bind(process);
  process.exit = (code?: string | number | null) => {
    if (currentCell.getStore()) throw new ProcessExitError(`process.exit(${code ?? ''})`);
    return exit(code);
  };
  process.abort = () => {
    if (currentCell.getStore()) throw new ProcessExitError('process.abort()');
    return abort();
  };
}
