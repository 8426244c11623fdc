/**
 * Normalization: `BatchNormalization` (inference: a per-channel scale and shift, folded from the moving
 * statistics) and `LayerNormalization` (ONNX LayerNormalization over the trailing axes).
 */
import { check, hintOf, onlyInput, weight, type LayerConverter } from './context.js';
import { attr } from '../../onnx/graph.js';

/** The broadcast shape of a per-axis vector of length `n` along `axis` of a rank-`rank` value. */
function broadcastShape(rank: number, axis: number, n: number): number[] {
  const shape = new Array<number>(rank - 1).fill(1);
  shape[axis - 1] = n;
  return shape;
}

/** `BatchNormalization`: y = x·s + t with s = γ/√(var+ε), t = β − mean·s (computed in float64). */
export const batchNormalization: LayerConverter = (call, g) => {
  const h = hintOf(call);
  const rank = call.inputShapes[0]!.length;
  let axis: number = (call.config['axis'] as number | null | undefined) ?? -1;
  if (axis < 0) axis += rank;
  check(call, axis >= 1 && axis < rank, `axis ${String(call.config['axis'])} is not a feature axis`);
  const mean = weight(call, 'moving_mean').data;
  const variance = weight(call, 'moving_variance').data;
  const gamma = call.config['scale'] === false ? undefined : weight(call, 'gamma').data;
  const beta = call.config['center'] === false ? undefined : weight(call, 'beta').data;
  const eps: number = (call.config['epsilon'] as number | null | undefined) ?? 1e-3;
  const n = mean.length;
  const scale = new Float32Array(n);
  const shift = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const s = (gamma ? gamma[i]! : 1) / Math.sqrt(variance[i]! + eps);
    scale[i] = s;
    shift[i] = (beta ? beta[i]! : 0) - mean[i]! * s;
  }
  const shape = broadcastShape(rank, axis, n);
  const scaled = g.op('Mul', [onlyInput(call), g.addFloats(`${h}/scale`, scale, shape)], {}, h);
  return [g.op('Add', [scaled, g.addFloats(`${h}/shift`, shift, shape)], {}, h)];
};

/** `LayerNormalization` over trailing axes (tfjs's default is the last axis). */
export const layerNormalization: LayerConverter = (call, g) => {
  const h = hintOf(call);
  const shape = call.inputShapes[0]!;
  const rank = shape.length;
  const raw = (call.config['axis'] as number | number[] | null | undefined) ?? -1;
  const axes = (Array.isArray(raw) ? raw : [raw])
    .map((a: number) => (a < 0 ? a + rank : a))
    .sort((a: number, b: number) => a - b);
  // An empty axis list has no first axis: 0 fails the check below, which names the layer.
  const first: number = axes[0] ?? 0;
  check(
    call,
    axes.every((a: number, i: number) => a === first + i) && axes[axes.length - 1] === rank - 1 && first >= 1,
    `axis ${JSON.stringify(raw)} is not supported: ONNX normalizes over trailing axes only`,
  );
  const normShape = shape.slice(first).map(Number);
  const size = normShape.reduce((a, b) => a * b, 1);
  const gamma = call.config['scale'] === false ? new Float32Array(size).fill(1) : weight(call, 'gamma').data;
  const beta = call.config['center'] === false ? new Float32Array(size) : weight(call, 'beta').data;
  const inputs = [
    onlyInput(call),
    g.addFloats(`${h}/gamma`, gamma, normShape),
    g.addFloats(`${h}/beta`, beta, normShape),
  ];
  return [
    g.op(
      'LayerNormalization',
      inputs,
      { axis: attr.int(first), epsilon: attr.float((call.config['epsilon'] as number | null | undefined) ?? 1e-3) },
      h,
    ),
  ];
};
