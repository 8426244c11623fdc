/**
 * Activations: every activation function tfjs offers (`activation: 'relu'` on a layer, or an `Activation`
 * layer), and the advanced activation layers (`ReLU`, `LeakyReLU`, `PReLU`, `ELU`, `ThresholdedReLU`, `Softmax`).
 * Functions ONNX opset 17 lacks (GELU, Mish, Swish) are built from primitive ops with tfjs's exact formulas.
 */
import { attr, type OnnxGraph } from '../../onnx/graph.js';
import { check, hintOf, onlyInput, weight, type LayerCall, type LayerConverter } from './context.js';
import { UnsupportedConfigError } from '../errors.js';

/** tfjs's SELU constants (`tf.selu`). */
const SELU_SCALE = 1.0507009873554805;
const SELU_ALPHA = 1.7580993408473766 / SELU_SCALE;

type ActivationBuilder = (g: OnnxGraph, x: string, hint: string) => string;

const scalar = (g: OnnxGraph, hint: string, value: number) => g.addFloats(hint, [value], []);

/** Builders for each activation identifier tfjs serializes (`getConfig().activation`). */
const activations: Record<string, ActivationBuilder> = {
  linear: (_g, x) => x,
  relu: (g, x, h) => g.op('Relu', [x], {}, h),
  relu6: (g, x, h) => g.op('Clip', [x, scalar(g, `${h}/zero`, 0), scalar(g, `${h}/six`, 6)], {}, h),
  elu: (g, x, h) => g.op('Elu', [x], { alpha: attr.float(1) }, h),
  selu: (g, x, h) => g.op('Selu', [x], { alpha: attr.float(SELU_ALPHA), gamma: attr.float(SELU_SCALE) }, h),
  sigmoid: (g, x, h) => g.op('Sigmoid', [x], {}, h),
  hardSigmoid: (g, x, h) => g.op('HardSigmoid', [x], { alpha: attr.float(0.2), beta: attr.float(0.5) }, h),
  tanh: (g, x, h) => g.op('Tanh', [x], {}, h),
  softplus: (g, x, h) => g.op('Softplus', [x], {}, h),
  softsign: (g, x, h) => g.op('Softsign', [x], {}, h),
  softmax: (g, x, h) => g.op('Softmax', [x], { axis: attr.int(-1) }, h),
  logSoftmax: (g, x, h) => g.op('LogSoftmax', [x], { axis: attr.int(-1) }, h),
  swish: (g, x, h) => g.op('Mul', [x, g.op('Sigmoid', [x], {}, h)], {}, h),
  mish: (g, x, h) => g.op('Mul', [x, g.op('Tanh', [g.op('Softplus', [x], {}, h)], {}, h)], {}, h),
  // x · ½(1 + erf(x/√2))
  gelu: (g, x, h) => {
    const erf = g.op('Erf', [g.op('Div', [x, scalar(g, `${h}/sqrt2`, Math.SQRT2)], {}, h)], {}, h);
    const cdf = g.op('Mul', [scalar(g, `${h}/half`, 0.5), g.op('Add', [erf, scalar(g, `${h}/one`, 1)], {}, h)], {}, h);
    return g.op('Mul', [x, cdf], {}, h);
  },
  // ½x(1 + tanh(√(2/π)(x + 0.044715x³)))
  gelu_new: (g, x, h) => {
    const cube = g.op('Mul', [x, g.op('Mul', [x, x], {}, h)], {}, h);
    const inner = g.op('Add', [x, g.op('Mul', [cube, scalar(g, `${h}/c`, 0.044715)], {}, h)], {}, h);
    const t = g.op('Tanh', [g.op('Mul', [inner, scalar(g, `${h}/k`, Math.sqrt(2 / Math.PI))], {}, h)], {}, h);
    const onePlus = g.op('Add', [t, scalar(g, `${h}/one`, 1)], {}, h);
    return g.op('Mul', [g.op('Mul', [x, onePlus], {}, h), scalar(g, `${h}/half`, 0.5)], {}, h);
  },
};

/** The activation identifiers the exporter handles (all of tfjs's). */
export const supportedActivations: readonly string[] = Object.keys(activations);

/**
 * Applies the activation named by a layer config (`undefined` and `'linear'` are the identity).
 * @returns the activated value's name
 */
export function applyActivation(
  call: LayerCall,
  g: OnnxGraph,
  x: string,
  identifier: unknown = call.config['activation'],
): string {
  if (identifier === undefined || identifier === null) return x;
  const build = typeof identifier === 'string' ? activations[identifier] : undefined;
  if (typeof identifier !== 'string' || !build) {
    throw new UnsupportedConfigError(
      call.className,
      call.layer.name,
      `activation ${JSON.stringify(identifier)} is not supported; supported: ${supportedActivations.join(', ')}`,
    );
  }
  return build(g, x, `${hintOf(call)}/${identifier}`);
}

/** `Activation` layer. */
export const activationLayer: LayerConverter = (call, g) => [applyActivation(call, g, onlyInput(call))];

/** `ReLU` layer (`maxValue` optional). */
export const reluLayer: LayerConverter = (call, g) => {
  const x = onlyInput(call);
  const h = hintOf(call);
  const max = call.config['maxValue'] as number | null | undefined;
  if (max === undefined || max === null) return [g.op('Relu', [x], {}, h)];
  return [g.op('Clip', [x, scalar(g, `${h}/zero`, 0), scalar(g, `${h}/max`, max)], {}, h)];
};

/** `LeakyReLU` layer. */
export const leakyReluLayer: LayerConverter = (call, g) => [
  g.op(
    'LeakyRelu',
    [onlyInput(call)],
    { alpha: attr.float((call.config['alpha'] as number | null | undefined) ?? 0.3) },
    hintOf(call),
  ),
];

/** `ELU` layer. */
export const eluLayer: LayerConverter = (call, g) => [
  g.op(
    'Elu',
    [onlyInput(call)],
    { alpha: attr.float((call.config['alpha'] as number | null | undefined) ?? 1) },
    hintOf(call),
  ),
];

/** `ThresholdedReLU` layer: x where x > theta, else 0. */
export const thresholdedReluLayer: LayerConverter = (call, g) => [
  g.op(
    'ThresholdedRelu',
    [onlyInput(call)],
    { alpha: attr.float((call.config['theta'] as number | null | undefined) ?? 1) },
    hintOf(call),
  ),
];

/** `Softmax` layer (any axis). */
export const softmaxLayer: LayerConverter = (call, g) => {
  const axis = (call.config['axis'] as number | number[] | null | undefined) ?? -1;
  check(call, typeof axis === 'number', `softmax over several axes (${JSON.stringify(axis)}) is not supported`);
  return [g.op('Softmax', [onlyInput(call)], { axis: attr.int(axis) }, hintOf(call))];
};

/** `PReLU` layer: the learned slope `alpha` has the input's shape without the batch (shared axes as size 1). */
export const preluLayer: LayerConverter = (call, g) => {
  const alpha = weight(call, 'alpha');
  const slope = g.addFloats(`${hintOf(call)}/alpha`, alpha.data, alpha.shape);
  return [g.op('PRelu', [onlyInput(call), slope], {}, hintOf(call))];
};
