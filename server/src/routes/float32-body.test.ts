import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fixture, testServer, type TestServer } from '../testing.js';
import type { RequestTensor } from '../tensors.js';
import { parseWithFloat32Data } from './float32-body.js';
import { plainJsonIsSafe } from './infer-body.js';

/** An input of the `add` fixture (a + b, FP32 [1, 4]) as JSON text, its data list written as given. */
const input = (name: string, data: string, extra = '') =>
  `{"name":"${name}","shape":[1,4],"datatype":"FP32",${extra}"data":${data}}`;

/** An `add` request as JSON text, with `extra` fields spliced in before `inputs`. */
const addBody = (a = '[1,2,3,4]', b = '[0.5,0.25,0.125,0.0625]', extra = '') =>
  `{${extra}"inputs":[${input('a', a)},${input('b', b)}]}`;

const parse = (text: string) => parseWithFloat32Data(Buffer.from(text), plainJsonIsSafe);

describe('parseWithFloat32Data', () => {
  it("parses a body as JSON.parse does, with each FP32 input's list as floats and [] as its data", () => {
    const text = addBody('[ 1, 2.5e0 ,-0, 0.1 ]', '[0.00392156862745098, 1e-3, 3, 4]', '"id":"r1",');
    const value = parse(text) as { id: string; inputs: RequestTensor[] };
    assert.ok(value);
    const plain = JSON.parse(text) as { id: string; inputs: RequestTensor[] };
    assert.equal(value.id, 'r1');
    for (let k = 0; k < 2; k++) {
      const got = value.inputs[k]!;
      const want = plain.inputs[k]!;
      assert.deepEqual(got.data, []);
      assert.ok(got.float32Data instanceof Float32Array);
      assert.deepEqual(Array.from(got.float32Data), Array.from(Float32Array.from(want.data as number[])));
      assert.deepEqual({ ...got, data: want.data, float32Data: undefined }, { ...want, float32Data: undefined });
    }
    assert.ok(Object.is(value.inputs[0]!.float32Data![2], -0));
  });

  for (const [title, text] of [
    ['a body with no data list', '{"inputs":[{"name":"a","shape":[0],"datatype":"FP32"}]}'],
    ['an input of another datatype', addBody().replace('"FP32"', '"INT32"')],
    ['nested data', addBody('[[1,2,3,4]]')],
    ['a string among the numbers', addBody('[1,"2",3,4]')],
    ['a number JSON refuses', addBody('[1,2,03,4]')],
    ['a number beyond the floats', addBody('[1,2,1e39,4]')],
    ['a data list outside the inputs', addBody(undefined, undefined, '"parameters":{"data":[1]},')],
    ['a second data key in one input', `{"inputs":[${input('a', '[1,2,3,4]', '"data":[5,6,7,8],')}]}`],
    ['a data key that is not a list', addBody('1')],
    ['a text with a \\u escape', addBody(undefined, undefined, '"id":"\\u0041",')],
    ['a text naming __proto__', addBody(undefined, undefined, '"__proto__":{"x":1},')],
    ['a key ending in "data"', `{"inputs":[],"x\\"data":[1,2]}`],
    ['JSON that is broken elsewhere', addBody().slice(0, -1)],
    ['"data" as a string value', '{"inputs":[{"name":"data","datatype":"FP32","shape":[0]}]}'],
  ] as const) {
    it(`leaves ${title} to the whole text's parse`, () => {
      assert.equal(parse(text), undefined);
    });
  }
});

describe('infer bodies through the FP32 fast path', () => {
  let s: TestServer;
  before(async () => {
    s = await testServer();
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
});
