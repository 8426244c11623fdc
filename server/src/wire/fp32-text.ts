/**
 * Reading a JSON array of numbers straight from a body's bytes into a Float32Array, each element bit for bit
 * `Math.fround(JSON.parse(number))`: the FP32 `data` of a batch-1 infer request without the ~25 KB of heap numbers and
 * the double array `JSON.parse` builds for 784 elements, nor the body's text for them.
 *
 * Exactness: `JSON.parse` rounds a decimal to the nearest double and `Math.fround` that double to the nearest float
 * (a double rounding, reproduced here, not a direct decimal-to-float rounding). When a number's digits make an
 * integer below 2^53 and its decimal exponent is within ±22, both that integer and the power of ten are exact
 * doubles, so one IEEE multiply or divide gives the correctly rounded double (Clinger's fast path). With up to 19
 * significant digits in that range the double found is within ~18 units in the last place of the true value, and
 * its float is certain unless it lies within 64 units of a midpoint between two floats, where the exact double
 * decides (about 1 number in 4 million). That case, longer mantissas and larger exponents go to `Number` on the
 * number's text, which rounds as `JSON.parse` does.
 */

/** Exact powers of ten as doubles: 10^0 … 10^22 (10^23 is the first that is not). */
const POW10 = Array.from({ length: 23 }, (_, i) => Number(`1e${String(i)}`));

/** 2^53: while the digits read so far stay below it, their integer is exact in a double. */
const EXACT_LIMIT = 2 ** 53;

/**
 * 10^19: a mantissa below it had at most 4 rounded steps after passing 2^53 (each multiplies by 10 or 10^4 and
 * adds), which bounds its error to ~18 units in the last place with the scaling's rounding; 20 significant digits or
 * more go to `Number`.
 */
const MANTISSA_LIMIT = 1e19;

/** A double's low 32 bits, for the midpoint test: the word order follows the platform's byte order. */
const bits64 = new Float64Array(1);
const words = new Uint32Array(bits64.buffer);
const LOW_WORD = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 0 : 1;

/**
 * Whether `value` (a normal double) lies within 64 units in its last place of a midpoint between two floats: its 29
 * low mantissa bits (the ones `Math.fround` drops) near 1 followed by 28 zeros.
 */
function nearFloatMidpoint(value: number): boolean {
  bits64[0] = value;
  const dropped = words[LOW_WORD]! & 0x1fffffff;
  return dropped > 0x10000000 - 64 && dropped < 0x10000000 + 64;
}

/** JSON's whitespace: space, tab, line feed, carriage return. */
function isSpace(byte: number): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

/** The index of the first byte at or after `i` that is not JSON whitespace (`bytes.length` if none is). */
export function skipSpaces(bytes: Uint8Array, i: number): number {
  let at = i;
  while (at < bytes.length && isSpace(bytes[at]!)) at++;
  return at;
}

/** Digit bytes '0'…'9'. */
function isDigit(byte: number): boolean {
  return byte >= 0x30 && byte <= 0x39;
}

/**
 * The value of four ASCII digits read as one little-endian word (the first digit in the low byte): pairs of digits
 * in each 16-bit half, then the two halves.
 */
function fourDigits(word: number): number {
  const digits = word & 0x0f0f0f0f;
  const pairs = (Math.imul(digits, 10) + (digits >>> 8)) & 0x00ff00ff;
  return Math.imul(pairs & 0xff, 100) + (pairs >>> 16);
}

/** The elements read, kept between calls and grown as needed; each answer is a copy of its head. */
let scratch = new Float32Array(1024);

/** The elements of an array read by `readFloat32Array`, and the index just after its closing `]`. */
export interface Float32List {
  values: Float32Array;
  end: number;
}

/**
 * Reads the JSON array that opens with the `[` at `bytes[open]`: a flat list of JSON numbers (JSON's grammar
 * exactly, whitespace allowed between tokens). Answers its elements as floats, each `Math.fround(JSON.parse(n))`,
 * and where the array ends; answers undefined, reading no further, at anything else: a non-number element, a
 * nested array, a number JSON refuses (`01`, `1.`, `.5`, `+1`, `NaN`), a missing comma or bracket, or a number whose
 * float is not finite (the caller's slow path then answers as before, with the number's own text in its error).
 */
