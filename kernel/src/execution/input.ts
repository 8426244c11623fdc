import type { Outbox } from '../protocol/outbox.js';
import { InterruptError, type Cell } from './cell.js';

/** The one pending `input()` of the kernel: sent as an input_request on stdin, settled by the input_reply. */
export class InputRequests {
  private pending: { resolve: (value: string) => void; reject: (error: Error) => void } | undefined;

  constructor(private readonly outbox: Outbox) {}

  /** Asks the front end that ran `cell` for a line; a newer request replaces (rejects) an older one. */
  request(cell: Cell, prompt: string, password: boolean): Promise<string> {
    this.pending?.reject(new Error('A newer input request replaced this one.'));
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      cell.flush();
      void this.outbox.inputRequest(cell.identities, cell.parent, { prompt, password });
    });
  }

  /** The front end answered (input_reply). */
  answered(value: string): void {
    const pending = this.pending;
    this.pending = undefined;
    pending?.resolve(value);
  }

  /** The cell was interrupted: the pending request ends with an InterruptError. */
  interrupt(): void {
    const pending = this.pending;
    this.pending = undefined;
    pending?.reject(new InterruptError());
  }
}
