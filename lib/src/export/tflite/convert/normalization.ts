/**
 * `BatchNormalization` folded to one multiply and one add per channel: `x · γ/√(σ² + ε) + (β − μ · γ/√(σ² + ε))`,
 * the inference form tfjs computes, in two elementwise ops TFLite runs (and quantizes) everywhere.
 * `LayerNormalization` as tfjs computes it — moments over the trailing axes, then `(x − μ) · rsqrt(σ² + ε) · γ + β` —
 * in MEAN, SUB, MUL, ADD and RSQRT builtins (TFLite has no layer-norm builtin; these are what its converter writes).
 */
import { check, weight } from '../../convert/context.js';
import { Op, opt } from '../options.js';
import { onlyTensor, outShape, positiveAxis, type TfliteConverter } from './context.js';

/** `BatchNormalization` over the last axis (channels last). */
export const batchNormalization: TfliteConverter = (call, g) => {
  const c = call.config;
  const rank = call.inputShapes[0]!.length;
  const configured = (c['axis'] as number | number[] | null | undefined) ?? -1;
  const axis = Array.isArray(configured) ? configured : [configured];
  check(
    call,
    axis.length === 1 && positiveAxis(axis[0]!, rank) === rank - 1,
    `normalizing over axis ${JSON.stringify(c['axis'])} is not supported; TFLite export normalizes the last (channels) axis`,
  );
  const mean = weight(call, 'moving_mean').data;
  const variance = weight(call, 'moving_variance').data;
  const channels = mean.length;
  const gamma = c['scale'] === false ? new Float32Array(channels).fill(1) : weight(call, 'gamma').data;
  const beta = c['center'] === false ? new Float32Array(channels) : weight(call, 'beta').data;
  const epsilon: number = (c['epsilon'] as number | null | undefined) ?? 1e-3;
  const scale = Float32Array.from(gamma, (gm, i) => gm / Math.sqrt(variance[i]! + epsilon));
  const shift = Float32Array.from(beta, (b, i) => b - mean[i]! * scale[i]!);
  const h = call.layer.name;
  const s = outShape(call);
  const scaled = g.op(Op.MUL, [onlyTensor(call), g.floats(`${h}/scale`, scale)], s, h, opt.mul());
  return [g.op(Op.ADD, [scaled, g.floats(`${h}/shift`, shift)], s, h, opt.add())];
};

/** `LayerNormalization` over trailing axes (tfjs's default is the last one). */
export const layerNormalization: TfliteConverter = (call, g) => {
  const c = call.config;
  const shape = call.inputShapes[0]!;
  const rank = shape.length;
  const raw = (c['axis'] as number | number[] | null | undefined) ?? -1;
  const axes = (Array.isArray(raw) ? raw : [raw])
    .map((a: number) => positiveAxis(a, rank))
    .sort((a: number, b: number) => a - b);
  // An empty axis list has no first axis: 0 fails the check below, which names the layer.
  const first: number = axes[0] ?? 0;
  check(
    call,
    first >= 1 && axes.every((a: number, i: number) => a === first + i) && axes.at(-1) === rank - 1,
    `normalizing over axis ${JSON.stringify(raw)} is not supported; TFLite export normalizes the trailing axes`,
  );
  const normShape = shape.slice(first);
  check(
    call,
    normShape.every((d): d is number => d !== null),
    'the normalized axes have free sizes; give them fixed ones',
  );
  const gamma = c['scale'] === false ? null : weight(call, 'gamma').data;
  const beta = c['center'] === false ? null : weight(call, 'beta').data;
  const epsilon: number = (c['epsilon'] as number | null | undefined) ?? 1e-3;
  const h = call.layer.name;
  const s = outShape(call);
  // Moments keep their axes (size 1) so they broadcast back over x.
  const moment = [...s.slice(0, first), ...normShape.map(() => 1)];
  const axesTensor = g.ints(`${h}/axes`, axes);
  const x = onlyTensor(call);
  const mean = g.op(Op.MEAN, [x, axesTensor], moment, `${h}/mean`, opt.reducer({ keepDims: true }));
  const centered = g.op(Op.SUB, [x, mean], s, `${h}/centered`, opt.sub());
  const squared = g.op(Op.MUL, [centered, centered], s, `${h}/squared`, opt.mul());
  const variance = g.op(Op.MEAN, [squared, axesTensor], moment, `${h}/variance`, opt.reducer({ keepDims: true }));
  const shifted = g.op(Op.ADD, [variance, g.floats(`${h}/epsilon`, [epsilon], [])], moment, `${h}/variance`, opt.add());
  const inverse = g.op(Op.RSQRT, [shifted], moment, `${h}/inverse_std`);
  let y = g.op(Op.MUL, [centered, inverse], s, `${h}/normalized`, opt.mul());
  if (gamma) y = g.op(Op.MUL, [y, g.floats(`${h}/gamma`, gamma, normShape)], s, h, opt.mul());
  if (beta) y = g.op(Op.ADD, [y, g.floats(`${h}/beta`, beta, normShape)], s, h, opt.add());
  return [y];
};
