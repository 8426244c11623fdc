/**
 * `kFold`: k folds of a dataset, in order (scikit-learn's `KFold`), shuffled with a seed, or stratified by class
 * (scikit-learn's `StratifiedKFold`). Unshuffled, the folds are exactly scikit-learn's; shuffled, they follow
 * Lepton's seeded generator (the same seed gives the same folds on every machine, not numpy's).
 */
import { isMissing } from '../data/columns.js';
import { permutation, seededRandom } from '../core/random.js';
import { badSplit } from './errors.js';
import { checkCounts, complement, type Fold } from './folds.js';

/** Options of `kFold`. */
export interface KFoldOptions {
  /** Number of folds (default 5). */
  folds?: number;
  /** The rows' class labels: each fold keeps the class proportions (as scikit-learn's `StratifiedKFold`). */
  stratify?: ArrayLike<unknown>;
  /** Shuffle the rows first (default: true when `seed` is given, else false). */
  shuffle?: boolean;
  /** Seed of the shuffle (default 0 when `shuffle` is true). */
  seed?: number;
}

/**
 * k folds of `n` rows: each row is in exactly one test part; the rest of the rows train.
 * @param n the number of rows
 * @param options folds, stratify (labels), shuffle and seed
 * @returns one `{ train, test }` of ascending row positions per fold
 * @example const folds = lepton.kFold(150, { folds: 5, stratify: labels, seed: 1 })
 */
export function kFold(n: number, options: KFoldOptions = {}): Fold[] {
  const folds = options.folds ?? 5;
  checkCounts('kFold', n, folds);
  if (folds > n)
    throw badSplit(`kFold: ${folds} folds need at least ${folds} rows, there are ${n}; ask for fewer folds.`);
  const shuffle = options.shuffle ?? options.seed !== undefined;
  const random = seededRandom(options.seed ?? 0);
  const foldOf = new Int32Array(n);
  if (options.stratify !== undefined) stratifiedAssign(options.stratify, n, folds, shuffle ? random : null, foldOf);
  else {
    // scikit-learn's sizes: the first n % folds folds take one row more, in order of position (or of the shuffle).
    const order = shuffle ? permutation(n, random) : Int32Array.from({ length: n }, (_, i) => i);
    let at = 0;
    for (let f = 0; f < folds; f++) {
      const size = Math.floor(n / folds) + (f < n % folds ? 1 : 0);
      for (let j = 0; j < size; j++) foldOf[order[at++]!] = f;
    }
  }
  return Array.from({ length: folds }, (_, f) => {
    const inTest = new Uint8Array(n);
    for (let i = 0; i < n; i++) if (foldOf[i] === f) inTest[i] = 1;
    const test = Int32Array.from(foldOf.keys()).filter((i) => foldOf[i] === f);
    return { train: complement(n, inTest), test };
  });
}

/**
 * StratifiedKFold's assignment: classes numbered by first appearance, the labels sorted by class and dealt to the
 * folds round-robin to count each class's share per fold, then each class's rows take their folds in order.
 */
function stratifiedAssign(
  labels: ArrayLike<unknown>,
  n: number,
  folds: number,
  random: (() => number) | null,
  foldOf: Int32Array,
): void {
  if (labels.length !== n)
    throw badSplit(`kFold: stratify has ${labels.length} labels for ${n} rows; pass one label per row.`);
  const code = new Map<unknown, number>();
  const encoded = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const label = isMissing(labels[i]) ? null : labels[i];
    // scikit-learn numbers classes by their sorted value, then renumbers them by first appearance: the same order.
    if (!code.has(label)) code.set(label, code.size);
    encoded[i] = code.get(label)!;
  }
  const classes = code.size;
  const counts = new Int32Array(classes);
  for (const c of encoded) counts[c]!++;
  // As scikit-learn: a class smaller than `folds` is missing from some test parts, which is allowed.
  if (folds > Math.max(...counts))
    throw badSplit(
      `kFold: ${folds} folds but no class has that many rows; ask for at most ${Math.max(...counts)} folds.`,
    );
  const sorted = Int32Array.from(encoded).sort();
  const allocation = Array.from({ length: folds }, (_, f) => {
    const row = new Int32Array(classes);
    for (let i = f; i < n; i += folds) row[sorted[i]!]!++;
    return row;
  });
  for (let k = 0; k < classes; k++) {
    const slots: number[] = [];
    for (let f = 0; f < folds; f++) for (let j = 0; j < allocation[f]![k]!; j++) slots.push(f);
    const order = random ? permutation(slots.length, random) : null;
    let at = 0;
    for (let i = 0; i < n; i++) if (encoded[i] === k) foldOf[i] = slots[order ? order[at++]! : at++]!;
  }
}
