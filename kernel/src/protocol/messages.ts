/** Jupyter messaging protocol types (spec version 5.3), as Lepton's kernel uses them. */

export const PROTOCOL_VERSION = '5.3';

/** The header every message carries. */
export interface Header {
  msg_id: string;
  session: string;
  username: string;
  date: string;
  msg_type: string;
  version: string;
}

/** A decoded message with its routing identities (for ROUTER sockets). */
export interface Message<C = Record<string, any>> {
  identities: Buffer[];
  header: Header;
  parent_header: Partial<Header>;
  metadata: Record<string, any>;
  content: C;
  buffers: Buffer[];
}

/** The contents of the requests Lepton handles, keyed by msg_type (a discriminated union by key). */
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

export type RequestType = keyof RequestContents;

/** The reply status fields every `*_reply` carries. */
export type ReplyStatus =
  | { status: 'ok' }
  | { status: 'error'; ename: string; evalue: string; traceback: string[] }
  | { status: 'abort' };

/** A kernel-side error in Jupyter's shape. */
export interface ErrorContent {
  ename: string;
  evalue: string;
  traceback: string[];
}
