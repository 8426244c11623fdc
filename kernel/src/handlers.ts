import type { CommManager } from './comm/manager.js';
import type { Engine } from './execution/engine.js';
import type { InputRequests } from './execution/input.js';
import type { ExecutionQueue } from './execution/queue.js';
import type { ChannelName } from './protocol/channels.js';
import {
  asRequest,
  REPLY_TYPES,
  type Header,
  type KernelInfo,
  type Message,
  type RawMessage,
  type ReplyType,
  type RequestType,
} from './protocol/messages.js';
import type { Outbox } from './protocol/outbox.js';

/** Handles one request of type `K`, received on `channel`. */
export type Handler<K extends RequestType> = (message: Message<K>, channel: ChannelName) => Promise<void> | void;

/** A handler for every request type: the compiler checks none is missing and each gets its own content type. */
export type HandlerTable = { [K in RequestType]: Handler<K> };

/** The kernel's parts the handlers act on. */
export interface KernelParts {
  outbox: Outbox;
  engine: Engine;
  comms: CommManager;
  queue: ExecutionQueue;
  input: InputRequests;
  kernelInfo(): KernelInfo;
  /** Stops the running cell. */
  interrupt(): void;
  /** Closes the sockets and ends the kernel. */
  shutdown(): Promise<void>;
  /** Runs a front-end comm message's handler in the context of the latest cell (its output shows there). */
  inCommContext(request: Header, action: () => void): void;
}

/** The request handlers of the kernel. */
export function createHandlers(parts: KernelParts): HandlerTable {
  const { outbox, engine, comms } = parts;
  return {
    kernel_info_request: (message, channel) =>
      outbox.reply(message, channel, 'kernel_info_reply', { status: 'ok', ...parts.kernelInfo() }),
    execute_request: (message) => parts.queue.enqueue(message),
    complete_request: async (message, channel) => {
      const { code, cursor_pos } = message.content;
      const answer = await engine.complete(code, cursor_pos);
      await outbox.reply(message, channel, 'complete_reply', {
        status: 'ok',
        matches: answer.matches,
        cursor_start: answer.start,
        cursor_end: answer.end,
        metadata: {},
      });
    },
    inspect_request: async (message, channel) => {
      const { code, cursor_pos } = message.content;
      const answer = await engine.inspect(code, cursor_pos);
      const text = [answer.signature, answer.documentation].filter(Boolean).join('\n\n');
      await outbox.reply(message, channel, 'inspect_reply', {
        status: 'ok',
        found: answer.found,
        data: answer.found
          ? {
              'text/plain': text,
              'text/markdown': '```typescript\n' + answer.signature + '\n```\n\n' + answer.documentation,
            }
          : {},
        metadata: {},
      });
    },
    is_complete_request: async (message, channel) => {
      const answer = await engine.isComplete(message.content.code);
      await outbox.reply(message, channel, 'is_complete_reply', { ...answer });
    },
    history_request: (message, channel) =>
      outbox.reply(message, channel, 'history_reply', { status: 'ok', history: [] }),
    comm_info_request: (message, channel) =>
      outbox.reply(message, channel, 'comm_info_reply', {
        status: 'ok',
        comms: comms.info(message.content.target_name),
      }),
    comm_open: (message) => {
      const { comm_id, target_name, data } = message.content;
      parts.inCommContext(message.header, () => comms.openedByFrontEnd(comm_id, target_name, data));
    },
    comm_msg: (message) =>
      parts.inCommContext(message.header, () =>
        comms.message(message.content.comm_id, message.content.data, message.buffers),
      ),
    comm_close: (message) =>
      parts.inCommContext(message.header, () => comms.closedByFrontEnd(message.content.comm_id, message.content.data)),
    interrupt_request: async (message, channel) => {
      parts.interrupt();
      await outbox.reply(message, channel, 'interrupt_reply', { status: 'ok' });
    },
    shutdown_request: async (message, channel) => {
      await outbox.reply(message, channel, 'shutdown_reply', {
        status: 'ok',
        restart: message.content.restart ?? false,
      });
      await parts.shutdown();
    },
    input_reply: (message) => parts.input.answered(message.content.value),
  };
}

/** Calls the handler of the message's own type (the indexed access keeps the pair correlated for the compiler). */
function route<K extends RequestType>(
  handlers: HandlerTable,
  message: Message<K>,
  channel: ChannelName,
): Promise<void> | void {
  const handler: Handler<K> = handlers[message.header.msg_type];
  return handler(message, channel);
}

/** The reply type of a request, if it has one. */
function replyTypeOf(type: RequestType): ReplyType | undefined {
  const replies: Partial<Record<RequestType, ReplyType>> = REPLY_TYPES;
  return replies[type];
}

/**
 * Makes the kernel's message router: each request goes to its handler between busy and idle statuses (execute
 * requests get theirs from the queue, stdin replies none); a failing handler is answered with an error reply and
 * never stops the kernel.
 */
export function createDispatcher(
  handlers: HandlerTable,
  outbox: Outbox,
  log: (text: string) => void,
): (message: RawMessage, channel: ChannelName) => void {
  return (raw, channel) => {
    const message = asRequest(raw);
    if (channel === 'stdin') {
      if (message) void route(handlers, message, channel);
      return;
    }
    if (!message) {
      log(`no handler for ${raw.header.msg_type} on ${channel}`);
      return;
    }
    const type = message.header.msg_type;
    if (type === 'execute_request') {
      void route(handlers, message, channel);
      return;
    }
    void (async () => {
      await outbox.status('busy', message.header);
      try {
        await route(handlers, message, channel);
      } catch (error) {
        log(`${type} failed: ${(error as Error).stack}`);
        const replyType = replyTypeOf(type);
        if (replyType) {
          await outbox.reply(message, channel, replyType, {
            status: 'error',
            ename: 'KernelError',
            evalue: (error as Error).message,
            traceback: [],
          });
        }
      }
      await outbox.status('idle', message.header);
    })();
  };
}
