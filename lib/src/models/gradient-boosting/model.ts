/**
 * `GradientBoosting`: the estimator users hold. It fits on a DataFrame and a target column or on tensors, predicts
 * labels or values, class probabilities, and reports what it learned (trees, depth, feature importances).
 */
import type * as TF from '@tensorflow/tfjs';
import type { ColumnTable } from 'arquero';
import { tfjs } from '../../core/tfjs.js';
import { displaySymbol, type MimeBundle } from '../../display/mime.js';
import { fromJSON as transformFromJSON } from '../../preprocess/index.js';
import type { Estimator } from '../../validate/estimator.js';
import { boost } from './boosting.js';
import { summaryBundle, type GbmSummaryView } from './display.js';
import { stateFromJSON, stateToJSON, type GradientBoostingJSON } from './format.js';
import { badInput, GradientBoostingError } from './errors.js';
import {
  frameFeatures,
  frameTarget,
  tensorFeatures,
  tensorTarget,
  type Features,
  type Label,
  type Target,
} from './inputs.js';
import { lossOf, type LossKind } from './losses.js';
import { boostSettings, type GradientBoostingOptions } from './options.js';
import { probabilities, rawScores } from './predict.js';
import { leafCount, treeDepth, type Tree } from './tree.js';

/** A feature's share of what the trees learned. */
export interface GbmFeatureImportance {
  /** The feature's name. */
  feature: string;
  /** Total split gain of the feature over all trees (`gain`), or its number of splits (`split`). */
  importance: number;
}

/** The shape of a fitted model (`gbm.summary()`). */
export interface GbmSummary {
  /** Trees in all (iterations × outputs). */
  trees: number;
  /** Boosting iterations kept. */
  iterations: number;
  /** The deepest tree's depth. */
  depth: number;
  /** Mean leaves per tree. */
  leaves: number;
}

/** What a fitted model holds (and saves). */
export interface GbmState {
  /** `classification` or `regression`. */
  task: 'classification' | 'regression';
  /** The loss the trees minimized. */
  loss: LossKind;
  /** The classes in id order (classification). */
  classes: Label[] | null;
  /** Starting raw score per output. */
  base: Float64Array;
  /** Trees, iteration-major (tree `i * outputs + k` adds to output `k`). */
  trees: Tree[];
  /** Feature names, in the order the trees index them. */
  featureNames: string[];
  /** The target column when fitted on a DataFrame. */
  target: string | null;
  /** The labels' shape per row when fitted on tensors: 0 for `[rows]`, else the width of `[rows, width]`. */
  labelWidth: number;
  /** Iterations kept. */
  iterations: number;
  /** Training loss per iteration. */
  trainLoss: number[];
  /** Validation loss per iteration (early stopping). */
  validLoss: number[];
}

/** Whether `value` is a DataFrame (an arquero table). */
function isFrame(value: unknown): value is ColumnTable {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as ColumnTable).columnNames === 'function' &&
    typeof (value as ColumnTable).numRows === 'function'
  );
}

/**
 * Histogram-based gradient-boosted trees (LightGBM's algorithm): classification with log-loss (softmax above two
 * classes), regression with squared error. Implements the `Estimator` protocol, so `lepton.crossValidate` and
 * `lepton.tune({ cv })` take it.
 */
export class GradientBoosting implements Estimator {
  /** `gradient boosting`. */
  readonly name = 'gradient boosting';
  /** The options it was made with. */
  readonly options: Readonly<GradientBoostingOptions>;
  /** What fitting learned; null before `fit`. */
  protected state: GbmState | null = null;

  /** @param options see `GradientBoostingOptions` (checked here, before any data is read) */
  constructor(options: GradientBoostingOptions = {}) {
    boostSettings(options);
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a guard for callers without type checking (JavaScript, notebook cells); the type says it cannot happen, the runtime may
    if (options.task !== undefined && options.task !== 'classification' && options.task !== 'regression') {
      throw badInput(`task must be 'classification' or 'regression', got ${JSON.stringify(options.task)}.`);
    }
    this.options = { ...options };
  }

