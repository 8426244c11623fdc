import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { PROTOCOL_VERSION, type Header, type RawMessage } from './messages.js';

/** The delimiter between routing identities and the message frames. */
export const DELIMITER = '<IDS|MSG>';

/** Signs and verifies messages with the connection file's key (HMAC; an empty key disables signing). */
export class Signer {
  constructor(
    private readonly key: string,
    private readonly scheme = 'hmac-sha256',
  ) {}

  /** The hex signature of the four JSON frames. */
  sign(frames: readonly Buffer[]): string {
    if (!this.key) return '';
    const algorithm = this.scheme.replace(/^hmac-/, '');
    const hmac = createHmac(algorithm, this.key);
    for (const frame of frames) hmac.update(frame);
    return hmac.digest('hex');
  }

  /** Whether `signature` matches the frames (constant time). */
  verify(signature: string, frames: readonly Buffer[]): boolean {
    if (!this.key) return true;
    const expected = Buffer.from(this.sign(frames));
    const given = Buffer.from(signature);
    return expected.length === given.length && timingSafeEqual(expected, given);
  }
}

/** A new header for a message of `msgType` in `session`. */
export function makeHeader<K extends string>(msgType: K, session: string): Header<K> {
  return {
    msg_id: randomUUID(),
    session,
    username: 'lepton',
    date: new Date().toISOString(),
    msg_type: msgType,
    version: PROTOCOL_VERSION,
  };
}

/** Why a frame list is not a valid message. */
export class WireError extends Error {
  override name = 'WireError';
}

/** Decodes the frames of one message received on a socket; throws a WireError on a bad frame or signature. */
export function decode(frames: readonly Buffer[], signer: Signer): RawMessage {
  const at = frames.findIndex((frame) => frame.toString() === DELIMITER);
  if (at < 0) throw new WireError('message without the <IDS|MSG> delimiter');
  if (frames.length < at + 6) throw new WireError('message with fewer than 5 frames after the delimiter');
  const signature = frames[at + 1]!.toString();
  const parts = frames.slice(at + 2, at + 6);
  if (!signer.verify(signature, parts)) throw new WireError('message with an invalid signature');
  const [header, parent, metadata, content] = parts.map((part): unknown => JSON.parse(part.toString() || '{}'));
  if (!isHeader(header)) throw new WireError('message whose header lacks msg_type, msg_id or session');
  return {
    identities: frames.slice(0, at),
    header,
    parent_header: isObject(parent) ? parent : {},
    metadata: isObject(metadata) ? metadata : {},
    content,
    buffers: frames.slice(at + 6),
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Whether a decoded header frame has the fields routing and replies read. */
function isHeader(value: unknown): value is Header {
  return (
    isObject(value) &&
    typeof value.msg_type === 'string' &&
    typeof value.msg_id === 'string' &&
    typeof value.session === 'string'
  );
}

/** What a message to send is made of (the wire layer does not look at its content; see `outbox.ts` for the typed side). */
export interface Outgoing {
  identities?: readonly Buffer[];
  header: Header;
  parent_header?: Partial<Header>;
  metadata?: Record<string, unknown>;
  content: unknown;
  buffers?: readonly (Buffer | ArrayBufferView)[];
}

/** Encodes a message into frames, signed. */
export function encode(message: Outgoing, signer: Signer): Buffer[] {
  const parts = [message.header, message.parent_header ?? {}, message.metadata ?? {}, message.content].map((part) =>
    Buffer.from(JSON.stringify(part)),
  );
  const buffers = (message.buffers ?? []).map((b) =>
    Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength),
  );
  return [...(message.identities ?? []), Buffer.from(DELIMITER), Buffer.from(signer.sign(parts)), ...parts, ...buffers];
}
