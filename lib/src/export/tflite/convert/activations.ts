/**
 * Activations as TFLite builtins: tfjs's activation identifiers (`activation: 'relu'` on a layer, or an
 * `Activation` layer) and the advanced activation layers. `relu` and `relu6` are fused into the op before them
 * where one can carry them (`fused.ts`); the rest are ops of their own, built with tfjs's exact formulas.
 */
import { UnsupportedConfigError } from '../../errors.js';
import { weight } from '../../convert/context.js';
import type { TfliteGraph } from '../graph.js';
import { ActivationFunctionType, fusedActivation, Op, opt } from '../options.js';
import { onlyTensor, outShape, positiveAxis, type TfliteCall, type TfliteConverter } from './context.js';

/** tfjs's SELU constants (`tf.selu`). */
const SELU_SCALE = 1.0507009873554805;
const SELU_ALPHA = 1.7580993408473766 / SELU_SCALE;

type Shape = readonly (number | null)[];
type ActivationBuilder = (g: TfliteGraph, x: number, shape: Shape, hint: string) => number;

const scalar = (g: TfliteGraph, hint: string, value: number) => g.floats(hint, [value], []);

/** `x · c`, `x + c`, the two elementwise ops most formulas need. */
const mulScalar = (g: TfliteGraph, x: number, c: number, shape: Shape, h: string) =>
  g.op(Op.MUL, [x, scalar(g, `${h}/c`, c)], shape, h, opt.mul());
const addScalar = (g: TfliteGraph, x: number, c: number, shape: Shape, h: string) =>
  g.op(Op.ADD, [x, scalar(g, `${h}/c`, c)], shape, h, opt.add());
/** log(1 + eˣ). */
const softplus = (g: TfliteGraph, x: number, s: Shape, h: string) =>
  g.op(Op.LOG, [addScalar(g, g.op(Op.EXP, [x], s, h), 1, s, h)], s, h);

/** Builders for the activation identifiers tfjs serializes (`getConfig().activation`). */
const activations: Record<string, ActivationBuilder> = {
  linear: (_g, x) => x,
  relu: (g, x, s, h) => g.op(Op.RELU, [x], s, h),
  relu6: (g, x, s, h) => g.op(Op.RELU6, [x], s, h),
  elu: (g, x, s, h) => g.op(Op.ELU, [x], s, h),
  // scale · (relu(x) + α · min(elu(x), 0))
  selu: (g, x, s, h) => {
    const negative = g.op(Op.MINIMUM, [g.op(Op.ELU, [x], s, h), scalar(g, `${h}/zero`, 0)], s, h);
    const sum = g.op(Op.ADD, [g.op(Op.RELU, [x], s, h), mulScalar(g, negative, SELU_ALPHA, s, h)], s, h, opt.add());
    return mulScalar(g, sum, SELU_SCALE, s, h);
  },
  sigmoid: (g, x, s, h) => g.op(Op.LOGISTIC, [x], s, h),
  // clip(0.2x + 0.5, 0, 1)
  hardSigmoid: (g, x, s, h) => {
    const lin = addScalar(g, mulScalar(g, x, 0.2, s, h), 0.5, s, h);
    return g.op(Op.MINIMUM, [g.op(Op.MAXIMUM, [lin, scalar(g, `${h}/zero`, 0)], s, h), scalar(g, `${h}/one`, 1)], s, h);
  },
  tanh: (g, x, s, h) => g.op(Op.TANH, [x], s, h),
  softplus,
  // x / (1 + |x|)
  softsign: (g, x, s, h) => g.op(Op.DIV, [x, addScalar(g, g.op(Op.ABS, [x], s, h), 1, s, h)], s, h),
  softmax: (g, x, s, h) => g.op(Op.SOFTMAX, [x], s, h, opt.softmax({ beta: 1 })),
  logSoftmax: (g, x, s, h) => g.op(Op.LOG_SOFTMAX, [x], s, h),
  swish: (g, x, s, h) => g.op(Op.MUL, [x, g.op(Op.LOGISTIC, [x], s, h)], s, h, opt.mul()),
  mish: (g, x, s, h) => g.op(Op.MUL, [x, g.op(Op.TANH, [softplus(g, x, s, h)], s, h)], s, h, opt.mul()),
  gelu: (g, x, s, h) => g.op(Op.GELU, [x], s, h, opt.gelu({ approximate: false })),
  gelu_new: (g, x, s, h) => g.op(Op.GELU, [x], s, h, opt.gelu({ approximate: true })),
};

