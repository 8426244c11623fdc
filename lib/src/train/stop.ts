import { registerTargetOnce } from '../comm/once.js';
import { getHost, type Comm } from '../display/host.js';
import { TRAINING_COMM_TARGET, type StopAnswer, type StopRequest } from '../contract/comm.js';

/** The comm target the training view's Stop button opens; it sends `{ action: 'stop', runId }` (a `StopRequest`). */
export const trainingCommTarget = TRAINING_COMM_TARGET;

/** Why a run was asked to stop. */
export type StopReason = 'interrupted' | 'stopped';

/** Runs that can be stopped, by run id. */
const running = new Map<string, (reason: StopReason) => void>();

function handle(comm: Comm, data: unknown): void {
  const act = (message: unknown) => {
    const request = message as Partial<StopRequest> | null;
    if (request?.action !== 'stop') return;
    const runId = String(request.runId);
    const stop = running.get(runId);
    const answer: StopAnswer = stop
      ? { action: 'stop', runId, ok: true }
      : { action: 'stop', runId, ok: false, error: `no running training run ${runId}` };
    comm.send(answer);
    stop?.('stopped');
  };
  act(data);
  comm.onMessage(act);
}

/**
 * Watches what can stop a run at its next batch boundary: the cell's interrupt (its AbortSignal) and the training
 * view's Stop button (a `lepton.training` comm message). `onStop` runs once, at the moment the request arrives:
 * after an interrupt the kernel clears the cell's timers, so the run may never reach its next step.
 */
export class StopWatch {
  /** Why the run must stop, once asked. */
  reason: StopReason | null = null;
  private readonly signal: AbortSignal;
  private readonly onAbort = () => this.request('interrupted');

  /**
   * @param runId the run's id (Stop messages name it)
   * @param onStop called once when a stop is requested
   */
  constructor(
    readonly runId: string,
    private readonly onStop: (reason: StopReason) => void,
  ) {
    // The training view's Stop button talks to this kernel on `lepton.training`.
    registerTargetOnce(trainingCommTarget, handle);
    this.signal = getHost().signal();
    running.set(runId, (reason) => this.request(reason));
    if (this.signal.aborted) this.reason = 'interrupted';
    else this.signal.addEventListener('abort', this.onAbort, { once: true });
  }

  /** Asks the run to stop (as the Stop button does). */
  request(reason: StopReason): void {
    if (this.reason !== null) return;
    this.reason = reason;
    this.onStop(reason);
  }

  /** Stops watching (the run ended). */
  dispose(): void {
    running.delete(this.runId);
    this.signal.removeEventListener('abort', this.onAbort);
  }
}

/**
 * Stops a running `lepton.fit` by its run id, as the training view's Stop button does.
 * @returns whether such a run was running
 */
export function stopRun(runId: string): boolean {
  const stop = running.get(runId);
  stop?.('stopped');
  return stop !== undefined;
}
