/**
 * A typed-array index of numeric keys (integers, floats, or the codes of dictionary-encoded strings): key → slot,
 * slots numbered in order of first insertion. Keys in a compact integer range use a direct table; others an
 * open-addressing hash table of Float64 keys. No per-row JavaScript objects, so joins and group-bys on tens of
 * millions of rows stay in typed arrays. Shared by `join` (built on the smaller side) and `aggregate`.
 */

/** Keys that `KeyIndex` takes: numbers (NaN is never a key; callers treat it as missing). */
export type NumericKeys = ArrayLike<number>;

const EMPTY = -1;

/** Mixes a double's bits into a 32-bit hash (Murmur3's finalizer over both halves). */
const scratch = new Float64Array(1);
const scratchWords = new Int32Array(scratch.buffer);
function hashOf(key: number): number {
  scratch[0] = key === 0 ? 0 : key; // -0 and 0 are one key
  let h = scratchWords[0]! ^ Math.imul(scratchWords[1]!, 0x9e3779b1);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** Key → slot. Slots are 0, 1, 2, … in order of first insertion. */
export class KeyIndex {
  /** Keys in slot order. */
  readonly keys: number[] = [];
  private readonly direct: { min: number; table: Int32Array } | null;
  private hashKeys: Float64Array;
  private hashSlots: Int32Array;
  private mask: number;

  /**
   * @param range when every key is an integer in [min, min + range), a direct table of that size (cheapest)
   * @param expected the number of distinct keys expected (sizes the hash table; it grows past it)
   */
  constructor(range: { min: number; size: number } | null, expected: number) {
    this.direct = range ? { min: range.min, table: new Int32Array(range.size).fill(EMPTY) } : null;
    let capacity = 16;
    while (capacity < expected * 2) capacity *= 2;
    this.hashKeys = new Float64Array(range ? 0 : capacity);
    this.hashSlots = new Int32Array(range ? 0 : capacity).fill(EMPTY);
    this.mask = capacity - 1;
  }

  /** Distinct keys indexed. */
  get size(): number {
    return this.keys.length;
  }

  /** The slot of `key`, or -1 when it was never added. */
  find(key: number): number {
    const direct = this.direct;
    if (direct) {
      const offset = key - direct.min;
      return offset >= 0 && offset < direct.table.length && Number.isInteger(offset) ? direct.table[offset]! : EMPTY;
    }
    const { hashKeys, hashSlots, mask } = this;
    for (let p = hashOf(key) & mask; ; p = (p + 1) & mask) {
      const slot = hashSlots[p]!;
      if (slot === EMPTY || hashKeys[p] === key) return slot;
    }
  }

  /**
   * `valueOf[slot of keys[i]]` into `out[i]` for the first `n` keys (-1 where a key was never added or is missing), in
   * one loop: the direct table's lookup inlined, so a join's probe of 10M rows is one pass without a call per row.
   * Returns whether every key was found.
   */
  lookupAll(keys: NumericKeys, n: number, valueOf: Int32Array, out: Int32Array): boolean {
    let all = true;
    const direct = this.direct;
    if (direct) {
      const { min, table } = direct;
      const size = table.length;
      for (let i = 0; i < n; i++) {
        const offset = keys[i]! - min;
        // offset >= 0 && < size also rejects NaN; `| 0` equal to itself rejects fractions
        const slot = offset >= 0 && offset < size && (offset | 0) === offset ? table[offset]! : EMPTY;
        const value = slot < 0 ? -1 : valueOf[slot]!;
        out[i] = value;
        if (value < 0) all = false;
      }
      return all;
    }
    for (let i = 0; i < n; i++) {
      const key = keys[i]!;
      const slot = key === key ? this.find(key) : EMPTY;
      const value = slot < 0 ? -1 : valueOf[slot]!;
      out[i] = value;
      if (value < 0) all = false;
    }
    return all;
  }

  /** The slot of `key`, adding it (as the next slot) when new. */
  add(key: number): number {
    const direct = this.direct;
    if (direct) {
      const offset = key - direct.min;
      let slot = direct.table[offset]!;
      if (slot === EMPTY) {
        slot = direct.table[offset] = this.keys.length;
        this.keys.push(key);
      }
      return slot;
    }
    const { hashKeys, hashSlots, mask } = this;
    let p = hashOf(key) & mask;
    for (;;) {
      const slot = hashSlots[p]!;
      if (slot === EMPTY) break;
      if (hashKeys[p] === key) return slot;
      p = (p + 1) & mask;
    }
    const slot = this.keys.length;
    hashKeys[p] = key;
    hashSlots[p] = slot;
    this.keys.push(key);
    if (this.keys.length * 2 > mask + 1) this.grow();
    return slot;
  }

  /** Doubles the hash table, keeping it at most half full (short probe runs). */
  private grow(): void {
    const capacity = (this.mask + 1) * 2;
    const keys = new Float64Array(capacity);
    const slots = new Int32Array(capacity).fill(EMPTY);
    const mask = capacity - 1;
    this.keys.forEach((key, slot) => {
      let p = hashOf(key) & mask;
      while (slots[p] !== EMPTY) p = (p + 1) & mask;
      keys[p] = key;
      slots[p] = slot;
    });
    this.hashKeys = keys;
    this.hashSlots = slots;
    this.mask = mask;
  }
}

/** The range of integer keys when it is compact enough for a direct table (at most `limit` entries), else null. */
export function compactRange(keys: NumericKeys, n: number, limit: number): { min: number; size: number } | null {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = keys[i]!;
    if (v !== v) continue; // missing
    if (!Number.isInteger(v)) return null;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (min === Infinity) return { min: 0, size: 0 };
  const size = max - min + 1;
  return size <= limit ? { min, size } : null;
}
