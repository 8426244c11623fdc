/**
 * The arithmetic of linear quantization, `q = clamp(round(x / scale) + zeroPoint)`, `x ≈ (q − zeroPoint) · scale`,
 * as ONNX's QuantizeLinear/DequantizeLinear define it (round half to even). It sits in the ONNX layer, below both
 * `compress` (QDQ graphs) and `export` (TFLite's int8 files use the same arithmetic), so neither imports the other.
 */
import { OnnxError } from './errors.js';

/** The range of values a tensor took on calibration data. */
export interface Range {
  /** The smallest value. */
  min: number;
  /** The largest value. */
  max: number;
}

/** Weight element types: `int8` symmetric (zero point 0), or `uint8` (the same levels shifted, zero point 128). */
export type WeightType = 'int8' | 'uint8';

/** A quantized weight: values, one scale and zero point per channel (or one for the tensor). */
export interface QuantizedWeight {
  /** The quantized values, in the float tensor's layout. */
  values: Int8Array | Uint8Array;
  /** Scales, one per channel along `axis` (length 1 when per-tensor). */
  scales: Float32Array;
  /** Zero points, same length as `scales`. */
  zeroPoints: Int8Array | Uint8Array;
  /** The channel axis, or `undefined` when per-tensor. */
  axis: number | undefined;
}

/** ONNX rounding: to nearest, halves to even. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x - Math.trunc(x)) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Scale used when a channel is all zeros (any positive number represents 0 exactly). */
const ZERO_RANGE_SCALE = 1;

/** Levels each side of zero of an int8 weight: all of them, or 7 bits (`reduceRange`, see `cpu.ts`). */
export const WEIGHT_LEVELS = 127;
export const REDUCED_WEIGHT_LEVELS = 63;

/**
 * Quantizes a float weight tensor symmetrically to `levels` levels each side, per channel along `axis` (or per tensor
 * when `axis` is undefined). `uint8` stores the same levels plus 128.
 * @param data the float values, row-major
 * @param dims the tensor's shape
 * @param axis the channel axis (e.g. 0 for a Conv weight [cout, cin, kh, kw], 1 for a MatMul weight [in, out])
 * @param type `int8` (default) or `uint8`
 * @param levels the largest magnitude stored (default {@link WEIGHT_LEVELS})
 */
export function quantizeWeight(
  data: Float32Array,
  dims: readonly number[],
  axis: number | undefined,
  type: WeightType = 'int8',
  levels = WEIGHT_LEVELS,
): QuantizedWeight {
  const channels = axis === undefined ? 1 : dims[axis]!;
  const inner = axis === undefined ? data.length : dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  const channelOf = (i: number) => (axis === undefined ? 0 : Math.floor(i / inner) % channels);
  const absMax = new Float32Array(channels);
  for (let i = 0; i < data.length; i++) {
    const c = channelOf(i);
    absMax[c] = Math.max(absMax[c]!, Math.abs(data[i]!));
  }
  const scales = absMax.map((m) => (m > 0 ? m / levels : ZERO_RANGE_SCALE));
  const offset = type === 'uint8' ? 128 : 0;
  const values = type === 'uint8' ? new Uint8Array(data.length) : new Int8Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const q = roundHalfEven(data[i]! / scales[channelOf(i)]!);
    values[i] = Math.max(-levels, Math.min(levels, q)) + offset;
  }
  const zeroPoints = type === 'uint8' ? new Uint8Array(channels).fill(128) : new Int8Array(channels);
  return { values, scales, zeroPoints, axis };
}

/** The float values a quantized weight stands for (what DequantizeLinear computes). */
export function dequantizeWeight(w: QuantizedWeight, dims: readonly number[]): Float32Array {
  const channels = w.scales.length;
  const inner = w.axis === undefined ? w.values.length : dims.slice(w.axis + 1).reduce((a, b) => a * b, 1);
  const out = new Float32Array(w.values.length);
  for (let i = 0; i < out.length; i++) {
    const c = w.axis === undefined ? 0 : Math.floor(i / inner) % channels;
    out[i] = (w.values[i]! - w.zeroPoints[c]!) * w.scales[c]!;
  }
  return out;
}

/** uint8 activation parameters for an observed range. */
export interface ActivationParams {
  /** The step between levels. */
  scale: number;
  /** The level that stands for 0 (in [0, 255]). */
  zeroPoint: number;
}

/**
 * Asymmetric uint8 parameters covering `[min, max]`, widened to contain 0 (so 0, padding and ReLU's floor are exact).
 * @param min the smallest value observed
 * @param max the largest value observed
 */
export function activationParams(min: number, max: number): ActivationParams {
  if (!Number.isFinite(min) || !Number.isFinite(max))
    throw new OnnxError(
      'LEPTON_NON_FINITE_RANGE',
      `activation range [${min}, ${max}] is not finite: check the calibration data, and the model's outputs on it, for NaN or Infinity`,
    );
  const lo = Math.min(min, 0);
  const hi = Math.max(max, 0);
  if (hi - lo === 0) return { scale: ZERO_RANGE_SCALE, zeroPoint: 0 };
  const scale = (hi - lo) / 255;
  const zeroPoint = Math.max(0, Math.min(255, roundHalfEven(-lo / scale)));
  return { scale, zeroPoint };
}
