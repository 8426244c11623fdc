import { randomUUID } from 'node:crypto';
import type { Comm } from '@lepton/lib/host';
import type { CommContents, CommType } from '../protocol/messages.js';

/** Sends a comm message (comm_open, comm_msg, comm_close) on iopub. */
export type SendComm = <K extends CommType>(msgType: K, content: CommContents[K], buffers?: ArrayBufferView[]) => void;

/** One end of a comm, kernel side. */
class KernelComm implements Comm {
  private messageHandlers: ((data: unknown, buffers: ArrayBufferView[]) => void)[] = [];
  private closeHandlers: ((data: unknown) => void)[] = [];
  closed = false;

  constructor(
    readonly id: string,
    readonly targetName: string,
    private readonly sendComm: SendComm,
    private readonly forget: (id: string) => void,
  ) {}

  send(data: unknown, buffers?: ArrayBufferView[]): void {
    if (this.closed) throw new Error(`The comm ${this.id} (${this.targetName}) is closed: open a new one to send.`);
    this.sendComm('comm_msg', { comm_id: this.id, data: data ?? {} }, buffers);
  }

  onMessage(handler: (data: unknown, buffers: ArrayBufferView[]) => void): void {
    this.messageHandlers.push(handler);
  }

  onClose(handler: (data: unknown) => void): void {
    this.closeHandlers.push(handler);
  }

  close(data?: unknown): void {
    if (this.closed) return;
    this.sendComm('comm_close', { comm_id: this.id, data: data ?? {} });
    this.closedByPeer(data);
  }

  /** A message from the front end. */
  received(data: unknown, buffers: ArrayBufferView[]): void {
    for (const handler of this.messageHandlers) handler(data, buffers);
  }

  /** The comm closed: handlers run once, the manager forgets it. */
  closedByPeer(data: unknown): void {
    if (this.closed) return;
    this.closed = true;
    this.forget(this.id);
    for (const handler of this.closeHandlers) handler(data);
  }
}

/** Every open comm of the kernel and the targets front ends may open comms on. */
export class CommManager {
  private readonly comms = new Map<string, KernelComm>();
  private readonly targets = new Map<string, (comm: Comm, data: unknown) => void>();

  constructor(private readonly sendComm: SendComm) {}

  /** Opens a comm from the kernel. */
  open(targetName: string, data?: unknown, metadata?: Record<string, unknown>): Comm {
    const comm = this.create(randomUUID(), targetName);
    this.sendComm('comm_open', {
      comm_id: comm.id,
      target_name: targetName,
      data: data ?? {},
      metadata: metadata ?? {},
    });
    return comm;
  }

  registerTarget(targetName: string, handler: (comm: Comm, data: unknown) => void): void {
    this.targets.set(targetName, handler);
  }

  /** The front end opened a comm; an unknown target closes it at once, as the spec asks. */
  openedByFrontEnd(commId: string, targetName: string, data: unknown): void {
    const handler = this.targets.get(targetName);
    if (!handler) {
      this.sendComm('comm_close', {
        comm_id: commId,
        data: { error: `No comm target named "${targetName}" in the Lepton kernel.` },
      });
      return;
    }
    handler(this.create(commId, targetName), data);
  }

  /** A message for a comm; unknown ids are ignored (the comm may have just closed). */
  message(commId: string, data: unknown, buffers: ArrayBufferView[]): void {
    this.comms.get(commId)?.received(data, buffers);
  }

  closedByFrontEnd(commId: string, data: unknown): void {
    this.comms.get(commId)?.closedByPeer(data);
  }

  /** The open comms, optionally of one target (comm_info_reply). */
  info(targetName?: string): Record<string, { target_name: string }> {
    const result: Record<string, { target_name: string }> = {};
    for (const comm of this.comms.values()) {
      if (!targetName || comm.targetName === targetName) result[comm.id] = { target_name: comm.targetName };
    }
    return result;
  }

  private create(id: string, targetName: string): KernelComm {
    const comm = new KernelComm(id, targetName, this.sendComm, (closedId) => this.comms.delete(closedId));
    this.comms.set(id, comm);
    return comm;
  }
}
