import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
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
