/**
 * Open Inference Protocol v2 tensors: decoding the `inputs` of an infer request (JSON data, or binary data after
 * the JSON as the binary tensor data extension lays it out, see `wire/binary.ts`) into typed arrays checked
 * against the model's specs, and encoding model outputs back (JSON data, or binary).
 */
import { errors } from './errors.js';
import type { Datatype, TensorSpec } from './wire/tensor-spec.js';
import {
  arrayBytes,
  arrayFromBytes,
  binarySlices,
  decodeBytesElements,
  ELEMENT_BYTES,
  elementText,
  encodeBytesElements,
} from './wire/binary.js';
import { fromHalf, halfNonFinite, toHalf } from './wire/half.js';

/** A request tensor, as the protocol defines it. */
export interface RequestTensor {
  /** The model input it feeds. */
  name: string;
  /** Its shape. */
  shape: number[];
  /** Its OIP datatype, e.g. `FP32`, `INT64`, `BYTES`. */
  datatype: string;
  /** Per-tensor parameters, e.g. `binary_data_size` for a tensor sent as binary data. */
  parameters?: Record<string, unknown>;
  /** The elements, flat or nested as the shape; absent when the tensor is sent as binary data. */
  data?: unknown[];
  /**
   * The tensor's binary data (a fixed-size datatype), cut from the body by `attachBinaryData`; never part of the
   * JSON. BYTES tensors sent as binary get `data` (their elements as text) instead.
   */
  binary?: Uint8Array;
  /**
   * An FP32 tensor's elements read from the body's JSON text straight into floats (`routes/float32-body.ts`); its
   * `data` is then an empty array. Never part of the JSON: only a Float32Array is taken for one.
   */
  float32Data?: Float32Array;
}

/** A response tensor: its elements in `data`, or (binary data requested) its byte count in `parameters`. */
export interface ResponseTensor {
  /** The model output it holds. */
  name: string;
  /** Its shape. */
  shape: number[];
  /** Its OIP datatype. */
  datatype: Datatype;
  /** `binary_data_size` when the data follows the JSON as binary. */
  parameters?: Record<string, unknown>;
  /** Numbers, booleans, or strings for BYTES outputs (the labels of a deployment with class names). */
  data?: number[] | boolean[] | string[];
  /** The tensor's binary data, as `ServerClient.infer` cut it from a binary answer; never part of the JSON. */
  binary?: Uint8Array;
}

/** The typed arrays the server hands onnxruntime (FP16 as its bit patterns in a `Uint16Array`). */
export type TensorData =
  | Float32Array
  | Float64Array
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array;

/** A tensor's elements: a typed array, or strings for BYTES (onnxruntime's `string` tensors). */
export type FeedData = TensorData | string[];

/** A decoded input: its data and shape. */
export interface Feed {
  data: FeedData;
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
  BOOL: 'bool',
  UINT8: 'uint8',
  UINT16: 'uint16',
  UINT32: 'uint32',
  UINT64: 'uint64',
  INT8: 'int8',
  INT16: 'int16',
  INT32: 'int32',
  INT64: 'int64',
  FP16: 'float16',
  FP32: 'float32',
  FP64: 'float64',
  BYTES: 'string',
};

type Ctor = {
  new (n: number): TensorData;
  new (buffer: ArrayBuffer, offset: number, length: number): TensorData;
  BYTES_PER_ELEMENT: number;
};
const ARRAY: Record<Exclude<Datatype, 'BYTES'>, Ctor> = {
  BOOL: Uint8Array,
  UINT8: Uint8Array,
  UINT16: Uint16Array,
  UINT32: Uint32Array,
  UINT64: BigUint64Array,
  INT8: Int8Array,
  INT16: Int16Array,
  INT32: Int32Array,
  INT64: BigInt64Array,
  FP16: Uint16Array,
  FP32: Float32Array,
  FP64: Float64Array,
};
const RANGE: Partial<Record<Datatype, [number, number]>> = {
  UINT8: [0, 255],
  UINT16: [0, 65535],
  UINT32: [0, 4294967295],
  INT8: [-128, 127],
  INT16: [-32768, 32767],
  INT32: [-2147483648, 2147483647],
  INT64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  UINT64: [0, Number.MAX_SAFE_INTEGER],
};

/** A typed array of `datatype` with `length` elements (for BYTES, an array of empty strings). */
export function allocate(datatype: Datatype, length: number): FeedData {
  return datatype === 'BYTES' ? new Array<string>(length).fill('') : new ARRAY[datatype](length);
}

