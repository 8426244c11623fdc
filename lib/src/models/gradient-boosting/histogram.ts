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
 * Fills `out` with the histogram of the rows `index[start..end)`. The node's gradients are gathered once in row
 * order first, so the per-feature passes read them sequentially.
 */
export function buildHistogram(out: Float64Array, data: BinnedData, index: Uint32Array, start: number, end: number, grad: Float64Array, hess: Float64Array, scratch: Float64Array): void {
  out.fill(0);
  const count = end - start;
  const g = scratch.subarray(0, count);
  const h = scratch.subarray(count, 2 * count);
  for (let i = 0; i < count; i++) {
    const r = index[start + i]!;
    g[i] = grad[r]!;
    h[i] = hess[r]!;
  }
  const { bins, rows } = data;
  for (let f = 0; f < data.features; f++) {
    const base = f * rows;
    const hoff = f * FEATURE_STRIDE;
    for (let i = 0; i < count; i++) {
      const o = hoff + bins[base + index[start + i]!]! * 3;
      out[o]! += g[i]!;
      out[o + 1]! += h[i]!;
      out[o + 2]! += 1;
    }
  }
}

/**
 * Fills `out` with the histogram of every row, in row order: the root of a tree grown on all rows needs neither the
 * index nor the gather (rows and gradients are read sequentially), which `buildHistogram` pays for.
 */
export function buildHistogramAll(out: Float64Array, data: BinnedData, grad: Float64Array, hess: Float64Array): void {
  out.fill(0);
  const { bins, rows } = data;
  for (let f = 0; f < data.features; f++) {
    const base = f * rows;
    const hoff = f * FEATURE_STRIDE;
    for (let r = 0; r < rows; r++) {
      const o = hoff + bins[base + r]! * 3;
      out[o]! += grad[r]!;
      out[o + 1]! += hess[r]!;
      out[o + 2]! += 1;
    }
  }
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
export function bestSplit(hist: Float64Array, data: BinnedData, g: number, h: number, c: number, rules: SplitRules): Split | null {
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
