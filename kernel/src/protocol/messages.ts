/**
 * Jupyter messaging protocol types (spec version 5.3), as Lepton's kernel uses them. Every message kind has its
 * content type in one map keyed by `msg_type` (requests, replies, iopub, stdin), so a handler, a reply or a
 * published output is checked against the spec's shape at compile time.
 */

export const PROTOCOL_VERSION = '5.3';

/** The header every message carries; `K` is its `msg_type`. */
export interface Header<K extends string = string> {
  msg_id: string;
  session: string;
  username: string;
  date: string;
  msg_type: K;
  version: string;
}

/** The contents of the requests Lepton handles (shell, control and stdin), keyed by msg_type. */
export interface RequestContents {
  kernel_info_request: Record<string, never>;
  execute_request: {
    code: string;
    silent?: boolean;
    store_history?: boolean;
    user_expressions?: Record<string, string>;
    allow_stdin?: boolean;
    stop_on_error?: boolean;
  };
  complete_request: { code: string; cursor_pos: number };
  inspect_request: { code: string; cursor_pos: number; detail_level?: 0 | 1 };
  is_complete_request: { code: string };
  history_request: Record<string, unknown>;
  comm_info_request: { target_name?: string };
  comm_open: { comm_id: string; target_name: string; data?: unknown };
  comm_msg: { comm_id: string; data?: unknown };
  comm_close: { comm_id: string; data?: unknown };
  shutdown_request: { restart?: boolean };
  interrupt_request: Record<string, never>;
  input_reply: { value: string };
}

/** The msg_type of a request Lepton handles. */
export type RequestType = keyof RequestContents;

/** A kernel-side error in Jupyter's shape. */
export interface ErrorContent {
  ename: string;
  evalue: string;
  traceback: string[];
}

/** A reply saying the request failed (any `*_reply` may be one). */
export type ErrorReply = { status: 'error' } & ErrorContent;

/** A reply's content: `T` with `status: 'ok'`, or an error. */
export type Reply<T extends object = object> = ({ status: 'ok' } & T) | ErrorReply;

/** The reply status fields every `*_reply` carries; `'aborted'` is what an execute_reply says after an earlier error. */
export type ReplyStatus = { status: 'ok' } | ErrorReply | { status: 'aborted' };

/** A MIME bundle as it travels in display_data, execute_result and inspect_reply. */
export type MimeData = Record<string, unknown>;

/** What kernel_info_reply says about the kernel and its language. */
export interface KernelInfo {
  protocol_version: string;
  implementation: string;
  implementation_version: string;
  language_info: {
    name: string;
    version: string;
    mimetype: string;
    file_extension: string;
    codemirror_mode: { name: string; typescript: boolean };
    pygments_lexer: string;
  };
  banner: string;
  help_links: { text: string; url: string }[];
  debugger: boolean;
}

/** The contents of the replies Lepton sends, keyed by msg_type. */
export interface ReplyContents {
  kernel_info_reply: Reply<KernelInfo>;
  execute_reply:
    | { status: 'ok'; execution_count: number; user_expressions: Record<string, unknown>; payload: unknown[] }
    | ({ status: 'error'; execution_count: number } & ErrorContent)
    | { status: 'aborted'; execution_count: number };
  complete_reply: Reply<{
    matches: string[];
    cursor_start: number;
    cursor_end: number;
    metadata: Record<string, unknown>;
  }>;
  inspect_reply: Reply<{ found: boolean; data: MimeData; metadata: Record<string, unknown> }>;
  is_complete_reply: { status: 'complete' | 'incomplete' | 'invalid' | 'unknown'; indent?: string } | ErrorReply;
  history_reply: Reply<{ history: unknown[] }>;
  comm_info_reply: Reply<{ comms: Record<string, { target_name: string }> }>;
  interrupt_reply: Reply;
  shutdown_reply: Reply<{ restart: boolean }>;
}

/** The msg_type of a reply. */
export type ReplyType = keyof ReplyContents;

/** The reply each request is answered with (comm messages and input_reply have none). */
export const REPLY_TYPES = {
  kernel_info_request: 'kernel_info_reply',
  execute_request: 'execute_reply',
  complete_request: 'complete_reply',
  inspect_request: 'inspect_reply',
  is_complete_request: 'is_complete_reply',
  history_request: 'history_reply',
  comm_info_request: 'comm_info_reply',
  interrupt_request: 'interrupt_reply',
  shutdown_request: 'shutdown_reply',
} as const satisfies Partial<Record<RequestType, ReplyType>>;

/** The contents of comm messages, either way. */
export interface CommContents {
  comm_open: { comm_id: string; target_name: string; data: unknown; metadata: Record<string, unknown> };
  comm_msg: { comm_id: string; data: unknown };
  comm_close: { comm_id: string; data: unknown };
}

/** The kind of a comm message. */
export type CommType = keyof CommContents;

/** The contents of the messages Lepton publishes on iopub, keyed by msg_type. */
export interface IopubContents extends CommContents {
  status: { execution_state: 'starting' | 'busy' | 'idle' };
  execute_input: { code: string; execution_count: number };
  stream: { name: 'stdout' | 'stderr'; text: string };
  display_data: { data: MimeData; metadata: Record<string, unknown>; transient: { display_id?: string } };
  update_display_data: { data: MimeData; metadata: Record<string, unknown>; transient: { display_id: string } };
  clear_output: { wait: boolean };
  execute_result: { execution_count: number; data: MimeData; metadata: Record<string, unknown> };
  error: ErrorContent;
}

/** The msg_type of an iopub message. */
export type IopubType = keyof IopubContents;

/** The contents of what the kernel sends on stdin. */
export interface StdinContents {
  input_request: { prompt: string; password: boolean };
}

/** Every message the kernel sends, keyed by msg_type. */
export type OutgoingContents = ReplyContents & IopubContents & StdinContents;

/** The msg_type of a message the kernel sends. */
export type OutgoingType = keyof OutgoingContents;

/**
 * A message as decoded from the wire, before its type is known: any msg_type, content still untyped. Routing
 * turns it into a {@link Message} of one request type.
 */
export interface RawMessage {
  identities: Buffer[];
  header: Header;
  parent_header: Partial<Header>;
  metadata: Record<string, unknown>;
  content: unknown;
  buffers: Buffer[];
}

/** A decoded request of type `K`, with its routing identities (for ROUTER sockets). */
export interface Message<K extends RequestType = RequestType> extends RawMessage {
  header: Header<K>;
  content: RequestContents[K];
}

/** Any request Lepton handles: a union discriminated by `header.msg_type`. */
export type AnyRequest = { [K in RequestType]: Message<K> }[RequestType];

/** Every request type, as an object so the compiler checks the list is complete. */
const REQUEST_TYPES: { readonly [K in RequestType]: true } = {
  kernel_info_request: true,
  execute_request: true,
  complete_request: true,
  inspect_request: true,
  is_complete_request: true,
  history_request: true,
  comm_info_request: true,
  comm_open: true,
  comm_msg: true,
  comm_close: true,
  shutdown_request: true,
  interrupt_request: true,
  input_reply: true,
};

/**
 * The message as a request Lepton handles, or undefined for any other msg_type. The content is taken in the
 * spec's shape, as front ends send it (the kernel reads only the fields the spec defines).
 */
export function asRequest(message: RawMessage): AnyRequest | undefined {
  if (!Object.hasOwn(REQUEST_TYPES, message.header.msg_type)) return undefined;
  return message as AnyRequest;
}
