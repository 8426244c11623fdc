/**
 * Latency histograms: log-spaced buckets (8 per doubling, ≤ 9% relative error) from 1 µs to ~1 hour, for
 * quantiles, and a sliding one-minute window made of one histogram per second.
 */

const PER_DOUBLING = 8;
const MIN_MS = 0.001;
/** Bucket count: 8 per doubling over 2^32 µs (~71 minutes). */
export const BUCKETS = PER_DOUBLING * 32;

/** The bucket holding `ms`. */
export function bucketOf(ms: number): number {
  if (!(ms > MIN_MS)) return 0;
  const b = Math.floor(Math.log2(ms / MIN_MS) * PER_DOUBLING);
  return b >= BUCKETS ? BUCKETS - 1 : b;
}

/** The upper bound of bucket `b`, in milliseconds. */
export function bucketUpper(b: number): number {
  return MIN_MS * 2 ** ((b + 1) / PER_DOUBLING);
}

/** Counts per bucket, with the count, sum and max. */
export class Histogram {
  readonly counts = new Float64Array(BUCKETS);
  count = 0;
  sum = 0;
  max = 0;

  /** Adds one observation, in milliseconds. */
  record(ms: number): void {
    this.counts[bucketOf(ms)]!++;
    this.count++;
    this.sum += ms;
    if (ms > this.max) this.max = ms;
  }

  /** Adds every observation of `other`. */
  add(other: Histogram): void {
    for (let i = 0; i < BUCKETS; i++) this.counts[i]! += other.counts[i]!;
    this.count += other.count;
    this.sum += other.sum;
    if (other.max > this.max) this.max = other.max;
  }

  /** Empties it. */
  clear(): void {
    this.counts.fill(0);
    this.count = this.sum = this.max = 0;
  }

  /** The `q` quantile (0..1) in milliseconds: the upper bound of the bucket holding it, capped at the max; 0 if empty. */
  quantile(q: number): number {
    if (this.count === 0) return 0;
    const rank = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) return Math.min(bucketUpper(i), this.max);
    }
    return this.max;
  }
}

/** A value per second over the last `seconds` seconds, as a ring of slots that the clock advances. */
export class Window<T> {
  private readonly slots: T[];
  private readonly stamps: Float64Array;

  constructor(
    readonly seconds: number,
    create: () => T,
    private readonly reset: (slot: T) => void,
    private readonly now: () => number = Date.now,
  ) {
    this.slots = Array.from({ length: seconds }, create);
    this.stamps = new Float64Array(seconds).fill(-1);
  }

  /** The slot for the current second (emptied first if it held an older second). */
  current(): T {
    const second = Math.floor(this.now() / 1000);
    const i = second % this.seconds;
    if (this.stamps[i] !== second) {
      this.reset(this.slots[i]!);
      this.stamps[i] = second;
    }
    return this.slots[i]!;
  }

  /** The slots of the last `seconds` seconds (the current one included). */
  recent(): T[] {
    const second = Math.floor(this.now() / 1000);
    const out: T[] = [];
    for (let i = 0; i < this.seconds; i++) if (this.stamps[i]! > second - this.seconds) out.push(this.slots[i]!);
    return out;
  }

  /** `value` of each of the last `seconds` seconds, oldest first (0 for a second nothing was recorded in). */
  series(value: (slot: T) => number): number[] {
    const second = Math.floor(this.now() / 1000);
    const out: number[] = [];
    for (let s = second - this.seconds + 1; s <= second; s++) {
      const i = s % this.seconds;
      out.push(this.stamps[i] === s ? value(this.slots[i]!) : 0);
    }
    return out;
  }
}
