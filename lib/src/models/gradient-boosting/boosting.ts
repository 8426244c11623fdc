/**
 * The boosting loop: bin the features once, then per iteration compute the loss's gradients, grow one tree per
 * output on them and add its leaf values to the raw scores. Optional row subsampling per iteration and early
 * stopping on a held-out share of the rows.
 */
import { permutation, seededRandom } from '../../core/random.js';
import { binColumns, fitBinEdges, type BinEdges } from './binning.js';
import { growBuffers, growTree, type GrowRules } from './grow.js';
import type { BinnedData } from './histogram.js';
import type { Loss } from './losses.js';
import { groupRows } from './row-groups.js';
import { binnedValue, type Tree } from './tree.js';

/** Settings of the loop (validated by the options module). */
export interface BoostSettings extends GrowRules {
  /** Boosting iterations (each adds one tree per output). */
  trees: number;
  /** Share of the training rows each iteration's trees see (1: all). */
  subsample: number;
  /** Early stopping: stop after `rounds` iterations without a better validation loss (null: never). */
  earlyStopping: { rounds: number; validation: number } | null;
  /** Seed of the subsamples, the validation rows and the bin sample. */
  seed: number;
  /** Most value bins per feature (≤ 255). */
  bins: number;
}

/** What boosting learned: the starting scores, the trees (iteration-major: tree `i * outputs + k`) and the bins. */
export interface Boosted {
  /** Starting raw score per output. */
  base: Float64Array;
  /** The trees of the kept iterations. */
  trees: Tree[];
  /** Raw scores per row (1, or the classes of a softmax). */
  outputs: number;
  /** The bin edges the trees were grown on. */
  edges: BinEdges;
  /** Training loss after each iteration under early stopping, else after the last one only. */
  trainLoss: number[];
  /** Validation loss after each iteration (early stopping only). */
  validLoss: number[];
  /** The iterations kept (the best one's, under early stopping). */
  iterations: number;
}

/**
 * Boosts trees on column-major features (NaN = missing) and labels `y` (class ids for classification). `stop` is
 * asked before each iteration after the first: true ends the loop, keeping the iterations grown so far.
 */