/**
 * Gives each input sent as binary data its bytes from `binary` (the body after the JSON part): a fixed-size
 * tensor gets `binary`, a BYTES tensor gets `data` (its elements as UTF-8 text). Throws 400
 * `LEPTON_BAD_BINARY_SIZE` / `LEPTON_BAD_BINARY_DATA` when the sizes or the BYTES framing are wrong, and
 * `LEPTON_BAD_REQUEST` for an input with both `data` and binary data, or neither.
 */
export function attachBinaryData(inputs: RequestTensor[], binary: Uint8Array): void {
  const slices = binarySlices(inputs, binary);
  for (let i = 0; i < inputs.length; i++) {
    const input = inputs[i]!;
    const bytes = slices[i];
    if (bytes === undefined) {
      if (!Array.isArray(input.data))
        throw errors.badRequest(
          `input "${input.name}" has no data: send "data", or its bytes after the JSON with parameters.binary_data_size.`,
        );
      continue;
    }
    if (input.data !== undefined)
      throw errors.badRequest(
        `input "${input.name}" has both "data" and parameters.binary_data_size; send its elements one way.`,
      );
    if (input.datatype === 'BYTES') {
      let count = 1;
      for (const d of input.shape) count *= d;
      input.data = decodeBytesElements(input.name, bytes, count).map((element, e) =>
        elementText(input.name, e, element),
      );
    } else {
      input.binary = bytes;
    }
  }
}

/**
 * Decodes and checks `inputs` against the model's `specs`: every model input present once, no unknown names, the
 * model's datatype, a shape that fits, data of the shape's size with valid values (finite numbers, integers in
 * range). Throws the catalogue's 4xx errors naming the first problem.
 */
export function decodeInputs(
  model: string,
  specs: readonly TensorSpec[],
  inputs: readonly RequestTensor[],
  maxElements = DEFAULT_MAX_ELEMENTS,
): DecodedInputs {
  const feeds: Record<string, Feed> = {};
  let rows = -1;
  let batchDetail = '';
  for (const input of inputs) {
    const spec = specs.find((s) => s.name === input.name);
    if (!spec)
      throw errors.unknownInput(
        model,
        input.name,
        specs.map((s) => s.name),
      );
    if (feeds[spec.name]) throw errors.duplicateInput(spec.name);
    if (input.datatype !== spec.datatype) throw errors.badDatatype(spec.name, input.datatype, spec.datatype);
    const shape = input.shape;
    if (shape.length !== spec.shape.length || shape.some((d, i) => spec.shape[i] !== -1 && d !== spec.shape[i])) {
      throw errors.badShape(
        spec.name,
        shape,
        spec.shape.map((d) => (d === -1 ? '?' : d)),
      );
    }
    let size = 1;
    for (const d of shape) size *= d;
    // Checked before the data is copied, so an oversized request costs no more memory than its parsed body.
    if (size > maxElements) throw errors.tooManyElements(spec.name, size, maxElements);
    let data: FeedData;
    if (input.binary !== undefined) {
      data = fromBinary(spec.name, spec.datatype, input.binary, size, shape);
    } else if (input.float32Data instanceof Float32Array && spec.datatype === 'FP32') {
      // Already floats, each as `fill` would store it; only finite ones are read this way.
      if (input.float32Data.length !== size) throw errors.badDataLength(spec.name, input.float32Data.length, size);
      data = input.float32Data;
    } else {
      if (!Array.isArray(input.data))
        throw errors.badRequest(
          `input "${spec.name}" has no data: send "data", or its bytes after the JSON with parameters.binary_data_size.`,
        );
      const flat = flatten(spec.name, input.data, shape);
      if (flat.length !== size) throw errors.badDataLength(spec.name, flat.length, size);
      data = fill(spec.name, spec.datatype, flat);
    }
    feeds[spec.name] = { data, shape };
    const first = shape.length > 0 ? shape[0]! : 1;
    batchDetail += `${batchDetail ? ', ' : ''}${spec.name} has ${first}`;
    if (rows === -1) rows = first;
    else if (rows !== first && spec.shape[0] === -1) throw errors.batchMismatch(batchDetail);
  }
  for (const spec of specs) if (!feeds[spec.name]) throw errors.missingInput(model, spec.name);
  return { feeds, rows: Math.max(rows, 0) };
}

