/**
 * Answers too large to encode in one go: an output of more than `ENCODE_SLICE` elements is converted and
 * serialized a slice at a time, yielding to the event loop between slices, so one big answer never stalls the
 * health checks and the other requests for seconds. Small answers (batch 1) keep the direct path.
 */
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { InferResponse } from './deployment.js';
import type { Datatype } from './meta.js';
import { encodeOutput, type FeedData, type ResponseTensor } from './tensors.js';
import { fromHalf } from './wire/half.js';

/** Elements converted or serialized between two yields (about 10-30 ms of work on a slow core). */
export const ENCODE_SLICE = 65_536;

/** `encodeOutput`, a slice at a time for large outputs. */
export async function encodeOutputSliced(name: string, datatype: Datatype, shape: readonly number[], data: FeedData): Promise<ResponseTensor> {
  if (data.length <= ENCODE_SLICE) return encodeOutput(name, datatype, shape, data);
  const values: Array<number | boolean | string> = new Array(data.length);
  const big = data instanceof BigInt64Array || data instanceof BigUint64Array;
  for (let start = 0; start < data.length; start += ENCODE_SLICE) {
    const end = Math.min(start + ENCODE_SLICE, data.length);
    if (big) for (let i = start; i < end; i++) values[i] = Number(data[i]!);
    else if (datatype === 'BOOL') for (let i = start; i < end; i++) values[i] = data[i] !== 0;
    else if (datatype === 'FP16') for (let i = start; i < end; i++) values[i] = fromHalf(data[i] as number);
    else for (let i = start; i < end; i++) values[i] = data[i] as number | string;
    await yieldToLoop();
  }
  return { name, datatype, shape: [...shape], data: values as number[] | boolean[] | string[] };
}

/**
 * The JSON text of a large infer answer, serialized a slice at a time; undefined for an answer small enough for
 * the route's own serializer. The text is what `JSON.stringify` gives (NaN and ±Infinity become `null`).
 */
export async function largeResponseJson(response: InferResponse): Promise<string | undefined> {
  let total = 0;
  for (const output of response.outputs) total += output.data?.length ?? 0;
  if (total <= ENCODE_SLICE) return undefined;
  const { outputs, ...head } = response;
  // The head's fields, then "outputs" last: each output's fields, then its data in slices.
  const parts: string[] = [JSON.stringify(head).slice(0, -1), ',"outputs":['];
  for (let o = 0; o < outputs.length; o++) {
    const { data, ...meta } = outputs[o]!;
    if (data === undefined) {
      // A binary output: its data follows the JSON part.
      parts.push(`${o > 0 ? ',' : ''}${JSON.stringify(meta)}`);
      continue;
    }
    parts.push(`${o > 0 ? ',' : ''}${JSON.stringify(meta).slice(0, -1)},"data":[`);
    for (let start = 0; start < data.length; start += ENCODE_SLICE) {
      const slice = JSON.stringify(data.slice(start, start + ENCODE_SLICE));
      parts.push((start > 0 ? ',' : '') + slice.slice(1, -1));
      await yieldToLoop();
    }
    parts.push(']}');
  }
  parts.push(']}');
  return parts.join('');
}
