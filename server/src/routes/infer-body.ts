/**
 * Reading an infer body: JSON, or (with `Inference-Header-Content-Length`) JSON followed by binary tensor data
 * (`wire/binary.ts`), whose bytes are kept on the request for the handler.
 *
 * The JSON part goes to `JSON.parse` directly when its text cannot hold a prototype-poisoning key (`plainJsonIsSafe`),
 * and to fastify's own parser (secure-json-parse, which refuses `__proto__` and `constructor.prototype`) otherwise,
 * or when `JSON.parse` fails: so every refusal, and its message, is the one fastify's parser gives. At batch 1 the
 * secure parser's two regular-expression scans of the whole text were a tenth of its cost.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HEADER_LENGTH, splitBody } from '../wire/binary.js';

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

/** Parses an infer body for `app`'s OIP routes (see the module's comment). */
export function inferBodyParser(app: FastifyInstance): (request: FastifyRequest, body: Buffer, done: Done) => void {
  const secure = app.getDefaultJsonParser('error', 'error');
  return (request, body, done) => {
    const headerLength = request.headers[HEADER_LENGTH];
    let text: string;
    try {
      if (headerLength === undefined) {
        // Without the header the whole body is JSON, whatever its content type says (a JSON-only Triton request).
        text = body.toString('utf8');
      } else {
        const { json: head, binary } = splitBody(body, headerLength);
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
  };
}
