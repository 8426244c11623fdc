import { getHost, type Comm, type CommData } from '../display/host.js';

export type { Comm };

/**
 * Opens a comm to the front end on `targetName` (Jupyter's comm protocol). Messages from the front end
 * arrive through `comm.onMessage`, also while the cell that opened it is still running.
 * @example const c = lepton.comm.open('my-target', { hello: 1 }); c.onMessage((d) => console.log(d));
 */
export function open(targetName: string, data?: unknown, metadata?: Record<string, unknown>): Comm {
  return getHost().openComm(targetName, data, metadata);
}

/**
 * Handles comms the front end opens on `targetName`. The opening message's `data` is whatever JSON the front end
 * sent, typed `CommData` like the `Comm` handlers' data (see there why it stays `any`). Lib's own handlers
 * (`registerTargetOnce`) take it as `unknown`.
 * @example lepton.comm.registerTarget('echo', (comm) => comm.onMessage((d) => comm.send(d)));
 */
export function registerTarget(targetName: string, handler: (comm: Comm, data: CommData) => void): void {
  getHost().registerCommTarget(targetName, handler);
}