/** The default cap on one request's elements per input (`--max-elements`): 1,048,576 (4 MiB of FP32). */
export const DEFAULT_MAX_ELEMENTS = 1 << 20;

/**
 * Row-major flattening of nested `data` (the protocol allows both flat and nested arrays). Nested data must
 * follow the shape exactly: ragged rows whose total happens to fit the shape are refused (`LEPTON_RAGGED_DATA`).
 */
function flatten(name: string, data: unknown[], shape: readonly number[]): unknown[] {
  if (data.length === 0 || !Array.isArray(data[0])) return data;
  const out: unknown[] = [];
  const walk = (level: unknown[], depth: number, path: string): void => {
    if (level.length !== shape[depth]) throw errors.raggedData(name, path, level.length, shape[depth] ?? 0, shape);
    const last = depth === shape.length - 1;
    for (let i = 0; i < level.length; i++) {
      const item = level[i];
      if (last) out.push(item);
      else if (Array.isArray(item)) walk(item, depth + 1, `${path}[${i}]`);
      else throw errors.raggedData(name, `${path}[${i}]`, 1, shape[depth + 1]!, shape);
    }
  };
  walk(data, 0, '');
  return out;
}

/**
 * A fixed-size tensor's elements from its binary data: exactly `size` elements of the datatype, checked as JSON
 * data is (finite floats, BOOL bytes 0 or 1).
 */
function fromBinary(
  name: string,
  datatype: Datatype,
  bytes: Uint8Array,
  size: number,
  shape: readonly number[],
): TensorData {
  const width = ELEMENT_BYTES[datatype]!;
  if (bytes.length !== size * width) {
    throw errors.badBinarySize(
      `"${name}" has binary_data_size ${bytes.length}, but shape [${shape.join(', ')}] of ${datatype} holds ${size} elements of ${width} byte${width === 1 ? '' : 's'}: ${size * width} bytes.`,
    );
  }
  const data = arrayFromBytes(ARRAY[datatype as Exclude<Datatype, 'BYTES'>], bytes);
  if (datatype === 'FP32' || datatype === 'FP64') {
    const values = data as Float32Array;
    for (let i = 0; i < values.length; i++)
      if (!Number.isFinite(values[i]!)) throw errors.badValue(name, i, values[i], datatype);
  } else if (datatype === 'FP16') {
    for (let i = 0; i < data.length; i++)
      if (halfNonFinite(data[i] as number)) throw errors.badValue(name, i, fromHalf(data[i] as number), datatype);
  } else if (datatype === 'BOOL') {
    for (let i = 0; i < data.length; i++)
      if ((data[i] as number) > 1) throw errors.badValue(name, i, data[i], datatype);
  }
  return data;
}

/** The bytes of an output as the binary tensor data extension sends them. */
export function outputBytes(data: FeedData): Uint8Array {
  return Array.isArray(data) ? encodeBytesElements(data) : arrayBytes(data);
}

function fill(name: string, datatype: Datatype, values: unknown[]): FeedData {
  const n = values.length;
  if (datatype === 'BYTES') {
    for (let i = 0; i < n; i++) if (typeof values[i] !== 'string') throw errors.badValue(name, i, values[i], datatype);
    return values as string[];
  }
  const out = allocate(datatype, n) as TensorData;
  if (datatype === 'FP16') {
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (typeof v !== 'number' || !Number.isFinite(v)) throw errors.badValue(name, i, v, datatype);
      const half = toHalf(v);
      // Beyond ±65504 the nearest half is Infinity: refused as NaN and Infinity are.
      if (halfNonFinite(half)) throw errors.badValue(name, i, v, datatype);
      out[i] = half;
    }
    return out;
  }
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

/** The JSON tensor for a model output (64-bit integers become numbers; exact up to 2^53; FP16 becomes numbers). */
export function encodeOutput(
  name: string,
  datatype: Datatype,
  shape: readonly number[],
  data: FeedData | readonly boolean[],
): ResponseTensor {
  let values: number[] | boolean[] | string[];
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) values = Array.from(data, Number);
  else if (datatype === 'BYTES') values = Array.from(data as string[], String);
  else if (datatype === 'BOOL') values = Array.from(data as Uint8Array, (v) => v !== 0);
  else if (datatype === 'FP16') values = Array.from(data as Uint16Array, fromHalf);
  else values = Array.from(data as Float32Array);
  return { name, datatype, shape: [...shape], data: values };
}
