/**
 * What `Deployment.predict` accepts and returns, as Open Inference Protocol v2 tensors: a `tf.Tensor`, nested
 * number arrays, or a typed array with its shape go in; `tf.Tensor`s come out. Large inputs travel as binary tensor
 * data (the wire format of `@lepton/server/wire`), small ones as JSON.
 */
import * as tf from '@tensorflow/tfjs';
import type { InferResponse, RequestTensor, ResponseTensor, TensorSpec } from '@lepton/server';
import {
  arrayBytes,
  arrayFromBytes,
  BINARY_DATA_SIZE,
  decodeBytesElements,
  fromHalf,
  toHalf,
  type BinaryArray,
} from '@lepton/server/wire';
import { DeployError } from './errors.js';

/**
 * An input of at least this many elements is sent as binary tensor data, and the request asks for binary outputs.
 * Measured with `npm run bench -- serve` (one client, the 784-wide MLP, BENCHMARKS.md): binary takes 0.5× the time
 * of JSON at 8 rows (6,272 elements), 0.12× at 64 rows and 0.06× at 256; at one row (784) the two are within noise,
 * so small calls keep the JSON body anyone can read in a log.
 */
export const BINARY_MIN_ELEMENTS = 4096;

/** A flat typed array with its shape, e.g. `{ data: new Float32Array(8), shape: [2, 4] }`. */
export interface FlatTensor {
  /** The values, row-major. */
  data: Float32Array | Int32Array | Uint8Array;
  /** The shape; its product is `data.length`. */
  shape: readonly number[];
}

/** One model input: a tensor, nested number arrays (rows first), or a flat typed array with its shape. */
export type PredictInput = tf.Tensor | number[] | number[][] | number[][][] | number[][][][] | FlatTensor;

/** The inputs of a call: one for a single-input model, or one per input name. */
export type PredictInputs = PredictInput | Record<string, PredictInput>;

/**
 * An OIP v2 request tensor of `spec` from `value`: JSON `data`, or with `binary` its bytes (sent after the JSON;
 * `'auto'`: when it holds at least `BINARY_MIN_ELEMENTS`). Throws `LEPTON_BAD_INPUT` on ragged arrays or a wrong rank.
 */
export function requestTensor(spec: TensorSpec, value: PredictInput, binary: boolean | 'auto' = false): RequestTensor {
  let data: ArrayLike<number>;
  let shape: number[];
  if (value instanceof tf.Tensor) {
    data = value.dataSync();
    shape = value.shape.slice();
  } else if (isFlat(value)) {
    const size = value.shape.reduce((a, b) => a * b, 1);
    if (size !== value.data.length)
      throw new DeployError(
        'LEPTON_BAD_INPUT',
        `"${spec.name}": shape [${value.shape.join(', ')}] holds ${size} values, but data has ${value.data.length}.`,
      );
    data = value.data;
    shape = value.shape.slice();
  } else if (Array.isArray(value)) {
    shape = shapeOf(value, spec.name);
    data = (value as unknown[]).flat(Infinity) as number[];
  } else {
    throw new DeployError(
      'LEPTON_BAD_INPUT',
      `"${spec.name}": expected a tf.Tensor, nested number arrays or { data, shape }, got ${typeof value}.`,
    );
  }
  // A single example without its batch dimension gets one.
  if (shape.length === spec.shape.length - 1 && spec.shape[0] === -1) shape = [1, ...shape];
  if (shape.length !== spec.shape.length) {
    throw new DeployError(
      'LEPTON_BAD_INPUT',
      `"${spec.name}" takes shape [${spec.shape.map((d) => (d === -1 ? 'batch' : d)).join(', ')}], got [${shape.join(', ')}].`,
    );
  }
  const typed =
    binary === true || (binary === 'auto' && data.length >= BINARY_MIN_ELEMENTS)
      ? wireArray(spec.datatype, data)
      : undefined;
  if (typed === undefined)
    return { name: spec.name, shape, datatype: spec.datatype, data: Array.isArray(data) ? data : Array.from(data) };
  const bytes = arrayBytes(typed);
  return {
    name: spec.name,
    shape,
    datatype: spec.datatype,
    parameters: { [BINARY_DATA_SIZE]: bytes.length },
    binary: bytes,
  };
}

/** `values` as the typed array the binary format holds for `datatype` (undefined for BYTES, which stays JSON). */
function wireArray(datatype: TensorSpec['datatype'], values: ArrayLike<number>): BinaryArray | undefined {
  switch (datatype) {
    case 'FP32':
      return values instanceof Float32Array ? values : Float32Array.from(values);
    case 'FP64':
      return Float64Array.from(values);
    case 'FP16':
      return Uint16Array.from(values, toHalf);
    case 'INT32':
      return values instanceof Int32Array ? values : Int32Array.from(values);
    case 'INT16':
      return Int16Array.from(values);
    case 'INT8':
      return Int8Array.from(values);
    case 'UINT8':
    case 'BOOL':
      return Uint8Array.from(values);
    case 'UINT16':
      return Uint16Array.from(values);
    case 'UINT32':
      return Uint32Array.from(values);
    case 'INT64':
      return BigInt64Array.from(values, (v) => BigInt(Math.trunc(v)));
    case 'UINT64':
      return BigUint64Array.from(values, (v) => BigInt(Math.trunc(v)));
    default:
      return undefined;
  }
}

