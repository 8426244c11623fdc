/**
 * Seeded pseudo-random numbers, so samples, splits and augmentations are reproducible.
 */

/** A source of uniform numbers in [0, 1), like `Math.random` (or a seeded generator, for reproducible results). */
export type Random = () => number;

/**
 * A seeded generator (mulberry32): the same seed gives the same sequence on every machine.
 * Without a seed it uses `Math.random`.
 * @example const rand = seededRandom(42); rand() // 0.6011...
 */
export function seededRandom(seed?: number): Random {
  if (seed === undefined) return Math.random;
  let state = Math.floor(seed) >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A random permutation of 0..n-1 (Fisher–Yates). */
export function permutation(n: number, random: Random): Int32Array {
  // Int32Array, so the order can index tensors directly (tf.gather takes int32 indices).
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = order[i]!;
    order[i] = order[j]!;
    order[j] = t;
  }
  return order;
}
