/**
 * Growing one tree on gradient histograms, leaf-wise as LightGBM does: the leaf whose best split gains most splits
 * next, until `leaves` leaves or no split gains. A `depth` limit stops splitting below that depth (with
 * `leaves = 2^depth` this is depth-wise growth). The smaller child's histogram is built from its rows, the larger
 * one's is the parent's minus it.
 */
import { BIN_SLOTS, MISSING_BIN, type BinEdges } from './binning.js';
import {
  bestSplit,
  buildHistogram,
  buildHistogramAll,
  FEATURE_STRIDE,
  subtractHistogram,
  type BinnedData,
  type Split,
  type SplitRules,
} from './histogram.js';
import { TreeBuilder, type Tree } from './tree.js';

/** How a tree grows. */
export interface GrowRules extends SplitRules {
  /** Most leaves. */
  leaves: number;
  /** Deepest split level (Infinity: no limit). */
  depth: number;
  /** The factor on every leaf value (shrinkage). */
  learningRate: number;
}

/** A leaf still open to splitting, with the rows `index[start..end)`. */
interface OpenLeaf {
  node: number;
  start: number;
  end: number;
  depth: number;
  hist: Float64Array;
  g: number;
  h: number;
  split: Split | null;
}

/** A grown tree and where its leaves' rows lie in the index, to update the training predictions. */
export interface GrownTree {
  /** The tree. */
  tree: Tree;
  /** Per leaf: its rows `index[start..end)` and its value. */
  leaves: { start: number; end: number; value: number }[];
}

/** Working buffers reused across the trees of one fit. */
export interface GrowBuffers {
  /** Room for the gathered gradient pairs of the largest node (2 × rows). */
  gathered: Float64Array;
  /** A histogram's gradient and hessian sums. */
  totals: Float64Array;
  /** Room to partition the largest node's rows. */
  partition: Uint32Array;
  /** Each bin's side (1: left) for the split being applied. */
  side: Uint8Array;
  /** Histograms of finished trees, reused: a tree needs one per open leaf, and they are large on wide tables. */
  pool: Float64Array[];
}

/** Buffers for data of `rows` rows. */
export function growBuffers(rows: number): GrowBuffers {
  return {
    gathered: new Float64Array(2 * rows),
    totals: new Float64Array(2),
    partition: new Uint32Array(rows),
    side: new Uint8Array(BIN_SLOTS),
    pool: [],
  };
}

/**
 * Grows a tree on the rows `index[0..count)` (reordered in place so that each leaf's rows are contiguous), with the
 * interleaved gradient and hessian of each row in `gh`. `allRows` says the index holds every row in order (0, 1,
 * …), so the root histogram reads the rows directly.
 */
export function growTree(
  data: BinnedData,
  edges: BinEdges,
  gh: Float64Array,
  index: Uint32Array,
  count: number,
  rules: GrowRules,
  buffers: GrowBuffers,
  allRows = false,
): GrownTree {
  const builder = new TreeBuilder();
  const size = data.features * FEATURE_STRIDE;
  const take = (): Float64Array => buffers.pool.pop() ?? new Float64Array(size);
  const hist = take();
  const { totals } = buffers;
  if (allRows) buildHistogramAll(hist, totals, data, gh);
  else buildHistogram(hist, totals, data, index, 0, count, gh, buffers.gathered);
  const g = totals[0]!;
  const h = totals[1]!;
  const canSplit = (depth: number, rows: number): boolean => depth < rules.depth && rows >= 2 * rules.minLeaf;
  const root: OpenLeaf = { node: builder.leaf(count), start: 0, end: count, depth: 0, hist, g, h, split: null };
  if (canSplit(0, count)) root.split = bestSplit(hist, data, g, h, count, rules);
  const open: OpenLeaf[] = [root];
  let leaves = 1;
  while (leaves < rules.leaves) {
    let pick = -1;
    for (let i = 0; i < open.length; i++) {
      const s = open[i]!.split;
      if (s && (pick < 0 || s.gain > open[pick]!.split!.gain)) pick = i;
    }
    if (pick < 0) break;
    const parent = open[pick]!;
    const split = parent.split!;
    const mid = partition(data, index, parent.start, parent.end, split, buffers.partition, buffers.side);
    const edge = split.bin < edges[split.feature]!.length ? edges[split.feature]![split.bin]! : FLOAT32_MAX;
    const [ln, rn] = builder.split(
      parent.node,
      split.feature,
      split.bin,
      edge,
      split.missingLeft,
      split.gain,
      mid - parent.start,
      parent.end - mid,
    );
    const left: OpenLeaf = {
      node: ln,
      start: parent.start,
      end: mid,
      depth: parent.depth + 1,
      hist: parent.hist,
      g: split.gl,
      h: split.hl,
      split: null,
    };
    const right: OpenLeaf = {
      node: rn,
      start: mid,
      end: parent.end,
      depth: parent.depth + 1,
      hist: parent.hist,
      g: parent.g - split.gl,
      h: parent.h - split.hl,
      split: null,
    };
    // Build the smaller child's histogram; the larger one takes the parent's buffer, minus the smaller.
    const [small, large] = mid - parent.start <= parent.end - mid ? [left, right] : [right, left];
    small.hist = take();
    buildHistogram(small.hist, buffers.totals, data, index, small.start, small.end, gh, buffers.gathered);
    subtractHistogram(large.hist, small.hist);
    for (const child of [left, right]) {
      if (canSplit(child.depth, child.end - child.start))
        child.split = bestSplit(child.hist, data, child.g, child.h, child.end - child.start, rules);
    }
    open.splice(pick, 1, left, right);
    leaves++;
  }
  const grown: GrownTree['leaves'] = [];
  for (const leaf of open) buffers.pool.push(leaf.hist);
  for (const leaf of open) {
    const value = (-leaf.g / (leaf.h + rules.l2)) * rules.learningRate;
    builder.setValue(leaf.node, value);
    grown.push({ start: leaf.start, end: leaf.end, value });
  }
  return { tree: builder.build(), leaves: grown };
}

