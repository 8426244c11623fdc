/**
 * What a TFLite layer converter receives and returns. It is the ONNX converters' `LayerCall` (so their checks and
 * weight readers serve both exporters) with the inputs as TFLite tensor indices; converters write NHWC ops as TFLite
 * defines them, so no transposes are inserted around convolutions.
 */
import type { LayerCall } from '../../convert/context.js';
import type { TfliteGraph } from '../graph.js';
import { Op, opt } from '../options.js';
import { InternalError } from '../../../core/errors.js';

/** One call of a layer, inputs as tensor indices of the graph being built. */
export interface TfliteCall extends LayerCall {
  /** The input tensors' indices, in tfjs's input order. */
  tensors: number[];
}

/** Converts one layer call; returns the indices of its output tensors, in tfjs's output order. */
export type TfliteConverter = (call: TfliteCall, g: TfliteGraph) => number[];

/** The one input of a single-input layer. */
export function onlyTensor(call: TfliteCall): number {
  if (call.tensors.length !== 1)
    throw new InternalError(`${call.className} ${call.layer.name} expects one input, got ${call.tensors.length}`);
  return call.tensors[0]!;
}

/** A layer's output shape (its first output's, by default). */
export function outShape(call: TfliteCall, k = 0): (number | null)[] {
  return [...call.outputShapes[k]!];
}

/** A negative axis counted from the end of a rank-`rank` shape. */
export function positiveAxis(axis: number, rank: number): number {
  return axis < 0 ? rank + axis : axis;
}

/** A RESHAPE of `x` to `shape`, the batch left free (−1) so an interpreter can resize it. */
export function reshapeTo(g: TfliteGraph, x: number, shape: readonly (number | null)[], hint: string): number {
  const target = [-1, ...(shape.slice(1) as number[])];
  return g.op(Op.RESHAPE, [x, g.ints(`${hint}/shape`, target)], shape, hint, opt.reshape({ newShape: target }));
}
