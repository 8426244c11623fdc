/**
 * Gradient histograms and the best split of a node. A histogram holds, per feature and bin, the sums of the
 * gradients, of the hessians and the row count (three float64 slots per bin, `BIN_SLOTS` bins per feature).
 */
import { BIN_SLOTS, MISSING_BIN } from './binning.js';

/** Float64 slots per feature in a histogram. */
export const FEATURE_STRIDE = BIN_SLOTS * 3;

/** The binned training data a tree grows on. */
export interface BinnedData {
  /** Bins, column-major: feature `f` of row `r` at `f * rows + r`. */
  bins: Uint8Array;
  /** Rows of the training data. */
  rows: number;
  /** Features per row. */
  features: number;
  /** Value bins per feature (the missing bin comes on top). */
  binCounts: Int32Array;
}

/**
 * Up to this many features a histogram is built in one pass over the rows, every feature of a row at once: each
 * row's gradient pair and bins are read once, with no gathered copy. Wider tables build one feature at a time from a
 * gathered copy, so that feature's histogram (6 KB) stays in the L1 cache while the rows stream by.
 */
const NARROW_FEATURES = 4;

/**
 * Fills `out` with the histogram of the rows `index[start..end)` (`gh`: interleaved gradient and hessian per row)
 * and `totals` with their gradient and hessian sums. Every slot and total adds its rows in index order, whichever
 * path builds it, so the sums are the same to the last bit.
 */
export function buildHistogram(
  out: Float64Array,
  totals: Float64Array,
  data: BinnedData,
  index: Uint32Array,
  start: number,
  end: number,
  gh: Float64Array,
  scratch: Float64Array,
): void {
  out.fill(0);
  if (data.features <= NARROW_FEATURES) {
    accumulateRows(out, totals, data, gh, index, start, end);
    return;
  }
  // The node's gradient pairs gathered once in row order, so the per-feature passes read them sequentially.
  const count = end - start;
  let g = 0;
  let h = 0;
  for (let i = 0; i < count; i++) {
    const r = index[start + i]!;
    g += scratch[2 * i] = gh[2 * r]!;
    h += scratch[2 * i + 1] = gh[2 * r + 1]!;
  }
  const { bins, rows } = data;
  for (let f = 0; f < data.features; f++) {
    const base = f * rows;
    const hoff = f * FEATURE_STRIDE;
    for (let i = 0; i < count; i++) {
      const o = hoff + bins[base + index[start + i]!]! * 3;
      out[o]! += scratch[2 * i]!;
      out[o + 1]! += scratch[2 * i + 1]!;
      out[o + 2]! += 1;
    }
  }
  totals[0] = g;
  totals[1] = h;
}

/**
 * `buildHistogram` over every row in row order: the root of a tree grown on all rows needs neither the index nor
 * the gather (rows and gradients are read sequentially).
 */
export function buildHistogramAll(out: Float64Array, totals: Float64Array, data: BinnedData, gh: Float64Array): void {
  out.fill(0);
  if (data.features <= NARROW_FEATURES) {
    accumulateRows(out, totals, data, gh, null, 0, data.rows);
    return;
  }
  const { bins, rows } = data;
  let g = 0;
  let h = 0;
  for (let r = 0; r < rows; r++) {
    g += gh[2 * r]!;
    h += gh[2 * r + 1]!;
  }
  for (let f = 0; f < data.features; f++) {
    const base = f * rows;
    const hoff = f * FEATURE_STRIDE;
    for (let r = 0; r < rows; r++) {
      const o = hoff + bins[base + r]! * 3;
      out[o]! += gh[2 * r]!;
      out[o + 1]! += gh[2 * r + 1]!;
      out[o + 2]! += 1;
    }
  }
  totals[0] = g;
  totals[1] = h;
}

/**
 * The one-pass histogram of a narrow table: rows `index[start..end)`, or rows `start..end` themselves when `index`
 * is null, each adding its gradient pair to every feature's bin and to `totals`.
 */