/** The activation identifiers the TFLite exporter handles. */
export const supportedActivations: readonly string[] = Object.keys(activations);

/**
 * Applies the activation named by a layer config (`undefined` and `'linear'` are the identity) to tensor `x`.
 * @returns the activated tensor
 */
export function applyActivation(
  call: TfliteCall,
  g: TfliteGraph,
  x: number,
  identifier: unknown = call.config['activation'],
): number {
  if (identifier === undefined || identifier === null) return x;
  const build = typeof identifier === 'string' ? activations[identifier] : undefined;
  if (typeof identifier !== 'string' || !build) {
    throw new UnsupportedConfigError(
      call.className,
      call.layer.name,
      `activation ${JSON.stringify(identifier)} is not supported in TFLite export; supported: ${supportedActivations.join(', ')}`,
    );
  }
  return build(
    g,
    x,
    g.tensor(x).signature.map((d) => (d < 0 ? null : d)),
    `${call.layer.name}/${identifier}`,
  );
}

/** `Activation` layer. */
export const activationLayer: TfliteConverter = (call, g) => [applyActivation(call, g, onlyTensor(call))];

/** `ReLU` layer (`maxValue` optional: 6 is RELU6, others a MINIMUM after RELU). */
export const reluLayer: TfliteConverter = (call, g) => {
  const max = call.config['maxValue'] as number | null | undefined;
  const s = outShape(call);
  const h = call.layer.name;
  if (max === 6) return [g.op(Op.RELU6, [onlyTensor(call)], s, h)];
  const relu = g.op(Op.RELU, [onlyTensor(call)], s, h);
  return [max === undefined || max === null ? relu : g.op(Op.MINIMUM, [relu, scalar(g, `${h}/max`, max)], s, h)];
};

/** `LeakyReLU` layer. */
export const leakyReluLayer: TfliteConverter = (call, g) => [
  g.op(
    Op.LEAKY_RELU,
    [onlyTensor(call)],
    outShape(call),
    call.layer.name,
    opt.leakyRelu({ alpha: (call.config['alpha'] as number | null | undefined) ?? 0.3 }),
  ),
];

/** `ELU` layer (alpha 1 only: TFLite's ELU has no alpha). */
export const eluLayer: TfliteConverter = (call, g) => {
  const alpha = (call.config['alpha'] as number | null | undefined) ?? 1;
  if (alpha !== 1)
    throw new UnsupportedConfigError(
      call.className,
      call.layer.name,
      `alpha ${alpha} is not supported (TFLite's ELU has alpha 1); use alpha: 1`,
    );
  return [g.op(Op.ELU, [onlyTensor(call)], outShape(call), call.layer.name)];
};

/** `Softmax` layer over the last axis (TFLite's SOFTMAX works on the last axis only). */
export const softmaxLayer: TfliteConverter = (call, g) => {
  const rank = call.inputShapes[0]!.length;
  const axis = (call.config['axis'] as number | number[] | null | undefined) ?? -1;
  if (typeof axis !== 'number' || positiveAxis(axis, rank) !== rank - 1) {
    throw new UnsupportedConfigError(
      call.className,
      call.layer.name,
      `softmax over axis ${JSON.stringify(axis)} is not supported (TFLite's SOFTMAX is over the last axis); use axis: -1`,
    );
  }
  return [g.op(Op.SOFTMAX, [onlyTensor(call)], outShape(call), call.layer.name, opt.softmax({ beta: 1 }))];
};

/** `PReLU` layer: the learned slope has the input's shape without the batch. */
export const preluLayer: TfliteConverter = (call, g) => {
  const alpha = weight(call, 'alpha');
  const slope = g.floats(`${call.layer.name}/alpha`, alpha.data, alpha.shape);
  return [g.op(Op.PRELU, [onlyTensor(call), slope], outShape(call), call.layer.name)];
};

/**
 * Builds an op that can fuse an activation (`build` receives the fused function): the layer's `relu`/`relu6` ride
 * inside the op, any other activation follows as ops of its own.
 */
export function withActivation(
  call: TfliteCall,
  g: TfliteGraph,
  build: (fused: ActivationFunctionType) => number,
): number {
  const fused = fusedActivation(call.config['activation']);
  return fused === undefined ? applyActivation(call, g, build(ActivationFunctionType.NONE)) : build(fused);
}