  /** Whether `fit` has run. */
  get fitted(): boolean {
    return this.state !== null;
  }

  /** The classes in the order of `predictProba`'s columns (classification; empty for regression). */
  get classes(): Label[] {
    return [...(this.state?.classes ?? [])];
  }

  /** The feature names, in the order of the model's input columns. */
  get featureNames(): string[] {
    return [...this.fitted_('featureNames').featureNames];
  }

  /** The fitted trees (read-only view; tree `i * outputs + k` adds to output `k`). */
  get trees(): readonly Tree[] {
    return this.fitted_('trees').trees;
  }

  /**
   * Learns from a DataFrame and its target column, or from tensors `x` [rows, features] and labels `y` (class ids,
   * one-hot rows, or values). Missing feature values (null, NaN) are handled by the trees.
   * @example const gbm = lepton.models.gradientBoosting({ trees: 200 }).fit(train, 'Species')
   */
  fit(x: TF.Tensor, y: TF.Tensor): this;
  fit(df: ColumnTable, target: string): this;
  fit(x: TF.Tensor | ColumnTable, y: TF.Tensor | string): this {
    const settings = boostSettings(this.options);
    let features: Features;
    let target: Target;
    let task: 'classification' | 'regression';
    let featureNames: string[];
    let targetName: string | null = null;
    if (isFrame(x)) {
      if (typeof y !== 'string')
        throw badInput(
          `fit(df, target): the target must be a column name (one of ${x
            .columnNames()
            .map((c) => JSON.stringify(c))
            .join(', ')}), got ${typeof y}.`,
        );
      if (x.numRows() === 0) throw badInput('fit: the frame is empty (0 rows).');
      ({ target, task } = frameTarget(x, y, this.options.task));
      targetName = y;
      const frame = this.encode(x, y, true);
      featureNames = this.options.features ?? frame.columnNames().filter((c) => c !== y);
      if (featureNames.includes(y))
        throw badInput(`fit: the target ${JSON.stringify(y)} is among the features; leave it out of features.`);
      if (featureNames.length === 0) throw badInput(`fit: no feature columns besides the target ${JSON.stringify(y)}.`);
      features = frameFeatures(frame, featureNames, 'fit');
    } else {
      if (typeof y === 'string')
        throw badInput('fit(x, y): a target column name needs a DataFrame as the first argument.');
      features = tensorFeatures(x, 'fit');
      ({ target, task } = tensorTarget(y, features.rows, this.options.task));
      featureNames = this.options.featureNames ?? features.columns.map((_, j) => `x${j}`);
      if (featureNames.length !== features.columns.length)
        throw badInput(`fit: ${featureNames.length} featureNames for ${features.columns.length} features in x.`);
    }
    if (features.rows < 2) throw badInput(`fit: needs at least 2 rows, got ${features.rows}.`);
    const classes = target.classes?.length ?? 0;
    const kind: LossKind = task === 'regression' ? 'squaredError' : classes === 2 ? 'logLoss' : 'softmax';
    const deadline = this.options.deadline ?? Infinity;
    const boosted = boost(features.columns, target.y, lossOf(kind, classes), settings, () => Date.now() > deadline);
    this.state = {
      task,
      loss: kind,
      classes: target.classes,
      base: boosted.base,
      trees: boosted.trees,
      featureNames,
      target: targetName,
      labelWidth: target.shape.length === 2 ? target.shape[1]! : 0,
      iterations: boosted.iterations,
      trainLoss: boosted.trainLoss,
      validLoss: boosted.validLoss,
    };
    return this;
  }

