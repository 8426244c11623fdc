import * as zmq from 'zeromq';
import { Worker } from 'node:worker_threads';
import { endpoint, type ConnectionInfo } from './connection.js';
import { decode, encode, Signer, type Outgoing } from './wire.js';
import type { RawMessage } from './messages.js';

/**
 * Serialises sends on one socket: zeromq 6 allows a single send in flight per socket, while the kernel
 * emits from many places (cells, timers, comms).
 */
class SendQueue {
  private tail: Promise<void> = Promise.resolve();
  constructor(private readonly socket: zmq.Router | zmq.Publisher) {}

  send(frames: Buffer[]): Promise<void> {
    const next = this.tail.then(() => this.socket.send(frames));
    this.tail = next.catch(() => {});
    return next;
  }
}

export type ChannelName = 'shell' | 'control' | 'stdin';

/** The kernel's bound sockets; decoded messages of each channel go to the handler. */
export class Channels {
  readonly signer: Signer;
  private readonly shell = new zmq.Router();
  private readonly control = new zmq.Router();
  private readonly stdin = new zmq.Router();
  private readonly iopub = new zmq.Publisher();
  private readonly queues: Record<ChannelName | 'iopub', SendQueue>;
  private heartbeat: Worker | undefined;

  constructor(private readonly info: ConnectionInfo) {
    this.signer = new Signer(info.key, info.signature_scheme);
    this.queues = {
      shell: new SendQueue(this.shell),
      control: new SendQueue(this.control),
      stdin: new SendQueue(this.stdin),
      iopub: new SendQueue(this.iopub),
    };
  }

  /** Binds every channel. The heartbeat echoes from a worker thread, so it answers even while a cell blocks. */
  async bind(): Promise<void> {
    const { info } = this;
    await Promise.all([
      this.shell.bind(endpoint(info, info.shell_port)),
      this.control.bind(endpoint(info, info.control_port)),
      this.stdin.bind(endpoint(info, info.stdin_port)),
      this.iopub.bind(endpoint(info, info.iopub_port)),
    ]);
    this.heartbeat = new Worker(new URL('./heartbeat.js', import.meta.url), {
      workerData: { endpoint: endpoint(info, info.hb_port) },
    });
    this.heartbeat.unref();
  }

  /** Reads messages of a channel until it closes; a malformed message is reported and skipped. */
  async listen(
    name: ChannelName,
    handler: (message: RawMessage) => void,
    onBadMessage: (error: Error) => void,
  ): Promise<void> {
    const socket = this[name];
    try {
      for await (const frames of socket) {
        let message: RawMessage;
        try {
          message = decode(frames, this.signer);
        } catch (error) {
          onBadMessage(error as Error);
          continue;
        }
        handler(message);
      }
    } catch (error) {
      if (!socket.closed) throw error;
    }
  }

  /** Sends a message on a channel (replies carry the request's identities). */
  send(name: ChannelName | 'iopub', message: Outgoing): Promise<void> {
    return this.queues[name].send(encode(message, this.signer));
  }

  /** Closes every socket; the heartbeat worker closes its own and ends. */
  async close(): Promise<void> {
    for (const socket of [this.shell, this.control, this.stdin, this.iopub]) socket.close();
    const heartbeat = this.heartbeat;
    if (!heartbeat) return;
    const ended = new Promise((resolve) => heartbeat.once('exit', resolve));
    heartbeat.postMessage('close');
    await Promise.race([ended, new Promise((resolve) => setTimeout(resolve, 500))]);
  }
}
