/**
 * IEEE 754 half precision: float32 values rounded to the nearest float16 (ties to even), as TFLite's FLOAT16
 * tensors store them. The conversion is the one the model server uses for FP16 tensors (`@lepton/server/wire`).
 */
import { fromHalf, toHalf as toHalfPattern } from '@lepton/server/wire';

/** The float16 bit pattern nearest to `value`. */
export const toHalfBits: (value: number) => number = toHalfPattern;

/** The value of a float16 bit pattern. */
export const fromHalfBits: (bits: number) => number = fromHalf;

/** float32 values as float16 bit patterns. */
export function toHalf(values: Float32Array): Uint16Array {
  return Uint16Array.from(values, toHalfBits);
}