  /**
   * Predictions. For tensors, shaped as the training labels were: class ids (int32 `[rows]`), probabilities for
   * one-hot labels (`[rows, classes]`), or values. For a DataFrame, one label (or value) per row.
   * @example gbm.predict(test) // ['Adelie', 'Gentoo', …]
   */
  predict(x: TF.Tensor): TF.Tensor;
  predict(df: ColumnTable): Label[];
  predict(x: TF.Tensor | ColumnTable): TF.Tensor | Label[] {
    const state = this.fitted_('predict');
    const raw = this.raw(x, 'predict');
    const rows = raw.length / state.base.length;
    if (isFrame(x)) {
      if (state.task === 'regression') return Array.from(raw);
      const ids = classIds(raw, state);
      return Array.from(ids, (id) => state.classes![id]!);
    }
    const tf = tfjs();
    if (state.task === 'regression')
      return tf.tensor(Float32Array.from(raw), state.labelWidth ? [rows, state.labelWidth] : [rows]);
    if (state.labelWidth > 1)
      return tf.tensor2d(Float32Array.from(probabilities(raw, state.loss, state.classes!.length)), [
        rows,
        state.classes!.length,
      ]);
    return tf.tensor1d(classIds(raw, state), 'int32');
  }

  /**
   * Class probabilities [rows, classes] (columns in the order of `classes`), from a DataFrame or a tensor.
   * @example gbm.predictProba(test).print()
   */
  predictProba(x: TF.Tensor | ColumnTable): TF.Tensor2D {
    const state = this.fitted_('predictProba');
    if (state.task !== 'classification') throw badInput('predictProba: this model is a regression; use predict.');
    const raw = this.raw(x, 'predictProba');
    const k = state.classes!.length;
    return tfjs().tensor2d(Float32Array.from(probabilities(raw, state.loss, k)), [raw.length / state.base.length, k]);
  }

  /** The raw scores (sums of tree values; log-odds for classification) [rows, outputs], row-major. */
  rawPredict(x: TF.Tensor | ColumnTable): Float64Array {
    return this.raw(x, 'rawPredict');
  }

  /**
   * Feature importances, largest first: total split gain per feature (`gain`, default) or number of splits.
   * @example gbm.featureImportances().slice(0, 5)
   */
  featureImportances(kind: 'gain' | 'split' = 'gain'): GbmFeatureImportance[] {
    const state = this.fitted_('featureImportances');
    const totals = new Float64Array(state.featureNames.length);
    for (const tree of state.trees) {
      for (let i = 0; i < tree.feature.length; i++)
        if (tree.feature[i]! >= 0) totals[tree.feature[i]!]! += kind === 'gain' ? tree.gain[i]! : 1;
    }
    return state.featureNames
      .map((feature, j) => ({ feature, importance: totals[j]! }))
      .sort((a, b) => b.importance - a.importance);
  }

  /** Trees, deepest tree, mean leaves per tree. */
  summary(): GbmSummary {
    const state = this.fitted_('summary');
    const depth = state.trees.reduce((d, t) => Math.max(d, treeDepth(t)), 0);
    const leaves = state.trees.reduce((s, t) => s + leafCount(t), 0) / Math.max(1, state.trees.length);
    return { trees: state.trees.length, iterations: state.iterations, depth, leaves };
  }

  /**
   * The model as JSON (options, encoder and trees); `lepton.models.gradientBoosting.fromJSON` restores it.
   * @example writeFileSync('gbm.json', JSON.stringify(gbm))
   */
  toJSON(): GradientBoostingJSON {
    // A deadline is an instant of this session, not a setting of the model: a restored model fits without one.
    const { encoder, deadline, ...options } = this.options;
    return {
      format: 'lepton.gradientBoosting',
      version: 1,
      options: { ...structuredClone(options), ...(encoder ? { encoder: encoder.toJSON() } : {}) },
      state: this.state ? stateToJSON(this.state) : null,
    };
  }