export function readFloat32Array(bytes: Buffer, open: number): Float32List | undefined {
  const length = bytes.length;
  const view = new DataView(bytes.buffer, bytes.byteOffset, length);
  let i = skipSpaces(bytes, open + 1);
  let count = 0;
  if (i < length && bytes[i] === 0x5d) {
    return { values: new Float32Array(0), end: i + 1 };
  }
  for (;;) {
    // One number, JSON's grammar: -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?
    let negative = false;
    if (bytes[i] === 0x2d) {
      negative = true;
      i++;
    }
    const start = i; // the number's text without its sign, for the slow path
    if (i >= length || !isDigit(bytes[i]!)) return undefined;
    // The digits as one integer (leading zeros add nothing), and the decimal exponent of its last digit. Four digits
    // at a time where four bytes in a row are digits (one load, one multiply-add of the mantissa, not four).
    // Whether it is exact needs no check per step: it only grows, so it stayed exact if it ends below 2^53.
    let mantissa = 0;
    let scale = 0;
    // A leading zero stands alone before the point (JSON refuses `01`).
    if (bytes[i] === 0x30 && i + 1 < length && isDigit(bytes[i + 1]!)) return undefined;
    // The integer and fraction digits in one loop; `fraction` is where the fraction's digits begin (-1: no point).
    let fraction = -1;
    for (;;) {
      if (i + 4 <= length) {
        const word = view.getUint32(i, true);
        if ((word & 0xf0f0f0f0) === 0x30303030 && ((word + 0x06060606) & 0xf0f0f0f0) === 0x30303030) {
          mantissa = mantissa * 1e4 + fourDigits(word);
          i += 4;
          continue;
        }
      }
      if (i >= length) break;
      const digit = bytes[i]! - 0x30;
      if (digit < 0 || digit > 9) {
        if (digit !== 0x2e - 0x30 || fraction !== -1) break;
        fraction = i + 1;
      } else {
        mantissa = mantissa * 10 + digit;
      }
      i++;
    }
    if (fraction !== -1) {
      if (i === fraction) return undefined; // a point with no digit after it
      scale = fraction - i;
    }
    if (i < length && (bytes[i] === 0x65 || bytes[i] === 0x45)) {
      i++;
      let exponentNegative = false;
      if (i < length && (bytes[i] === 0x2b || bytes[i] === 0x2d)) {
        exponentNegative = bytes[i] === 0x2d;
        i++;
      }
      if (i >= length || !isDigit(bytes[i]!)) return undefined;
      let exponent = 0;
      for (; i < length; i++) {
        const digit = bytes[i]! - 0x30;
        if (digit < 0 || digit > 9) break;
        // Capped: any exponent this large is out of the fast range anyway, and the text decides.
        if (exponent < 100_000) exponent = exponent * 10 + digit;
      }
      scale += exponentNegative ? -exponent : exponent;
    }
    // The magnitude as `JSON.parse` rounds it to a double (see the module's comment). With at least one significant
    // digit and a scale within ±22 it is at least 1e-22: a normal double, and a normal float or zero after `fround`.
    let value: number;
    if (mantissa === 0) {
      value = 0;
    } else if (mantissa < MANTISSA_LIMIT && scale >= -22 && scale <= 22) {
      value = scale >= 0 ? mantissa * POW10[scale]! : mantissa / POW10[-scale]!;
      if (mantissa >= EXACT_LIMIT && nearFloatMidpoint(value)) value = Number(bytes.toString('latin1', start, i));
    } else {
      value = Number(bytes.toString('latin1', start, i));
    }
    const float = Math.fround(negative ? -value : value);
    if (float === Infinity || float === -Infinity) return undefined;
    if (count === scratch.length) {
      const grown = new Float32Array(scratch.length * 2);
      grown.set(scratch);
      scratch = grown;
    }
    scratch[count++] = float;
    i = skipSpaces(bytes, i);
    if (i >= length) return undefined;
    if (bytes[i] === 0x2c) {
      i = skipSpaces(bytes, i + 1);
    } else if (bytes[i] === 0x5d) {
      return { values: scratch.slice(0, count), end: i + 1 };
    } else {
      return undefined;
    }
  }
}
