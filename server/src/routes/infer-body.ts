/**
 * Reading an infer body: JSON, or (with `Inference-Header-Content-Length`) JSON followed by binary tensor data
 * (`wire/binary.ts`), whose bytes are kept on the request for the handler.
 *
 * The JSON part goes to `JSON.parse` directly when its text cannot hold a prototype-poisoning key (`plainJsonIsSafe`),
 * and to fastify's own parser (secure-json-parse, which refuses `__proto__` and `constructor.prototype`) otherwise,
 * or when `JSON.parse` fails: so every refusal, and its message, is the one fastify's parser gives. At batch 1 the
 * secure parser's two regular-expression scans of the whole text were a tenth of its cost.
 *
 * An FP32 input's `data` list is read straight into floats first (`float32-body.ts`), when that is certain to give
 * what the whole text's parse would.
 *
 * The body is read here rather than by fastify (`readBody`, with fastify's limit and its errors): fastify copies every
 * body into a new Buffer before parsing, and a JSON body that arrived in one chunk needs no copy to become text.
 */
import type { Readable } from 'node:stream';
import { errorCodes, type FastifyInstance, type FastifyRequest } from 'fastify';
import { HEADER_LENGTH, splitBody } from '../wire/binary.js';
import { parseWithFloat32Data } from './float32-body.js';

/**
 * Whether plain `JSON.parse` of `text` is as safe as the secure parser: no `__proto__` or `constructor` key can be
 * in it. A key spelled with escapes (`"\u005f_proto__"`) needs a `\u` in the text, and one spelled plainly contains
 * the word itself; a text holding either (in a key or anywhere else) takes the secure parser.
 */
export function plainJsonIsSafe(text: string): boolean {
  return !text.includes('\\u') && !text.includes('__proto__') && !text.includes('constructor');
}

/** The callback a fastify content-type parser answers through. */
type Done = (error: Error | null, value?: unknown) => void;

/**
 * Reads `payload` whole, with the checks fastify's own reader makes and its errors: a `Content-Length` or a body
 * over `limit` is `FST_ERR_CTP_BODY_TOO_LARGE` (413), a body whose length differs from its `Content-Length`
 * `FST_ERR_CTP_INVALID_CONTENT_LENGTH` (400). Calls `onBody` with the chunks as they came and their total length.
 */
export function readBody(
  request: FastifyRequest,
  payload: Readable,
  limit: number,
  onBody: (chunks: Buffer[], length: number) => void,
  done: Done,
): void {
  const declared = Number(request.headers['content-length']);
  if (declared > limit) {
    done(new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE());
    return;
  }
  const chunks: Buffer[] = [];
  let length = 0;
  const stop = () => {
    payload.removeListener('data', onData);
    payload.removeListener('end', onEnd);
    payload.removeListener('error', onEnd);
  };
  const onData = (chunk: Buffer) => {
    length += chunk.length;
    if (length > limit) {
      stop();
      done(new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE());
      return;
    }
    chunks.push(chunk);
  };
  const onEnd = (error?: Error & { statusCode?: number }) => {
    stop();
    if (error != null) {
      if (!(typeof error.statusCode === 'number' && error.statusCode >= 400)) error.statusCode = 400;
      done(error);
    } else if (!Number.isNaN(declared) && length !== declared) {
      done(new errorCodes.FST_ERR_CTP_INVALID_CONTENT_LENGTH());
    } else {
      onBody(chunks, length);
    }
  };
  payload.on('data', onData);
  payload.on('end', onEnd);
  payload.on('error', onEnd);
  payload.resume();
}

/** Parses an infer body for `app`'s OIP routes (see the module's comment), reading at most `limit` bytes. */
export function inferBodyParser(
  app: FastifyInstance,
  limit: number,
): (request: FastifyRequest, payload: Readable, done: Done) => void {
  const secure = app.getDefaultJsonParser('error', 'error');
  return (request, payload, done) => {
    readBody(
      request,
      payload,
      limit,
      (chunks, length) => {
        parseBody(request, chunks, length, secure, done);
      },
      done,
    );
  };
}

/** Parses a body read whole: JSON, or JSON then binary tensor data. */
function parseBody(
  request: FastifyRequest,
  chunks: Buffer[],
  length: number,
  secure: (request: FastifyRequest, text: string, done: Done) => unknown,
  done: Done,
): void {
  const headerLength = request.headers[HEADER_LENGTH];
  let text: string;
  try {
    if (headerLength === undefined) {
      // Without the header the whole body is JSON, whatever its content type says (a JSON-only Triton request).
      // One chunk is read as it is; several are joined first, so a character split between them stays whole.
      const bytes = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, length);
      // FP32 `data` lists straight into floats, the rest through JSON.parse; undefined: the whole text, as below.
      const fast = parseWithFloat32Data(bytes, plainJsonIsSafe);
      if (fast !== undefined) {
        done(null, fast);
        return;
      }
      text = bytes.toString('utf8');
    } else {
      // A copy: the binary part is kept on the request until the handler reads it.
      const { json: head, binary } = splitBody(Buffer.concat(chunks, length), headerLength);
      request.leptonBinary = binary;
      text = Buffer.from(head.buffer, head.byteOffset, head.byteLength).toString('utf8');
    }
  } catch (error) {
    done(error as Error);
    return;
  }
  if (plainJsonIsSafe(text)) {
    let value: unknown;
    let parsed = true;
    try {
      value = JSON.parse(text);
    } catch {
      // The secure parser below reads it again and answers with fastify's own error (empty body, bad JSON).
      parsed = false;
    }
    if (parsed) {
      done(null, value);
      return;
    }
  }
  // The default JSON parser is the callback kind: it answers through `done` and returns nothing to wait for.
  void secure(request, text, done);
}