/** The request tensors for every input of a model, in its input order; each as binary data when it holds at least `BINARY_MIN_ELEMENTS`. */
export function requestTensors(specs: readonly TensorSpec[], x: PredictInputs): RequestTensor[] {
  if (specs.length === 1 && !isNamed(x, specs)) return [requestTensor(specs[0]!, x, 'auto')];
  if (!isNamed(x, specs)) {
    throw new DeployError(
      'LEPTON_BAD_INPUT',
      `The model has ${specs.length} inputs: pass { ${specs.map((s) => `${JSON.stringify(s.name)}: …`).join(', ')} }.`,
    );
  }
  return specs.map((spec) => {
    const value = x[spec.name];
    if (value === undefined)
      throw new DeployError(
        'LEPTON_BAD_INPUT',
        `Input "${spec.name}" is missing (given: ${Object.keys(x).join(', ')}).`,
      );
    return requestTensor(spec, value, 'auto');
  });
}

/**
 * The response's outputs as tensors, by output name: numbers as float32/int32/bool tensors, BYTES outputs (a
 * classifier's `label`) as string tensors, whether they came as JSON or binary.
 */
export function responseTensors(response: InferResponse): Record<string, tf.Tensor> {
  const out: Record<string, tf.Tensor> = {};
  for (const output of response.outputs) {
    const values =
      output.binary !== undefined
        ? binaryValues(output, output.binary)
        : output.datatype === 'BYTES'
          ? undefined
          : (output.data ?? []).map((v) => Number(v));
    if (output.datatype === 'BYTES') {
      // Strings are not numbers: read as numbers they became NaN, then int32 zeros.
      out[output.name] = tf.tensor((output.data ?? []).map(String), output.shape, 'string');
      continue;
    }
    if (values === undefined) continue;
    out[output.name] = output.datatype.startsWith('FP')
      ? tf.tensor(values, output.shape, 'float32')
      : tf.tensor(values, output.shape, output.datatype === 'BOOL' ? 'bool' : 'int32');
  }
  return out;
}

/** A binary output's numbers (FP16 and 64-bit integers converted); a BYTES output gets its strings in `data` instead. */
function binaryValues(output: ResponseTensor, bytes: Uint8Array): ArrayLike<number> | number[] | undefined {
  switch (output.datatype) {
    case 'FP32':
      return arrayFromBytes(Float32Array, bytes);
    case 'FP64':
      return Float32Array.from(arrayFromBytes(Float64Array, bytes));
    case 'FP16':
      return Float32Array.from(arrayFromBytes(Uint16Array, bytes), fromHalf);
    case 'INT32':
      return arrayFromBytes(Int32Array, bytes);
    case 'INT16':
      return Int32Array.from(arrayFromBytes(Int16Array, bytes));
    case 'INT8':
      return Int32Array.from(arrayFromBytes(Int8Array, bytes));
    case 'UINT8':
    case 'BOOL':
      return Int32Array.from(bytes);
    case 'UINT16':
      return Int32Array.from(arrayFromBytes(Uint16Array, bytes));
    case 'UINT32':
      return Array.from(arrayFromBytes(Uint32Array, bytes));
    case 'INT64':
      return Array.from(arrayFromBytes(BigInt64Array, bytes), Number);
    case 'UINT64':
      return Array.from(arrayFromBytes(BigUint64Array, bytes), Number);
    case 'BYTES': {
      const count = output.shape.reduce((a, b) => a * b, 1);
      output.data = decodeBytesElements(output.name, bytes, count).map((e) => new TextDecoder().decode(e));
      return undefined;
    }
  }
}

function isFlat(value: unknown): value is FlatTensor {
  return (
    typeof value === 'object' &&
    value !== null &&
    ArrayBuffer.isView((value as FlatTensor).data) &&
    Array.isArray((value as FlatTensor).shape)
  );
}

function isNamed(x: PredictInputs, specs: readonly TensorSpec[]): x is Record<string, PredictInput> {
  return (
    typeof x === 'object' &&
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a guard for callers without type checking (JavaScript, notebook cells); the type says it cannot happen, the runtime may
    x !== null &&
    !(x instanceof tf.Tensor) &&
    !Array.isArray(x) &&
    !isFlat(x) &&
    Object.keys(x).some((k) => specs.some((s) => s.name === k))
  );
}

function shapeOf(value: unknown, name: string): number[] {
  if (!Array.isArray(value)) {
    if (typeof value !== 'number')
      throw new DeployError('LEPTON_BAD_INPUT', `"${name}": arrays must hold numbers, found ${typeof value}.`);
    return [];
  }
  if (value.length === 0) return [0];
  const inner = shapeOf(value[0], name);
  for (const item of value) {
    const s = shapeOf(item, name);
    if (s.length !== inner.length || s.some((d, i) => d !== inner[i]))
      throw new DeployError(
        'LEPTON_BAD_INPUT',
        `"${name}": the nested arrays are ragged (rows of shape [${inner.join(', ')}] and [${s.join(', ')}]).`,
      );
  }
  return [value.length, ...inner];
}
