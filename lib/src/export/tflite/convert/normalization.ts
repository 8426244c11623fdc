/**
 * `BatchNormalization` folded to one multiply and one add per channel: `x · γ/√(σ² + ε) + (β − μ · γ/√(σ² + ε))`,
 * the inference form tfjs computes, in two elementwise ops TFLite runs (and quantizes) everywhere.
 */
import { check, weight } from '../../convert/context.js';
import { Op, opt } from '../options.js';
import { onlyTensor, outShape, positiveAxis, type TfliteConverter } from './context.js';

/** `BatchNormalization` over the last axis (channels last). */
export const batchNormalization: TfliteConverter = (call, g) => {
  const c = call.config;
  const rank = call.inputShapes[0]!.length;
  const axis = Array.isArray(c['axis']) ? c['axis'] : [c['axis'] ?? -1];
  check(call, axis.length === 1 && positiveAxis(axis[0], rank) === rank - 1, `normalizing over axis ${JSON.stringify(c['axis'])} is not supported; TFLite export normalizes the last (channels) axis`);
  const mean = weight(call, 'moving_mean').data;
  const variance = weight(call, 'moving_variance').data;
  const channels = mean.length;
  const gamma = c['scale'] === false ? new Float32Array(channels).fill(1) : weight(call, 'gamma').data;
  const beta = c['center'] === false ? new Float32Array(channels) : weight(call, 'beta').data;
  const epsilon: number = c['epsilon'] ?? 1e-3;
  const scale = Float32Array.from(gamma, (gm, i) => gm / Math.sqrt(variance[i]! + epsilon));
  const shift = Float32Array.from(beta, (b, i) => b - mean[i]! * scale[i]!);
  const h = call.layer.name;
  const s = outShape(call);
  const scaled = g.op(Op.MUL, [onlyTensor(call), g.floats(`${h}/scale`, scale)], s, h, opt.mul());
  return [g.op(Op.ADD, [scaled, g.floats(`${h}/shift`, shift)], s, h, opt.add())];
};
