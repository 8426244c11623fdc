import type { Comm, DisplayOptions, Host, MimeBundle } from '@lepton/lib/host';
import { type Cell, currentCell } from './execution/cell.js';
import type { CommManager } from './comm/manager.js';

/** What the host needs from the kernel. */
export interface HostContext {
  /** The cell output goes to when code runs outside any cell's context (e.g. a kernel-level callback). */
  fallbackCell(): Cell | undefined;
  comms: CommManager;
  /** Sends an input_request for `cell` and resolves with the user's answer. */
  requestInput(cell: Cell, prompt: string, password: boolean): Promise<string>;
}

const neverAborted = new AbortController().signal;

/** The Lepton library's host inside the kernel: displays, comms, input and abort signals of the running cell. */
export function createKernelHost(context: HostContext): Host {
  const cell = () => currentCell.getStore() ?? context.fallbackCell();
  const transient = (options?: DisplayOptions) => (options?.id ? { display_id: options.id } : {});
  return {
    display(bundle: MimeBundle, options?: DisplayOptions) {
      cell()?.output('display_data', {
        data: bundle,
        metadata: options?.metadata ?? {},
        transient: transient(options),
      });
    },
    update(id: string, bundle: MimeBundle, options?: DisplayOptions) {
      cell()?.output('update_display_data', {
        data: bundle,
        metadata: options?.metadata ?? {},
        transient: { display_id: id },
      });
    },
    clear(wait = false) {
      cell()?.output('clear_output', { wait });
    },
    signal() {
      return cell()?.abort.signal ?? neverAborted;
    },
    openComm(targetName: string, data?: unknown, metadata?: Record<string, unknown>): Comm {
      return context.comms.open(targetName, data, metadata);
    },
    registerCommTarget(targetName: string, handler: (comm: Comm, data: unknown) => void) {
      context.comms.registerTarget(targetName, handler);
    },
    input(prompt: string, password: boolean) {
      const running = cell();
      if (!running) return Promise.reject(new Error('Input can only be asked for while a cell runs.'));
      if (!running.allowStdin) {
        return Promise.reject(
          new Error('This front end does not accept input (allow_stdin is false): pass the value in code instead.'),
        );
      }
      return context.requestInput(running, prompt, password);
    },
  };
}
