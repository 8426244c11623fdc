import type { Cell } from './execution/cell.js';
import { currentCell } from './execution/cell.js';

/** What the kernel logs for itself (to the Jupyter server's log, never to a cell). */
export function log(text: string): void {
  process.stderr.write(`[lepton-kernel] ${text}\n`);
}

/**
 * Errors that escape cells (rejections, throws in callbacks) go to the cell that caused them, else to `fallback`
 * (the running or last cell), never kill the kernel; SIGINT interrupts the running cell.
 */
export function installCrashGuards(fallback: () => Cell | undefined, interrupt: () => void): void {
  const report = (kind: string) => (error: unknown) => {
    const cell = currentCell.getStore() ?? fallback();
    const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
    if (cell) cell.write('stderr', `${kind}: ${text}\n`);
    else log(`${kind}: ${text}`);
  };
  process.on('unhandledRejection', report('Unhandled promise rejection'));
  process.on('uncaughtException', report('Uncaught exception'));
  process.on('SIGINT', interrupt);
}

/**
 * Like ipykernel: when the process that started the kernel (`JPY_PARENT_PID`) dies without shutting it down,
 * the kernel exits too, rather than living on as an orphan.
 */
export function watchParentProcess(parentPid = Number(process.env.JPY_PARENT_PID)): void {
  if (!(parentPid > 1)) return;
  setInterval(() => {
    try {
      process.kill(parentPid, 0);
    } catch {
      log(`the parent process ${parentPid} is gone: exiting`);
      process.exit(0);
    }
  }, 1000).unref();
}
