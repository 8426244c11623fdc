/**
 * The FP32 fast path of an infer body: each input's `"data": [numbers]` read from the body's bytes straight into a
 * Float32Array (`wire/fp32-text.ts`), and only the rest of the body, with `[]` in place of each list, given to
 * `JSON.parse`. At batch 1 the 784 numbers of an image were most of the parse's time and of the request's garbage.
 *
 * Nothing changes for the client: the body parses to the same object but for the lists, the schema sees an array
 * where it saw one, and the decoder takes each input's `float32Data` as `fill` would have stored the numbers. Any
 * body this path is not certain about gets `undefined`, and the caller parses the whole text as before (so every
 * refusal and its message stay the old path's): a list that is not a flat list of JSON numbers with finite floats,
 * a rest that is not plain JSON (`plainJsonIsSafe`), or a `"data"` that is not an FP32 input's.
 */
import { readFloat32Array, skipSpaces } from '../wire/fp32-text.js';
import type { RequestTensor } from '../tensors.js';

/** The bytes of the key every OIP tensor's elements come under. */
const DATA_KEY = Buffer.from('"data"', 'latin1');

/**
 * Parses `body` (an infer body's JSON bytes) with its FP32 `data` lists read as floats, given the check
 * `isPlainJson(text)` for the text `JSON.parse` would get; undefined when the whole text must be parsed instead
 * (see the module's comment).
 *
 * Why the lists found are the inputs' `data`: a key spelled `data` always shows as the bytes `"data"` (with no
 * `\u` escape, which `isPlainJson` refuses), so when exactly as many inputs hold a `data` key as the bytes `"data"`
 * followed by `:` and `[` occur, each occurrence is one input's key, in document order, and each `[]` left in the
 * rest is its value.
 */
export function parseWithFloat32Data(body: Buffer, isPlainJson: (text: string) => boolean): unknown {
  const lists: Float32Array[] = [];
  let rest = '';
  let copied = 0; // bytes of `body` before this index are in `rest`
  let at = body.indexOf(DATA_KEY);
  while (at !== -1) {
    let i = skipSpaces(body, at + DATA_KEY.length);
    if (body[i] !== 0x3a) return undefined;
    i = skipSpaces(body, i + 1);
    if (body[i] !== 0x5b) return undefined;
    const list = readFloat32Array(body, i);
    if (list === undefined) return undefined;
    lists.push(list.values);
    // Keep the `[` and the `]`: the rest holds an empty array where the numbers were.
    rest += body.toString('utf8', copied, i + 1);
    copied = list.end - 1;
    at = body.indexOf(DATA_KEY, list.end);
  }
  if (lists.length === 0) return undefined;
  rest += body.toString('utf8', copied);
  if (!isPlainJson(rest)) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(rest);
  } catch {
    return undefined;
  }
  const inputs = (value as { inputs?: unknown } | null)?.inputs;
  if (!Array.isArray(inputs)) return undefined;
  const withData: RequestTensor[] = [];
  for (const input of inputs as unknown[]) {
    if (typeof input === 'object' && input !== null && 'data' in input) withData.push(input as RequestTensor);
  }
  if (withData.length !== lists.length) return undefined;
  for (const input of withData)
    if (input.datatype !== 'FP32' || !Array.isArray(input.data) || input.data.length !== 0) return undefined;
  for (let k = 0; k < withData.length; k++) withData[k]!.float32Data = lists[k]!;
  return value;
}