  /**
   * A model from its JSON (the object `toJSON` returned, or its text), fitted if it was.
   * @example const gbm = lepton.models.gradientBoosting.fromJSON(readFileSync('gbm.json', 'utf8'))
   */
  static fromJSON(json: GradientBoostingJSON | string): GradientBoosting {
    let value: GradientBoostingJSON;
    try {
      value = (typeof json === 'string' ? JSON.parse(json) : json) as GradientBoostingJSON;
    } catch (error) {
      throw new GradientBoostingError(
        'LEPTON_GBM_BAD_JSON',
        `gradientBoosting.fromJSON: the text is not JSON (${(error as Error).message}).`,
      );
    }
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- saved JSON may be older or edited by hand; its declared type is what it should be, not what it is
    if (!value || value.format !== 'lepton.gradientBoosting')
      throw new GradientBoostingError(
        'LEPTON_GBM_BAD_JSON',
        // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- saved JSON may be older or edited by hand; its declared type is what it should be, not what it is
        `gradientBoosting.fromJSON: expected an object with format "lepton.gradientBoosting" (from gbm.toJSON()), got ${value === null ? 'null' : JSON.stringify((value as { format?: unknown }).format)}.`,
      );
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- saved JSON may be older or edited by hand; its declared type is what it should be, not what it is
    if (value.version !== 1)
      throw new GradientBoostingError(
        'LEPTON_GBM_BAD_JSON',
        `gradientBoosting.fromJSON: format version ${String(value.version)} is not supported (this Lepton reads version 1).`,
      );
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- saved JSON may be older or edited by hand; its declared type is what it should be, not what it is
    const { encoder, ...options } = value.options ?? {};
    const model = new GradientBoosting({ ...options, ...(encoder ? { encoder: transformFromJSON(encoder) } : {}) });
    model.state = value.state ? stateFromJSON(value.state) : null;
    return model;
  }

  /** What the notebook display shows. */
  private view(): GbmSummaryView {
    const { encoder, features, featureNames, deadline, ...settings } = this.options;
    return {
      task: this.state?.task ?? null,
      classes: this.state?.classes ?? [],
      shape: this.state ? this.summary() : null,
      importances: this.state ? this.featureImportances() : [],
      settings,
    };
  }

  /** The summary: task, trees, depth, leaves and a bar chart of the top feature importances. */
  [displaySymbol](): MimeBundle {
    return summaryBundle(this.view());
  }

  /** The summary as text. */
  toString(): string {
    return String(summaryBundle(this.view())['text/plain']);
  }

  /** The fitted state, or a clear error. */
  protected fitted_(what: string): GbmState {
    if (!this.state)
      throw new GradientBoostingError(
        'LEPTON_GBM_NOT_FITTED',
        `gradientBoosting.${what}: the model is not fitted; call fit(df, target) or fit(x, y) first.`,
      );
    return this.state;
  }

  /** Raw scores for a frame or a tensor. */
  private raw(x: TF.Tensor | ColumnTable, context: string): Float64Array {
    const state = this.fitted_(context);
    let features: Features;
    if (isFrame(x)) features = frameFeatures(this.encode(x, state.target, false), state.featureNames, context);
    else features = tensorFeatures(x, context, state.featureNames.length);
    return rawScores(state.trees, state.base, features.columns, features.rows);
  }

  /** The frame through the encoder (fitted on the training frame, without the target, when `fitting`). */
  private encode(frame: ColumnTable, target: string | null, fitting: boolean): ColumnTable {
    const encoder = this.options.encoder;
    if (!encoder) return frame;
    if (fitting && !encoder.fitted)
      encoder.fit(target === null ? frame : frame.select(frame.columnNames().filter((c) => c !== target)));
    return encoder.transform(frame);
  }
}

/** The most probable class id of each row. */
function classIds(raw: Float64Array, state: GbmState): Int32Array {
  const K = state.base.length;
  const rows = raw.length / K;
  const out = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    if (K === 1) out[r] = raw[r]! > 0 ? 1 : 0;
    else {
      let best = 0;
      for (let k = 1; k < K; k++) if (raw[r * K + k]! > raw[r * K + best]!) best = k;
      out[r] = best;
    }
  }
  return out;
}
