import { randomUUID } from 'node:crypto';
import type { Channels, ChannelName } from './channels.js';
import type {
  CommContents,
  CommType,
  Header,
  IopubContents,
  IopubType,
  RawMessage,
  ReplyContents,
  ReplyType,
  StdinContents,
} from './messages.js';
import { makeHeader } from './wire.js';

/**
 * The typed sending side of the kernel: every reply, iopub message and input request goes out through here with
 * the content its msg_type requires, in the kernel's one session.
 */
export class Outbox {
  /** The kernel's session id, in every header it sends. */
  readonly session = randomUUID();

  constructor(private readonly channels: Channels) {}

  /** Answers `request` on the channel it came from. */
  reply<K extends ReplyType>(
    request: RawMessage,
    channel: ChannelName,
    msgType: K,
    content: ReplyContents[K],
  ): Promise<void> {
    return this.channels.send(channel, {
      identities: request.identities,
      header: makeHeader(msgType, this.session),
      parent_header: request.header,
      content,
    });
  }

  /** Publishes on iopub, as a child of `parent` (the request that caused it; `{}` for none). */
  publish<K extends IopubType>(
    msgType: K,
    content: IopubContents[K],
    parent: Partial<Header>,
    buffers?: readonly ArrayBufferView[],
  ): Promise<void> {
    return this.channels.send('iopub', {
      header: makeHeader(msgType, this.session),
      parent_header: parent,
      content,
      buffers: buffers ?? [],
    });
  }

  /** Publishes a comm message (comm_open, comm_msg, comm_close) the kernel side sends. */
  publishComm<K extends CommType>(
    msgType: K,
    content: CommContents[K],
    parent: Partial<Header>,
    buffers?: readonly ArrayBufferView[],
  ): Promise<void> {
    return this.channels.send('iopub', {
      header: makeHeader(msgType, this.session),
      parent_header: parent,
      content,
      buffers: buffers ?? [],
    });
  }

  /** Publishes the kernel's execution state. */
  status(state: IopubContents['status']['execution_state'], parent: Partial<Header>): Promise<void> {
    return this.publish('status', { execution_state: state }, parent);
  }

  /** Asks the front end that sent `parent` (through its `identities`) for a line of input. */
  inputRequest(identities: Buffer[], parent: Header, content: StdinContents['input_request']): Promise<void> {
    return this.channels.send('stdin', {
      identities,
      header: makeHeader('input_request', this.session),
      parent_header: parent,
      content,
    });
  }
}