function accumulateRows(
  out: Float64Array,
  totals: Float64Array,
  data: BinnedData,
  gh: Float64Array,
  index: Uint32Array | null,
  start: number,
  end: number,
): void {
  const { bins, rows, features } = data;
  let g = 0;
  let h = 0;
  for (let i = start; i < end; i++) {
    const r = index ? index[i]! : i;
    const gr = gh[2 * r]!;
    const hr = gh[2 * r + 1]!;
    g += gr;
    h += hr;
    for (let f = 0, at = r, hoff = 0; f < features; f++, at += rows, hoff += FEATURE_STRIDE) {
      const o = hoff + bins[at]! * 3;
      out[o]! += gr;
      out[o + 1]! += hr;
      out[o + 2]! += 1;
    }
  }
  totals[0] = g;
  totals[1] = h;
}

/** `parent -= child`, in place: the sibling's histogram without reading its rows. */
export function subtractHistogram(parent: Float64Array, child: Float64Array): void {
  for (let i = 0; i < parent.length; i++) parent[i]! -= child[i]!;
}

/** Constraints and regularization of a split. */
export interface SplitRules {
  /** Fewest rows in a leaf. */
  minLeaf: number;
  /** Smallest hessian sum in a leaf. */
  minHessian: number;
  /** L2 regularization of the leaf values. */
  l2: number;
}

/** A node's best split: rows with bin ≤ `bin` go left, missing values go left when `missingLeft`. */
export interface Split {
  /** The reduction of the loss (LightGBM's gain, without the factor 1/2). */
  gain: number;
  /** The feature. */
  feature: number;
  /** The last bin of the left side. */
  bin: number;
  /** Where missing values go. */
  missingLeft: boolean;
  /** Gradient sum, hessian sum and rows of the left child. */
  gl: number;
  hl: number;
  cl: number;
}

/**
 * The split of a node (totals `g`, `h`, `c`) with the largest gain, or null when none has a positive gain under the
 * rules. Each threshold is tried with the missing values on either side; when the node has no missing value they
 * follow the larger child (so unseen missing values at prediction go where most rows went).
 */
export function bestSplit(
  hist: Float64Array,
  data: BinnedData,
  g: number,
  h: number,
  c: number,
  rules: SplitRules,
): Split | null {
  const { minLeaf, minHessian, l2 } = rules;
  const parentScore = (g * g) / (h + l2);
  let best: Split | null = null;
  let bestGain = 1e-12;
  for (let f = 0; f < data.features; f++) {
    const hoff = f * FEATURE_STRIDE;
    const nb = data.binCounts[f]!;
    const mo = hoff + MISSING_BIN * 3;
    const mg = hist[mo]!;
    const mh = hist[mo + 1]!;
    const mc = hist[mo + 2]!;
    let gl = 0;
    let hl = 0;
    let cl = 0;
    // With missing values, the last threshold (every value left, missing right) separates missing from present.
    const last = mc > 0 ? nb - 1 : nb - 2;
    for (let b = 0; b <= last; b++) {
      const o = hoff + b * 3;
      gl += hist[o]!;
      hl += hist[o + 1]!;
      cl += hist[o + 2]!;
      // Missing values right (or nowhere, when the node has none).
      let cr = c - cl;
      if (cl >= minLeaf && cr >= minLeaf && hl >= minHessian && h - hl >= minHessian) {
        const gr = g - gl;
        const gain = (gl * gl) / (hl + l2) + (gr * gr) / (h - hl + l2) - parentScore;
        if (gain > bestGain) {
          bestGain = gain;
          best = { gain, feature: f, bin: b, missingLeft: mc === 0 && cl >= cr, gl, hl, cl };
        }
      }
      if (mc > 0 && b < nb - 1) {
        const gL = gl + mg;
        const hL = hl + mh;
        const cL = cl + mc;
        cr = c - cL;
        if (cL >= minLeaf && cr >= minLeaf && hL >= minHessian && h - hL >= minHessian) {
          const gr = g - gL;
          const gain = (gL * gL) / (hL + l2) + (gr * gr) / (h - hL + l2) - parentScore;
          if (gain > bestGain) {
            bestGain = gain;
            best = { gain, feature: f, bin: b, missingLeft: true, gl: gL, hl: hL, cl: cL };
          }
        }
      }
    }
  }
  return best;
}