/** The largest float32: the threshold of a split that sends every present value left and the missing ones right. */
export const FLOAT32_MAX = 3.4028234663852886e38;

/** A split is a peel when its smaller side holds under 1 / PEEL_RATIO of the node's rows. */
const PEEL_RATIO = 8;

/**
 * Reorders `index[start..end)` so the split's left rows come first, each side keeping row order (so later passes
 * read the bins in increasing row order); returns where the right ones start. The larger side is compacted in
 * place and only the smaller one goes through `scratch`, so a split that peels a few rows off a large leaf (common
 * in leaf-wise growth) copies only those.
 */
function partition(
  data: BinnedData,
  index: Uint32Array,
  start: number,
  end: number,
  split: Split,
  scratch: Uint32Array,
  side: Uint8Array,
): number {
  const { bins, rows } = data;
  const base = split.feature * rows;
  // The side of every bin, looked up: one load per row instead of two compares (the profile's largest cost on
  // flights was this loop).
  side.fill(1, 0, split.bin + 1);
  side.fill(0, split.bin + 1);
  side[MISSING_BIN] = split.missingLeft ? 1 : 0;
  const leftRows = split.cl;
  const rightRows = end - start - leftRows;
  // A peel (one side under 1/8 of the rows) branches: the branch is almost always taken one way, so predicted, and
  // each row costs one store instead of two. Balanced splits stay branch-free: there a row's side is unpredictable,
  // and a mispredicted branch costs more than the extra store.
  const peel = Math.min(leftRows, rightRows) * PEEL_RATIO < end - start;
  if (leftRows >= rightRows) {
    // Left rows compacted forward in place, right rows to scratch, then after them.
    let l = start;
    let r = 0;
    if (peel) {
      for (let i = start; i < end; i++) {
        const row = index[i]!;
        if (side[bins[base + row]!] === 1) index[l++] = row;
        else scratch[r++] = row;
      }
    } else {
      for (let i = start; i < end; i++) {
        const row = index[i]!;
        const left = side[bins[base + row]!]!;
        index[l] = row;
        scratch[r] = row;
        l += left;
        r += 1 - left;
      }
    }
    index.set(scratch.subarray(0, r), l);
    return l;
  }
  // Right rows compacted backward in place (from the end), left rows to scratch, then before them.
  let rEnd = end;
  let l = 0;
  if (peel) {
    for (let i = end - 1; i >= start; i--) {
      const row = index[i]!;
      if (side[bins[base + row]!] === 1) scratch[l++] = row;
      else index[--rEnd] = row;
    }
  } else {
    for (let i = end - 1; i >= start; i--) {
      const row = index[i]!;
      const left = side[bins[base + row]!]!;
      index[rEnd - 1] = row;
      scratch[l] = row;
      rEnd -= 1 - left;
      l += left;
    }
  }
  // scratch holds the left rows in reverse row order.
  for (let j = 0; j < l; j++) index[start + j] = scratch[l - 1 - j]!;
  return start + l;
}
