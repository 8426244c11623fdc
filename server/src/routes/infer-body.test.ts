import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import type { FastifyRequest } from 'fastify';
import { after, before, describe, it } from 'node:test';
import { fixture, testServer, type TestServer } from '../testing.js';
import type { InferResponse } from '../deployment.js';
import type { ErrorBody } from '../errors.js';
import { inferBodyParser, plainJsonIsSafe, readBody } from './infer-body.js';

/** An `add` request (a + b, FP32 [1, 4]) as JSON text, with `extra` fields spliced in before `inputs`. */
const addText = (extra = '') =>
  `{${extra}"inputs":[{"name":"a","shape":[1,4],"datatype":"FP32","data":[1,2,3,4]},` +
  `{"name":"b","shape":[1,4],"datatype":"FP32","data":[0.5,0.25,0.125,0.0625]}]}`;

describe('plainJsonIsSafe', () => {
  it('lets an ordinary infer body go to JSON.parse', () => {
    assert.equal(plainJsonIsSafe(addText('"id":"r1",')), true);
  });

  it('sends a text naming __proto__ or constructor, or holding a \\u escape, to the secure parser', () => {
    assert.equal(plainJsonIsSafe(addText('"__proto__":{"x":1},')), false);
    assert.equal(plainJsonIsSafe(addText('"constructor":{"prototype":{"x":1}},')), false);
    assert.equal(plainJsonIsSafe(addText('"\\u005f_proto__":{"x":1},')), false);
    assert.equal(plainJsonIsSafe(addText('"id":"\\u00e9",')), false);
  });
});

describe('the infer body parser', () => {
  let s: TestServer;
  before(async () => {
    s = await testServer({ bodyLimit: 4096 });
    const r = await s.app.inject({
      method: 'POST',
      url: '/lepton/v1/deployments',
      headers: s.auth,
      payload: { name: 'add', model: fixture('add').toString('base64') },
    });
    assert.equal(r.statusCode, 201, r.body);
  });
  after(() => s.close());

  const infer = (payload: string) =>
    s.app.inject({
      method: 'POST',
      url: '/v2/models/add/infer',
      payload,
      headers: { 'content-type': 'application/json' },
    });

  it('infers from an ordinary body', async () => {
    const r = await infer(addText('"id":"r1",'));
    assert.equal(r.statusCode, 200, r.body);
    const answer = r.json<InferResponse>();
    assert.equal(answer.id, 'r1');
    assert.deepEqual(answer.outputs[0]!.data, [1.5, 2.25, 3.125, 4.0625]);
  });

  it('infers from a body with escapes and harmless mentions of constructor, through the secure parser', async () => {
    const r = await infer(addText('"id":"caf\\u00e9 constructor",'));
    assert.equal(r.statusCode, 200, r.body);
    assert.equal(r.json<InferResponse>().id, 'café constructor');
  });

  for (const [title, extra] of [
    ['a __proto__ key', '"__proto__":{"polluted":1},'],
    ['a __proto__ key spelled with escapes', '"\\u005f_proto__":{"polluted":1},'],
    ['a constructor.prototype key', '"constructor":{"prototype":{"polluted":1}},'],
  ] as const) {
    it(`refuses ${title} with 400 LEPTON_BAD_JSON, polluting nothing`, async () => {
      const r = await infer(addText(extra));
      assert.equal(r.statusCode, 400, r.body);
      assert.equal(r.json<ErrorBody>().code, 'LEPTON_BAD_JSON');
      assert.match(r.json<ErrorBody>().error, /Body is not valid JSON/);
      assert.equal((Object.prototype as Record<string, unknown>).polluted, undefined);
    });
  }

  it("answers malformed JSON with fastify's own message", async () => {
    const r = await infer('{"inputs": [');
    assert.equal(r.statusCode, 400, r.body);
    assert.equal(r.json<ErrorBody>().code, 'LEPTON_BAD_JSON');
    assert.equal(
      r.json<ErrorBody>().error,
      "The request body is not valid JSON: Body is not valid JSON but content-type is set to 'application/json'",
    );
  });

  it('answers an empty body with 400 LEPTON_BAD_JSON saying it is empty', async () => {
    const r = await infer('');
    assert.equal(r.statusCode, 400, r.body);
    assert.equal(r.json<ErrorBody>().code, 'LEPTON_BAD_JSON');
    assert.match(r.json<ErrorBody>().error, /empty/);
  });

  it('refuses a body over the limit with 413 before parsing it', async () => {
    const data = Array.from({ length: 2000 }, () => 0.5);
    const r = await infer(JSON.stringify({ inputs: [{ name: 'a', shape: [500, 4], datatype: 'FP32', data }] }));
    assert.equal(r.statusCode, 413, r.body);
    assert.equal(r.json<ErrorBody>().code, 'LEPTON_BODY_TOO_LARGE');
  });

  /** What a parser answers for `chunks` sent with `headers`, through `done`. */
  const answer = (
    parse: (request: FastifyRequest, payload: Readable, done: (error: Error | null, value?: unknown) => void) => void,
    chunks: Buffer[],
    headers: Record<string, string> = {},
  ) =>
    new Promise<{ error: Error | null; value?: unknown }>((resolve) => {
      parse({ headers } as unknown as FastifyRequest, Readable.from(chunks), (error, value) => {
        resolve({ error, value });
      });
    });

  it('joins a body that came in chunks, keeping a character split between two of them whole', async () => {
    const text = Buffer.from('{"id":"café","inputs":[]}');
    const at = text.indexOf(0xc3) + 1; // between the two bytes of "é"
    const { error, value } = await answer(inferBodyParser(s.app, 4096), [text.subarray(0, at), text.subarray(at)]);
    assert.equal(error, null);
    assert.deepEqual(value, { id: 'café', inputs: [] });
  });

  it('refuses a body whose length differs from its Content-Length, as fastify does', async () => {
    const read = (request: FastifyRequest, payload: Readable, done: (error: Error | null) => void) => {
      readBody(request, payload, 4096, () => done(null), done);
    };
    const { error } = await answer(read, [Buffer.from('{"inputs":[]}')], { 'content-length': '99' });
    assert.equal((error as Error & { code: string }).code, 'FST_ERR_CTP_INVALID_CONTENT_LENGTH');
  });

  it('stops reading a body without a Content-Length once it passes the limit', async () => {
    const read = (request: FastifyRequest, payload: Readable, done: (error: Error | null) => void) => {
      readBody(request, payload, 10, () => done(null), done);
    };
    const { error } = await answer(read, [Buffer.alloc(8), Buffer.alloc(8)]);
    assert.equal((error as Error & { code: string }).code, 'FST_ERR_CTP_BODY_TOO_LARGE');
  });
});
