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

/** An `add` input as JSON text, its data list written as given (`extra` spliced in before `data`). */
const input = (name: string, data: string, extra = '') =>
  `{"name":"${name}","shape":[1,4],"datatype":"FP32",${extra}"data":${data}}`;

/** An `add` request whose two data lists are written as given, with `extra` fields spliced in before `inputs`. */
const addBody = (a = '[1,2,3,4]', b = '[0.5,0.25,0.125,0.0625]', extra = '') =>
  `{${extra}"inputs":[${input('a', a)},${input('b', b)}]}`;

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

  // The FP32 fast path (`float32-body.ts`) against the whole-text path, which a `\u` escape in the body selects.
  it('answers as the whole-text path does for a good body', async () => {
    const fast = await infer(addBody('[0.1,0.2,0.3,0.4]', '[1e-3,2.5,-0,16777217]', '"id":"A",'));
    // A `\u` escape sends the same request down the whole-text path (the secure parser).
    const whole = await infer(addBody('[0.1,0.2,0.3,0.4]', '[1e-3,2.5,-0,16777217]', '"id":"\\u0041",'));
    assert.equal(fast.statusCode, 200, fast.body);
    assert.equal(fast.body, whole.body);
  });

  for (const [title, text] of [
    ['too few elements', addBody('[1,2,3]')],
    ['too many elements', addBody('[1,2,3,4,5]')],
    ['an empty list', addBody('[]')],
    ['a number whose float is Infinity', addBody('[1,2,1e39,4]')],
    ['a number whose double is Infinity', addBody('[1,2,1e400,4]')],
    ['a trailing comma', addBody('[1,2,3,4,]')],
    ['a leading zero', addBody('[1,2,03,4]')],
    ['a string element', addBody('[1,2,"3",4]')],
    [
      'a missing input name',
      `{"inputs":[{"shape":[1,4],"datatype":"FP32","data":[1,2,3,4]},${input('b', '[1,2,3,4]')}]}`,
    ],
    ['a shape that does not fit', addBody().replace('"shape":[1,4]', '"shape":[1,5]')],
    ['an unknown input', addBody().replace('"name":"a"', '"name":"c"')],
    ['another datatype', addBody().replace('"FP32"', '"FP64"')],
    [
      'data beside binary_data_size',
      `{"inputs":[${input('a', '[1,2,3,4]', '"parameters":{"binary_data_size":16},')}]}`,
    ],
    ['a missing input', `{"inputs":[${input('a', '[1,2,3,4]')}]}`],
    ['the same input twice', `{"inputs":[${input('a', '[1,2,3,4]')},${input('a', '[1,2,3,4]')}]}`],
  ] as const) {
    it(`refuses a body with ${title} with the whole-text path's status and error`, async () => {
      const fast = await infer(text);
      const whole = await infer(text.replace('{', '{"id":"\\u0041",'));
      assert.ok(fast.statusCode >= 400, fast.body);
      assert.equal(fast.statusCode, whole.statusCode);
      assert.equal(fast.body, whole.body);
    });
  }

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
