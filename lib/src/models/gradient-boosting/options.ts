/** The options of `lepton.models.gradientBoosting`, their defaults (LightGBM's) and their checks. */
import type { Transform } from '../../preprocess/transform.js';
import type { BoostSettings } from './boosting.js';
import { badInput } from './errors.js';

/** Early stopping settings: hold out a share of the training rows and stop when their loss stops improving. */
export interface GradientBoostingEarlyStopping {
  /** Iterations without a better validation loss before stopping (default 10). */
  rounds?: number;
  /** Share of the training rows held out to watch (default 0.1). */
  validation?: number;
}

/** Options of `lepton.models.gradientBoosting`. */
export interface GradientBoostingOptions {
  /**
   * `classification` (log-loss; softmax above 2 classes) or `regression` (squared error). Default: inferred from
   * the target — strings, booleans, int32 or one-hot labels are classes, other numbers a regression.
   */
  task?: 'classification' | 'regression';
  /** Boosting iterations (default 100); a multiclass model grows one tree per class each. */
  trees?: number;
  /** Deepest split level of a tree (default: no limit, `leaves` decides). */
  depth?: number;
  /** Most leaves per tree, grown best-first (default 31, or `2^depth` when only `depth` is given). */
  leaves?: number;
  /** Shrinkage of every tree's values (default 0.1). */
  learningRate?: number;
  /** Fewest training rows in a leaf (default 20). */
  minLeaf?: number;
  /** L2 regularization of leaf values (default 0). */
  l2?: number;
  /** Share of rows each iteration sees, drawn with the seed (default 1). */
  subsample?: number;
  /** Stop when a held-out share stops improving: `true` for the defaults, or the settings (default off). */
  earlyStopping?: boolean | GradientBoostingEarlyStopping;
  /** Seed of every random choice (bin sample, subsamples, validation rows; default 0). */
  seed?: number;
  /** Most bins per feature, 2–255 (default 255). */
  bins?: number;
  /** Feature columns when fitting on a DataFrame (default: every column but the target). */
  features?: string[];
  /**
   * A Lepton transform applied to DataFrames before the trees see them, e.g. `lepton.preprocess.labelEncoder()`
   * for string columns (fitted on the training frame unless already fitted).
   */
  encoder?: Transform;
  /** Feature names when fitting on tensors (default `x0`, `x1`, …). */
  featureNames?: string[];
  /**
   * A time limit for `fit`, as a `Date.now()` instant: no iteration starts after it, and the model keeps the
   * iterations grown so far (at least one). `lepton.automl` passes its budget's end. Default: none.
   */
  deadline?: number;
}

/** The loop settings from the options, checked. */
export function boostSettings(options: GradientBoostingOptions): BoostSettings {
  const int = (
    name: keyof GradientBoostingOptions,
    value: number | undefined,
    fallback: number,
    min: number,
  ): number => {
    const v = value ?? fallback;
    if (!Number.isInteger(v) || v < min)
      throw badInput(`${name} must be a whole number ≥ ${min}, got ${JSON.stringify(value)}.`);
    return v;
  };
  const real = (
    name: keyof GradientBoostingOptions,
    value: number | undefined,
    fallback: number,
    ok: (v: number) => boolean,
    range: string,
  ): number => {
    const v = value ?? fallback;
    if (typeof v !== 'number' || !Number.isFinite(v) || !ok(v))
      throw badInput(`${name} must be a number ${range}, got ${JSON.stringify(value)}.`);
    return v;
  };
  const depth = options.depth === undefined ? Infinity : int('depth', options.depth, 0, 1);
  const leaves = int('leaves', options.leaves, options.depth !== undefined ? Math.min(2 ** depth, 131072) : 31, 2);
  const bins = int('bins', options.bins, 255, 2);
  if (options.deadline !== undefined && (typeof options.deadline !== 'number' || Number.isNaN(options.deadline))) {
    throw badInput(
      `deadline must be a time in ms since the epoch (e.g. Date.now() + 30_000), got ${JSON.stringify(options.deadline)}.`,
    );
  }
  if (bins > 255) throw badInput(`bins must be at most 255 (one byte per value), got ${bins}.`);
  let earlyStopping: BoostSettings['earlyStopping'] = null;
  if (options.earlyStopping) {
    const es = options.earlyStopping === true ? {} : options.earlyStopping;
    earlyStopping = {
      rounds: int('earlyStopping', es.rounds, 10, 1),
      validation: real(
        'earlyStopping',
        es.validation,
        0.1,
        (v) => v > 0 && v < 1,
        'in (0, 1) (earlyStopping.validation)',
      ),
    };
  }
  return {
    trees: int('trees', options.trees, 100, 1),
    depth,
    leaves,
    learningRate: real('learningRate', options.learningRate, 0.1, (v) => v > 0, '> 0'),
    minLeaf: int('minLeaf', options.minLeaf, 20, 1),
    minHessian: 1e-3,
    l2: real('l2', options.l2, 0, (v) => v >= 0, '≥ 0'),
    subsample: real('subsample', options.subsample, 1, (v) => v > 0 && v <= 1, 'in (0, 1]'),
    earlyStopping,
    seed: int('seed', options.seed, 0, 0),
    bins,
  };
}
