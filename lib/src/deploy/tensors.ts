/**
 * What `Deployment.predict` accepts and returns, as Open Inference Protocol v2 JSON tensors: a `tf.Tensor`, nested
 * number arrays, or a typed array with its shape go in; `tf.Tensor`s come out.
 */
import * as tf from '@tensorflow/tfjs';
import type { InferResponse, RequestTensor, TensorSpec } from '@lepton/server';
import { DeployError } from './errors.js';

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

/** An OIP v2 request tensor of `spec` from `value`. Throws `LEPTON_BAD_INPUT` on ragged arrays or a wrong rank. */
export function requestTensor(spec: TensorSpec, value: PredictInput): RequestTensor {
  let data: number[];
  let shape: number[];
  if (value instanceof tf.Tensor) {
    data = Array.from(value.dataSync() as ArrayLike<number>);
    shape = value.shape.slice();
  } else if (isFlat(value)) {
    const size = value.shape.reduce((a, b) => a * b, 1);
    if (size !== value.data.length) throw new DeployError('LEPTON_BAD_INPUT', `"${spec.name}": shape [${value.shape.join(', ')}] holds ${size} values, but data has ${value.data.length}.`);
    data = Array.from(value.data);
    shape = value.shape.slice();
  } else if (Array.isArray(value)) {
    shape = shapeOf(value, spec.name);
    data = (value as unknown[]).flat(Infinity) as number[];
  } else {
    throw new DeployError('LEPTON_BAD_INPUT', `"${spec.name}": expected a tf.Tensor, nested number arrays or { data, shape }, got ${typeof value}.`);
  }
  // A single example without its batch dimension gets one.
  if (shape.length === spec.shape.length - 1 && spec.shape[0] === -1) shape = [1, ...shape];
  if (shape.length !== spec.shape.length) {
    throw new DeployError('LEPTON_BAD_INPUT', `"${spec.name}" takes shape [${spec.shape.map((d) => (d === -1 ? 'batch' : d)).join(', ')}], got [${shape.join(', ')}].`);
  }
  return { name: spec.name, shape, datatype: spec.datatype, data };
}

/** The request tensors for every input of a model, in its input order. */
export function requestTensors(specs: readonly TensorSpec[], x: PredictInputs): RequestTensor[] {
  if (specs.length === 1 && !isNamed(x, specs)) return [requestTensor(specs[0]!, x as PredictInput)];
  if (!isNamed(x, specs)) {
    throw new DeployError('LEPTON_BAD_INPUT', `The model has ${specs.length} inputs: pass { ${specs.map((s) => `${JSON.stringify(s.name)}: …`).join(', ')} }.`);
  }
  return specs.map((spec) => {
    const value = x[spec.name];
    if (value === undefined) throw new DeployError('LEPTON_BAD_INPUT', `Input "${spec.name}" is missing (given: ${Object.keys(x).join(', ')}).`);
    return requestTensor(spec, value);
  });
}

/** The response's outputs as tensors, by output name. */
export function responseTensors(response: InferResponse): Record<string, tf.Tensor> {
  const out: Record<string, tf.Tensor> = {};
  for (const output of response.outputs) {
    const values = output.data.map((v) => Number(v));
    out[output.name] = output.datatype.startsWith('FP') ? tf.tensor(values, output.shape, 'float32') : tf.tensor(values, output.shape, output.datatype === 'BOOL' ? 'bool' : 'int32');
  }
  return out;
}

function isFlat(value: unknown): value is FlatTensor {
  return typeof value === 'object' && value !== null && ArrayBuffer.isView((value as FlatTensor).data) && Array.isArray((value as FlatTensor).shape);
}

function isNamed(x: PredictInputs, specs: readonly TensorSpec[]): x is Record<string, PredictInput> {
  return typeof x === 'object' && x !== null && !(x instanceof tf.Tensor) && !Array.isArray(x) && !isFlat(x) && Object.keys(x).some((k) => specs.some((s) => s.name === k));
}

function shapeOf(value: unknown, name: string): number[] {
  if (!Array.isArray(value)) {
    if (typeof value !== 'number') throw new DeployError('LEPTON_BAD_INPUT', `"${name}": arrays must hold numbers, found ${typeof value}.`);
    return [];
  }
  if (value.length === 0) return [0];
  const inner = shapeOf(value[0], name);
  for (const item of value) {
    const s = shapeOf(item, name);
    if (s.length !== inner.length || s.some((d, i) => d !== inner[i])) throw new DeployError('LEPTON_BAD_INPUT', `"${name}": the nested arrays are ragged (rows of shape [${inner.join(', ')}] and [${s.join(', ')}]).`);
  }
  return [value.length, ...inner];
}
