/**
 * Open Inference Protocol v2 tensors: decoding the JSON `inputs` of an infer request into typed arrays, checked
 * against the model's specs, and encoding model outputs back to JSON.
 */
import { errors } from './errors.js';
import type { Datatype, TensorSpec } from './meta.js';

/** A JSON request tensor, as the protocol defines it. */
export interface RequestTensor {
  name: string;
  shape: number[];
  datatype: string;
  parameters?: Record<string, unknown>;
  data: unknown[];
}

/** A JSON response tensor. */
export interface ResponseTensor {
  name: string;
  shape: number[];
  datatype: Datatype | 'BYTES';
  /** Numbers, booleans, or strings for BYTES outputs (the labels of a deployment with class names). */
  data: number[] | boolean[] | string[];
}

/** The typed arrays the server hands onnxruntime. */
export type TensorData = Float32Array | Float64Array | Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | BigInt64Array | BigUint64Array;

/** A decoded input: its data and shape. */
export interface Feed {
  data: TensorData;
  shape: number[];
}

/** An infer request's inputs, decoded and checked: one feed per model input, in the model's order. */
export interface DecodedInputs {
  feeds: Record<string, Feed>;
  /** The first dimension shared by every input (1 for inputs without a batch dimension). */
  rows: number;
}

/** onnxruntime's name for each datatype. */
export const ORT_TYPE: Record<Datatype, string> = {
  BOOL: 'bool', UINT8: 'uint8', UINT16: 'uint16', UINT32: 'uint32', UINT64: 'uint64', INT8: 'int8', INT16: 'int16',
  INT32: 'int32', INT64: 'int64', FP32: 'float32', FP64: 'float64',
};

type Ctor = new (n: number) => TensorData;
const ARRAY: Record<Datatype, Ctor> = {
  BOOL: Uint8Array, UINT8: Uint8Array, UINT16: Uint16Array, UINT32: Uint32Array, UINT64: BigUint64Array, INT8: Int8Array,
  INT16: Int16Array, INT32: Int32Array, INT64: BigInt64Array, FP32: Float32Array, FP64: Float64Array,
};
const RANGE: Partial<Record<Datatype, [number, number]>> = {
  UINT8: [0, 255], UINT16: [0, 65535], UINT32: [0, 4294967295], INT8: [-128, 127], INT16: [-32768, 32767],
  INT32: [-2147483648, 2147483647], INT64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER], UINT64: [0, Number.MAX_SAFE_INTEGER],
};

/** A typed array of `datatype` with `length` elements. */
export function allocate(datatype: Datatype, length: number): TensorData {
  return new ARRAY[datatype](length);
}

/**
 * Decodes and checks `inputs` against the model's `specs`: every model input present once, no unknown names, the
 * model's datatype, a shape that fits, data of the shape's size with valid values (finite numbers, integers in
 * range). Throws the catalogue's 4xx errors naming the first problem.
 */
export function decodeInputs(model: string, specs: readonly TensorSpec[], inputs: readonly RequestTensor[]): DecodedInputs {
  const feeds: Record<string, Feed> = {};
  let rows = -1;
  let batchDetail = '';
  for (const input of inputs) {
    const spec = specs.find((s) => s.name === input.name);
    if (!spec) throw errors.unknownInput(model, input.name, specs.map((s) => s.name));
    if (feeds[spec.name]) throw errors.duplicateInput(spec.name);
    if (input.datatype !== spec.datatype) throw errors.badDatatype(spec.name, String(input.datatype), spec.datatype);
    const shape = input.shape;
    if (shape.length !== spec.shape.length || shape.some((d, i) => spec.shape[i] !== -1 && d !== spec.shape[i])) {
      throw errors.badShape(spec.name, shape, spec.shape.map((d) => (d === -1 ? '?' : d)));
    }
    let size = 1;
    for (const d of shape) size *= d;
    const flat = flatten(input.data, shape.length);
    if (flat.length !== size) throw errors.badDataLength(spec.name, flat.length, size);
    feeds[spec.name] = { data: fill(spec.name, spec.datatype, flat), shape };
    const first = shape.length > 0 ? shape[0]! : 1;
    batchDetail += `${batchDetail ? ', ' : ''}${spec.name} has ${first}`;
    if (rows === -1) rows = first;
    else if (rows !== first && spec.shape[0] === -1) throw errors.batchMismatch(batchDetail);
  }
  for (const spec of specs) if (!feeds[spec.name]) throw errors.missingInput(model, spec.name);
  return { feeds, rows: Math.max(rows, 0) };
}

/** Row-major flattening of nested `data` (the protocol allows both flat and nested arrays). */
function flatten(data: unknown[], rank: number): unknown[] {
  if (data.length === 0 || !Array.isArray(data[0])) return data;
  return (data as unknown[]).flat(Math.max(rank - 1, 1));
}

function fill(name: string, datatype: Datatype, values: unknown[]): TensorData {
  const out = allocate(datatype, values.length);
  const n = values.length;
  if (datatype === 'FP32' || datatype === 'FP64') {
    const arr = out as Float32Array;
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (typeof v !== 'number' || !Number.isFinite(v)) throw errors.badValue(name, i, v, datatype);
      arr[i] = v;
    }
    if (datatype === 'FP32') {
      for (let i = 0; i < n; i++) if (!Number.isFinite(arr[i]!)) throw errors.badValue(name, i, values[i], datatype);
    }
    return out;
  }
  if (datatype === 'BOOL') {
    const arr = out as Uint8Array;
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (typeof v !== 'boolean') throw errors.badValue(name, i, v, datatype);
      arr[i] = v ? 1 : 0;
    }
    return out;
  }
  const [lo, hi] = RANGE[datatype]!;
  const big = datatype === 'INT64' || datatype === 'UINT64';
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) throw errors.badValue(name, i, v, datatype);
    if (big) (out as BigInt64Array)[i] = BigInt(v);
    else (out as Int32Array)[i] = v;
  }
  return out;
}

/** The JSON tensor for a model output (64-bit integers become numbers; exact up to 2^53). */
export function encodeOutput(name: string, datatype: Datatype, shape: readonly number[], data: TensorData | readonly boolean[]): ResponseTensor {
  let values: number[] | boolean[];
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) values = Array.from(data, Number);
  else if (datatype === 'BOOL') values = Array.from(data as Uint8Array, (v) => v !== 0);
  else values = Array.from(data as Float32Array);
  return { name, datatype, shape: [...shape], data: values };
}
