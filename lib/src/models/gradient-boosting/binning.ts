/**
 * Feature binning: each feature's values map to at most 255 ordered bins (uint8), the missing values to bin 255.
 * Split search then works on small histograms instead of sorted values, as LightGBM and HistGradientBoosting do.
 */
import { permutation, type Random } from '../../core/random.js';

/** The bin of missing values (NaN), after every value bin. */
export const MISSING_BIN = 255;
/** Histogram slots per feature: 255 value bins and the missing bin. */
export const BIN_SLOTS = 256;
/** Rows read to place the bin edges (LightGBM reads 200,000 too): quantiles of a larger sample barely move. */
const SAMPLE_ROWS = 200_000;

/**
 * The upper edges of each feature's bins: value `v` falls in bin `b` when `edges[b - 1] < v ≤ edges[b]` (the last
 * bin is open above). Edges are float32 values, so a float32 input (a tensor, an ONNX graph) bins exactly alike.
 */
export type BinEdges = Float64Array[];

/**
 * Edges for each column (column-major values, NaN = missing): midpoints between distinct values when a feature has
 * at most `maxBins` of them, else quantiles of a seeded sample of the rows.
 */
export function fitBinEdges(columns: readonly Float64Array[], maxBins: number, random: Random): BinEdges {
  const n = columns[0]?.length ?? 0;
  const rows = n > SAMPLE_ROWS ? permutation(n, random).subarray(0, SAMPLE_ROWS) : null;
  return columns.map((column) => {
    const sample = new Float64Array(rows ? rows.length : n);
    let m = 0;
    if (rows) {
      for (let i = 0; i < rows.length; i++) {
        const v = column[rows[i]!]!;
        if (!Number.isNaN(v)) sample[m++] = v;
      }
    } else {
      for (let i = 0; i < n; i++) {
        const v = column[i]!;
        if (!Number.isNaN(v)) sample[m++] = v;
      }
    }
    return edgesOf(sample.subarray(0, m).sort(), maxBins);
  });
}

/** The bin edges of one feature from its sorted non-missing values. */
function edgesOf(sorted: Float64Array, maxBins: number): Float64Array {
  const distinct: number[] = [];
  for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) distinct.push(sorted[i]!);
  const edges: number[] = [];
  const push = (edge: number): void => {
    // float32 edges: a midpoint may round onto a neighbour; equal edges would make empty bins, so keep one.
    const e = Math.fround(edge);
    if (edges.length === 0 || e > edges[edges.length - 1]!) edges.push(e);
  };
  if (distinct.length <= maxBins) {
    for (let i = 1; i < distinct.length; i++) push((distinct[i - 1]! + distinct[i]!) / 2);
  } else {
    // Quantile edges, each a midpoint between the two sorted values around the quantile (numpy's 'midpoint').
    for (let b = 1; b < maxBins; b++) {
      const at = (b / maxBins) * (sorted.length - 1);
      const lo = sorted[Math.floor(at)]!;
      const hi = sorted[Math.ceil(at)]!;
      const edge = (lo + hi) / 2;
      // An edge at the largest value would leave the last bin empty.
      if (edge < sorted[sorted.length - 1]!) push(edge);
    }
  }
  return Float64Array.from(edges);
}

/** The bin of one value: the number of edges below it (binary search); NaN → `MISSING_BIN`. */
export function binOf(edges: Float64Array, value: number): number {
  if (Number.isNaN(value)) return MISSING_BIN;
  const v = Math.fround(value);
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (edges[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Every value binned, column-major: feature `f` of row `r` at `f * n + r`. */
export function binColumns(columns: readonly Float64Array[], edges: BinEdges): Uint8Array {
  const n = columns[0]?.length ?? 0;
  const out = new Uint8Array(n * columns.length);
  columns.forEach((column, f) => {
    const e = edges[f]!;
    const base = f * n;
    for (let r = 0; r < n; r++) out[base + r] = binOf(e, column[r]!);
  });
  return out;
}
