/**
 * 16-bit floats (`FP16`, IEEE 754 half precision) held as their bit patterns in `Uint16Array`s: how
 * onnxruntime-node takes and gives `float16` tensors, and how the binary tensor data extension sends them. JSON
 * carries them as ordinary numbers, so the server converts at the JSON edge only. (onnxruntime-node has no
 * `bfloat16` tensors, so `BF16` models are refused at deploy.)
 */

// One shared scratch word: reading a float's bits without allocating per element.
const scratch = new Float32Array(1);
const bits = new Uint32Array(scratch.buffer);

/** The FP16 bit pattern nearest to `value` (round half to even; beyond ±65504 it becomes ±Infinity). */
export function toHalf(value: number): number {
  scratch[0] = value;
  const x = bits[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exp32 = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp32 === 0xff) return sign | 0x7c00 | (mant !== 0 ? 0x200 : 0);
  const exp = exp32 - 127 + 15;
  if (exp >= 0x1f) return sign | 0x7c00;
  if (exp <= 0) {
    // A subnormal half (or zero): the implicit leading 1 becomes explicit and the mantissa shifts down.
    if (exp < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - exp;
    let half = mant >>> shift;
    const rest = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    if (rest > mid || (rest === mid && (half & 1) !== 0)) half++;
    return sign | half;
  }
  let half = sign | (exp << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  // A carry out of the mantissa rolls into the exponent, which is the right rounding (up to Infinity).
  if (rest > 0x1000 || (rest === 0x1000 && (half & 1) !== 0)) half++;
  return half;
}

/** The number an FP16 bit pattern holds. */
export function fromHalf(half: number): number {
  const sign = (half & 0x8000) !== 0 ? -1 : 1;
  const exp = (half >>> 10) & 0x1f;
  const mant = half & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant !== 0 ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

/** Whether an FP16 bit pattern holds NaN or ±Infinity. */
export function halfNonFinite(pattern: number): boolean {
  return (pattern & 0x7c00) === 0x7c00;
}
