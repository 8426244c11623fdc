import * as tf from '@tensorflow/tfjs';
import { fuseLayers, wrapCall } from './layer-calls.js';
import { lstmBackward, lstmForward, type GateActivation, type LstmShape } from './lstm-sequence.js';

/** Options of {@link lstmSequence}. */
export interface LstmSequenceOptions {
  /** The gate activation (tfjs's LSTM default: hardSigmoid). */
  gate: GateActivation;
  /** Return every step's output [batch, steps, units] (else the last step's, [batch, units]). */
  returnSequences: boolean;
}

/**
 * An LSTM over every step of `x` [batch, steps, features] from zero states, as one differentiable operation: the
 * forward and backward passes of `lstm-sequence.ts` (a few loops over float32 arrays) instead of tfjs's ~15 tensor
 * operations per step and their gradients. Same numbers as `tf.layers.lstm` with these weights (float32 rounding
 * apart), on any backend.
 * @param x inputs [batch, steps, features]
 * @param kernel [features, 4·units], gates i, f, c, o
 * @param recurrentKernel [units, 4·units]
 * @param bias [4·units]
 */
export function lstmSequence(
  x: tf.Tensor3D,
  kernel: tf.Tensor2D,
  recurrentKernel: tf.Tensor2D,
  bias: tf.Tensor1D,
  options: LstmSequenceOptions,
): tf.Tensor {
  const op = tf.customGrad(((xs: tf.Tensor, k: tf.Tensor, r: tf.Tensor, b: tf.Tensor) => {
    const [batch, steps, features] = xs.shape as [number, number, number];
    const units = r.shape[0];
    const shape: LstmShape = { batch, steps, features, units };
    const input = xs.dataSync() as Float32Array;
    const weights = {
      kernel: k.dataSync() as Float32Array,
      recurrentKernel: r.dataSync() as Float32Array,
      bias: b.dataSync() as Float32Array,
    };
    const trace = lstmForward(shape, input, weights, options.gate);
    const value = options.returnSequences
      ? tf.tensor3d(timeMajorToBatchMajor(trace.h, shape), [batch, steps, units])
      : tf.tensor2d(trace.h.subarray((steps - 1) * batch * units), [batch, units]);
    // The trace stays in this closure (plain arrays, not tensors) until the tape that holds the gradient is dropped.
    const gradFunc = (dy: tf.Tensor) => {
      const grads = lstmBackward(trace, input, weights, dy.dataSync() as Float32Array, options.returnSequences);
      return [
        tf.tensor3d(grads.x, [batch, steps, features]),
        tf.tensor2d(grads.kernel, k.shape as [number, number]),
        tf.tensor2d(grads.recurrentKernel, r.shape as [number, number]),
        tf.tensor1d(grads.bias),
      ];
    };
    return { value, gradFunc };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(x, kernel, recurrentKernel, bias);
}

/** [steps, batch, units] → [batch, steps, units]. */
function timeMajorToBatchMajor(h: Float32Array, { batch, steps, units }: LstmShape): Float32Array {
  const out = new Float32Array(batch * steps * units);
  for (let t = 0; t < steps; t++)
    for (let b = 0; b < batch; b++)
      out.set(h.subarray((t * batch + b) * units, (t * batch + b + 1) * units), (b * steps + t) * units);
  return out;
}

/** The parts of tfjs's LSTM layer (`tf.layers.lstm`) read here; tfjs does not type them publicly. */
interface LstmLayerParts {
  returnSequences: boolean;
  returnState: boolean;
  goBackwards: boolean;
  stateful: boolean;
  unroll: boolean;
  cell: {
    units: number;
    useBias: boolean;
    dropout: number;
    recurrentDropout: number;
    activation: { getClassName(): string };
    recurrentActivation: { getClassName(): string };
    kernel: { read(): tf.Tensor };
    recurrentKernel: { read(): tf.Tensor };
    bias: { read(): tf.Tensor } | null;
  };
  call(inputs: tf.Tensor | tf.Tensor[], kwargs?: Record<string, unknown>): tf.Tensor | tf.Tensor[];
}

/** tfjs's activation class names (`getClassName()`) of the gates the fused pass computes. */
const gateOf: Record<string, GateActivation> = { hardSigmoid: 'hardSigmoid', sigmoid: 'sigmoid' };

/** The gate activation when the layer's configuration is one the fused pass computes exactly, else null. */
function fusable(
  layer: LstmLayerParts,
  inputs: tf.Tensor | tf.Tensor[],
  kwargs: Record<string, unknown>,
): GateActivation | null {
  const { cell } = layer;
  const x = Array.isArray(inputs) ? (inputs.length === 1 ? inputs[0] : undefined) : inputs;
  if (!x || x.rank !== 3 || x.dtype !== 'float32') return null;
  if (kwargs.mask != null || kwargs.initialState != null) return null;
  if (layer.returnState || layer.goBackwards || layer.stateful || !cell.useBias || !cell.bias) return null;
  if (cell.dropout > 0 || cell.recurrentDropout > 0) return null;
  if (cell.activation.getClassName() !== 'tanh') return null;
  return gateOf[cell.recurrentActivation.getClassName()] ?? null;
}

/**
 * Makes `layer` (a `tf.layers.lstm`) run its steps as one fused operation ({@link lstmSequence}) whenever its
 * configuration allows (zero initial state, no mask, no dropout, tanh activation, hardSigmoid or sigmoid gates, a
 * bias, not stateful, forwards, no returned states); other calls take tfjs's own path. Only the layer's `call`
 * changes: its class, weights, configuration and serialization stay tfjs's LSTM, so saved and exported models are
 * unchanged.
 * @param layer a layer made by `tf.layers.lstm`
 * @returns the same layer
 */
export function fuseLstm<L extends tf.layers.Layer>(layer: L): L {
  const parts = layer as unknown as LstmLayerParts;
  return wrapCall(layer, (stock) => (inputs, kwargs) => {
    const gate = fusable(parts, inputs, kwargs ?? {});
    if (!gate) return stock(inputs, kwargs);
    const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor3D;
    const { cell } = parts;
    return lstmSequence(
      x,
      cell.kernel.read() as tf.Tensor2D,
      cell.recurrentKernel.read() as tf.Tensor2D,
      cell.bias!.read() as tf.Tensor1D,
      { gate, returnSequences: parts.returnSequences },
    );
  });
}

/**
 * Fuses every tfjs LSTM layer of `model` (nested models included) with {@link fuseLstm}: `lepton.fit` calls it, so
 * `lepton.models.lstm` and any model with `tf.layers.lstm` train with the fused steps, with the same numbers.
 * @param model any tf.LayersModel
 * @returns how many layers are fused
 */
export function fuseLstmLayers(model: tf.LayersModel): number {
  return fuseLayers(model, (layer) => layer.getClassName() === 'LSTM' && 'cell' in layer, fuseLstm);
}
