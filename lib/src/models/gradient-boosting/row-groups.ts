/**
 * Rows that share their bin in every feature: every tree sends them to the same leaf, so their raw scores are the
 * same sums, added in the same order, to the last bit, and one score (and one evaluation of the loss's exponential)
 * serves the whole group. Narrow tables repeat such rows a lot: 160,000 flights fall into 46,574 groups on 2 features.
 */
import type { BinnedData } from './histogram.js';

/** Rows grouped by their bins. */
export interface RowGroups {
  /** The group of each row. */
  of: Uint32Array;
  /** How many groups. */
  count: number;
}

/** Up to this many features a row's bins make one key of a lookup table (256² slots). */
const MAX_FEATURES = 2;

/**
 * A group share of the rows above which grouping costs more (a lookup per row per tree) than the loss evaluations
 * it saves.
 */
const MAX_GROUP_SHARE = 0.5;

/** The rows of `data` grouped by their bins, or null when the table is too wide or too few rows repeat. */
export function groupRows(data: BinnedData): RowGroups | null {
  const { bins, rows, features } = data;
  if (features > MAX_FEATURES || rows === 0) return null;
  const slot = new Int32Array(1 << (8 * features)).fill(-1);
  const of = new Uint32Array(rows);
  let count = 0;
  for (let r = 0; r < rows; r++) {
    const key = features === 2 ? (bins[r]! << 8) | bins[rows + r]! : bins[r]!;
    let group = slot[key]!;
    if (group < 0) group = slot[key] = count++;
    of[r] = group;
  }
  return count <= rows * MAX_GROUP_SHARE ? { of, count } : null;
}
