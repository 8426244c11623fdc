/**
 * The JSON text of an infer answer, written straight from the typed arrays the model returned: no intermediate
 * arrays of numbers, and no generic serializer walking them (the v2 answer's layout is fixed, so it is written
 * field by field). An output of more than `ENCODE_SLICE` elements is written a slice at a time, yielding to the
 * event loop between slices, so one big answer never stalls the health checks and the other requests for seconds.
 * The text is what `JSON.stringify` gives for the same answer with plain arrays (NaN and ±Infinity become `null`).
 */
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { InferResponse } from './deployment.js';
import type { Datatype } from './wire/tensor-spec.js';
import type { FeedData } from './tensors.js';
import { fromHalf } from './wire/half.js';

/** Elements written between two yields (about 10-30 ms of work on a slow core). */
export const ENCODE_SLICE = 65_536;

/** Elements `start` to `end` of `data` as JSON array items, comma-separated. */
export function jsonElements(datatype: Datatype, data: FeedData, start: number, end: number): string {
  let out = '';
  if (datatype === 'BYTES') {
    for (let i = start; i < end; i++) out += (i > start ? ',' : '') + JSON.stringify((data as string[])[i]);
  } else if (datatype === 'BOOL') {
    for (let i = start; i < end; i++) out += (i > start ? ',' : '') + (data[i] !== 0 ? 'true' : 'false');
  } else if (datatype === 'FP16') {
    for (let i = start; i < end; i++) {
      const v = fromHalf(data[i] as number);
      out += (i > start ? ',' : '') + (Number.isFinite(v) ? String(v) : 'null');
    }
  } else if (data instanceof BigInt64Array || data instanceof BigUint64Array) {
    // 64-bit integers become numbers (exact up to 2^53), as JSON readers expect.
    for (let i = start; i < end; i++) out += (i > start ? ',' : '') + String(Number(data[i]!));
  } else {
    const values = data as Float32Array;
    for (let i = start; i < end; i++) {
      const v = values[i]!;
      out += (i > start ? ',' : '') + (Number.isFinite(v) ? String(v) : 'null');
    }
  }
  return out;
}

/**
 * The JSON text of `response`, whose outputs answered as JSON have their elements in `values` (same index; an
 * output sent as binary data has none).
 */
export async function responseJson(
  response: InferResponse,
  values: ReadonlyArray<FeedData | undefined>,
): Promise<string> {
  let out = `{"model_name":${JSON.stringify(response.model_name)},"model_version":${JSON.stringify(response.model_version)}`;
  if (response.id !== undefined) out += `,"id":${JSON.stringify(response.id)}`;
  if (response.parameters !== undefined) out += `,"parameters":${JSON.stringify(response.parameters)}`;
  out += ',"outputs":[';
  for (let o = 0; o < response.outputs.length; o++) {
    const { name, datatype, shape, parameters } = response.outputs[o]!;
    out += `${o > 0 ? ',' : ''}{"name":${JSON.stringify(name)},"datatype":${JSON.stringify(datatype)},"shape":[${shape.join(',')}]`;
    if (parameters !== undefined) out += `,"parameters":${JSON.stringify(parameters)}`;
    const data = values[o];
    if (data !== undefined) {
      out += ',"data":[';
      for (let start = 0; start < data.length; start += ENCODE_SLICE) {
        const end = Math.min(start + ENCODE_SLICE, data.length);
        out += (start > 0 ? ',' : '') + jsonElements(datatype, data, start, end);
        if (end < data.length) await yieldToLoop();
      }
      out += ']';
    }
    out += '}';
  }
  return out + ']}';
}
