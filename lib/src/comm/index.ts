import { getHost, type Comm } from '../display/host.js';

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
 * sent; it stays `any`, as the `Comm` handlers' data does, because notebook cells read it as `(comm, data) => data.x`,
 * the way Jupyter users write comm handlers, and `unknown` would make every such cell fail to compile. Lib's own
 * handlers (`registerTargetOnce`) take it as `unknown`.
 * @example lepton.comm.registerTarget('echo', (comm) => comm.onMessage((d) => comm.send(d)));
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- public notebook-facing data; see the comment above.
export function registerTarget(targetName: string, handler: (comm: Comm, data: any) => void): void {
  getHost().registerCommTarget(targetName, handler);
}