export function boost(
  columns: readonly Float64Array[],
  y: Float64Array,
  loss: Loss,
  settings: BoostSettings,
  stop: () => boolean = () => false,
): Boosted {
  const n = y.length;
  const random = seededRandom(settings.seed);
  const edges = fitBinEdges(columns, settings.bins, random);
  const data: BinnedData = {
    bins: binColumns(columns, edges),
    rows: n,
    features: columns.length,
    binCounts: Int32Array.from(edges, (e) => e.length + 1),
  };
  // Validation rows for early stopping: a seeded share, never trained on.
  let train: Uint32Array;
  let valid: Uint32Array | null = null;
  if (settings.earlyStopping) {
    const order = permutation(n, random);
    const nValid = Math.max(1, Math.round(n * settings.earlyStopping.validation));
    valid = Uint32Array.from(order.subarray(0, nValid)).sort();
    train = Uint32Array.from(order.subarray(nValid)).sort();
  } else {
    // A loop: `Uint32Array.from({ length: n }, fn)` walks an iterator and calls `fn` per row, slower than a tree.
    train = new Uint32Array(n);
    for (let i = 0; i < n; i++) train[i] = i;
  }
  const K = loss.outputs;
  const base = loss.init(y, train);
  const raw = new Float64Array(n * K);
  for (let r = 0; r < n; r++) for (let k = 0; k < K; k++) raw[r * K + k] = base[k]!;
  const gh = Array.from({ length: K }, () => new Float64Array(2 * n));
  const buffers = growBuffers(n);
  const index = new Uint32Array(train.length);
  const sampled = settings.subsample < 1 ? Math.max(1, Math.round(train.length * settings.subsample)) : train.length;
  // Without subsampling or validation rows every tree starts on all rows in order.
  const allRows = sampled === n;
  const trees: Tree[] = [];
  const trainLoss: number[] = [];
  const validLoss: number[] = [];
  let best = Infinity;
  let bestIteration = 0;
  // A single-output loss on trees of every row keeps one raw score per group of rows that share their bins (the
  // rows' own scores are the same sums) and evaluates the loss once per group.
  const groups = K === 1 && allRows && loss.groupGradients ? groupRows(data) : null;
  let groupRaw = groups ? new Float64Array(groups.count).fill(base[0]!) : null;
  let nextGroupRaw = groups ? new Float64Array(groups.count) : null;
  const perGroup = groups ? new Float64Array(2 * groups.count) : null;
  // Otherwise, a single-output loss on trees of every training row updates each row's gradients in the pass that
  // adds its leaf's value (one pass over the rows instead of two). Validation rows keep stale gradients: no tree
  // reads them.
  const addAndGradients = K === 1 && !groups && sampled === train.length ? loss.addAndGradients?.bind(loss) : undefined;
  for (let it = 0; it < settings.trees; it++) {
    if (it > 0 && stop()) break;
    if (groups) loss.groupGradients!(groupRaw!, groups.of, y, gh[0]!, perGroup!);
    else if (it === 0 || !addAndGradients) loss.gradients(raw, y, gh);
    if (sampled < train.length) {
      const order = permutation(train.length, random);
      for (let i = 0; i < sampled; i++) index[i] = train[order[i]!]!;
      index.subarray(0, sampled).sort();
    }
    for (let k = 0; k < K; k++) {
      if (sampled === train.length) index.set(train);
      const grown = growTree(data, edges, gh[k]!, index, sampled, settings, buffers, allRows);
      trees.push(grown.tree);
      if (groups) {
        // Every row of a group sits in the same leaf: each of its rows writes the group's same new score.
        const from = groupRaw!;
        const to = nextGroupRaw!;
        for (const leaf of grown.leaves) {
          for (let i = leaf.start; i < leaf.end; i++) {
            const c = groups.of[index[i]!]!;
            to[c] = from[c]! + leaf.value;
          }
        }
        [groupRaw, nextGroupRaw] = [to, from];
      } else if (addAndGradients) {
        for (const leaf of grown.leaves) addAndGradients(raw, y, gh[0]!, index, leaf.start, leaf.end, leaf.value);
      } else if (sampled === train.length) {
        // Every training row sits in one leaf's slice of the index: add that leaf's value.
        for (const leaf of grown.leaves)
          for (let i = leaf.start; i < leaf.end; i++) raw[index[i]! * K + k]! += leaf.value;
      } else {
        for (let i = 0; i < train.length; i++)
          raw[train[i]! * K + k]! += binnedValue(grown.tree, data.bins, n, train[i]!);
      }
      if (valid)
        for (let i = 0; i < valid.length; i++)
          raw[valid[i]! * K + k]! += binnedValue(grown.tree, data.bins, n, valid[i]!);
    }
    if (valid && settings.earlyStopping) {
      // The training loss is only watched beside the validation loss (it costs a pass over every row).
      trainLoss.push(loss.loss(raw, y, train));
      const v = loss.loss(raw, y, valid);
      validLoss.push(v);
      if (v < best - 1e-12) {
        best = v;
        bestIteration = it + 1;
      } else if (it + 1 - bestIteration >= settings.earlyStopping.rounds) break;
    }
  }
  if (groups) for (let r = 0; r < n; r++) raw[r] = groupRaw![groups.of[r]!]!;
  const iterations = valid ? Math.max(bestIteration, 1) : Math.ceil(trees.length / K);
  if (!valid) trainLoss.push(loss.loss(raw, y, train));
  return { base, trees: trees.slice(0, iterations * K), outputs: K, edges, trainLoss, validLoss, iterations };
}
