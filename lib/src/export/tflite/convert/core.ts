/**
 * Core layers: `Dense` as FULLY_CONNECTED (weights stored [out, in], as TFLite wants them), `Flatten` and `Reshape`
 * as RESHAPE (the batch left free), and the layers that do nothing at inference (Dropout and the noise layers).
 */
import { check, transposeData, weight } from '../../convert/context.js';
import type { TfliteGraph } from '../graph.js';
import { Op, opt } from '../options.js';
import { withActivation } from './activations.js';
import { onlyTensor, outShape, type TfliteCall, type TfliteConverter } from './context.js';

/** The layer's bias, or zeros: TFLite's integer kernels want a bias tensor, and a zero one costs nothing. */
export function biasOf(call: TfliteCall, g: TfliteGraph, units: number): number {
  const data = call.config['useBias'] === false ? new Float32Array(units) : weight(call, 'bias').data;
  return g.floats(`${call.layer.name}/bias`, data, [units]);
}

/** `Dense`: FULLY_CONNECTED over the last axis (leading axes kept). */
export const dense: TfliteConverter = (call, g) => {
  const k = weight(call, 'kernel');
  const [inputs, units] = k.shape as [number, number];
  const w = transposeData(k.data, k.shape, [1, 0]);
  const kernel = g.floats(`${call.layer.name}/kernel`, w.data, w.shape);
  const keepNumDims = call.inputShapes[0]!.length > 2;
  check(
    call,
    call.inputShapes[0]!.at(-1) === inputs,
    `its kernel has ${inputs} inputs but the input has ${call.inputShapes[0]!.at(-1)} features`,
  );
  const y = withActivation(call, g, (fused) =>
    g.op(
      Op.FULLY_CONNECTED,
      [onlyTensor(call), kernel, biasOf(call, g, units)],
      outShape(call),
      call.layer.name,
      opt.fullyConnected({ fusedActivationFunction: fused, keepNumDims }),
    ),
  );
  return [y];
};

/** A RESHAPE of the call's one input to its output shape, the batch left as −1. */
function reshapeToOutput(call: TfliteCall, g: TfliteGraph): number {
  const shape = outShape(call);
  check(
    call,
    shape.slice(1).every((d) => d !== null),
    `its output shape [${shape.join(', ')}] has free sizes besides the batch`,
  );
  const target = [-1, ...(shape.slice(1) as number[])];
  const newShape = g.ints(`${call.layer.name}/shape`, target);
  return g.op(Op.RESHAPE, [onlyTensor(call), newShape], shape, call.layer.name, opt.reshape({ newShape: target }));
}

/** `Flatten`: channels-last order is TFLite's too, so a RESHAPE is exact. */
export const flatten: TfliteConverter = (call, g) => [reshapeToOutput(call, g)];

/** `Reshape`. */
export const reshape: TfliteConverter = (call, g) => [reshapeToOutput(call, g)];

/** Layers that pass their input through at inference (Dropout, noise). */
export const identity: TfliteConverter = (call) => [onlyTensor(call)];
