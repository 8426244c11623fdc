/**
 * What a layer converter receives and returns. A converter turns one call of a tfjs layer into ONNX nodes on an
 * `OnnxGraph`, reading and writing values in tfjs's own layout (channels last), so model inputs and outputs keep
 * tfjs's shapes and only ops that need channels first (Conv, pools) transpose around themselves.
 */
import type * as tf from '@tensorflow/tfjs';
import type { OnnxGraph } from '../../onnx/graph.js';
import { UnsupportedConfigError } from '../errors.js';

/** A static tfjs shape; `null` is an unknown size (the batch, or a free sequence length). */
export type Shape = readonly (number | null)[];

/** A layer weight read out of tfjs. */
export interface Weight {
  /** The weight's shape in tfjs's layout. */
  shape: number[];
  /** Its values, row-major. */
  data: Float32Array;
}

/** One call of a layer in the model being exported. */
export interface LayerCall {
  /** The layer. */
  layer: tf.layers.Layer;
  /** The layer's class name, e.g. `Conv2D`. */
  className: string;
  /** `layer.getConfig()`. */
  config: Record<string, unknown>;
  /** ONNX value names of the inputs. */
  inputs: string[];
  /** tfjs shapes of the inputs. */
  inputShapes: Shape[];
  /** tfjs shapes of the outputs. */
  outputShapes: Shape[];
  /** The layer's weights by short name (`kernel`, `bias`, `gamma`, `moving_mean`, ...). */
  weights: Map<string, Weight>;
}

/** Converts one layer call; returns the ONNX value names of its outputs, in tfjs's output order. */
export type LayerConverter = (call: LayerCall, g: OnnxGraph) => string[];

/** Reads a layer's weights by short name (`dense_Dense1/kernel` → `kernel`). */
export function weightsOf(layer: tf.layers.Layer): Map<string, Weight> {
  const weights = new Map<string, Weight>();
  for (const w of layer.weights) {
    const short = w.originalName.split('/').pop()!.replace(/_\d+$/, '');
    weights.set(short, {
      shape: [...w.shape] as number[],
      data: Float32Array.from(w.read().dataSync() as ArrayLike<number>),
    });
  }
  return weights;
}

/** The weight `name` of a call, or an error naming what the layer has. */
export function weight(call: LayerCall, name: string): Weight {
  const w = call.weights.get(name);
  if (!w) {
    throw new UnsupportedConfigError(
      call.className,
      call.layer.name,
      `has no weight ${JSON.stringify(name)} (it has ${[...call.weights.keys()].join(', ') || 'none'})`,
    );
  }
  return w;
}

/** Fails with a clear message unless `ok`; an assertion, so a checked type test narrows the value after it. */
export function check(call: LayerCall, ok: boolean, problem: string): asserts ok {
  if (!ok) throw new UnsupportedConfigError(call.className, call.layer.name, problem);
}

/** The one input of a single-input layer. */
export function onlyInput(call: LayerCall): string {
  check(call, call.inputs.length === 1, `expects one input, got ${call.inputs.length}`);
  return call.inputs[0]!;
}

/** A value name hint for the nodes of a call. */
export function hintOf(call: LayerCall): string {
  return call.layer.name;
}

/** Reorders a row-major tensor's axes (like numpy's `transpose(perm)`). */
export function transposeData(
  data: Float32Array,
  shape: readonly number[],
  perm: readonly number[],
): { data: Float32Array; shape: number[] } {
  const rank = shape.length;
  const outShape = perm.map((p) => shape[p]!);
  const inStrides = new Array<number>(rank);
  let s = 1;
  for (let i = rank - 1; i >= 0; i--) {
    inStrides[i] = s;
    s *= shape[i]!;
  }
  const out = new Float32Array(data.length);
  const index = new Array<number>(rank).fill(0);
  for (let o = 0; o < out.length; o++) {
    let offset = 0;
    for (let i = 0; i < rank; i++) offset += index[i]! * inStrides[perm[i]!]!;
    out[o] = data[offset]!;
    for (let i = rank - 1; i >= 0; i--) {
      if (++index[i]! < outShape[i]!) break;
      index[i] = 0;
    }
  }
  return { data: out, shape: outShape };
}
