/**
 * The JSON format of a fitted gradient-boosting model, typed apart from the class: options (the encoder as its own
 * transform JSON), then the learned state with each tree as parallel arrays.
 */
import type { TransformJSON } from '@lepton/server/preprocess';
import { GradientBoostingError } from './errors.js';
import type { GbmState } from './model.js';
import type { GradientBoostingOptions } from './options.js';
import type { Tree } from './tree.js';

/** One tree in JSON: the `Tree` arrays as plain number arrays. */
export interface TreeJSON {
  /** The feature each node tests, -1 at leaves. */
  feature: number[];
  /** The float32 threshold of each split. */
  threshold: number[];
  /** The left child of each split (-1 at leaves). */
  left: number[];
  /** The right child of each split (-1 at leaves). */
  right: number[];
  /** 1 where missing values go left. */
  missingLeft: number[];
  /** Each leaf's value (0 at splits). */
  value: number[];
  /** Each split's gain (0 at leaves). */
  gain: number[];
  /** Training rows that reached each node. */
  count: number[];
}

/** A saved gradient-boosting model (`gbm.toJSON()`, read back by `lepton.models.gradientBoosting.fromJSON`). */
export interface GradientBoostingJSON {
  /** Always `lepton.gradientBoosting`. */
  format: 'lepton.gradientBoosting';
  /** The format version (1). */
  version: 1;
  /** The options, the encoder saved as transform JSON. */
  options: GradientBoostingOptionsJSON;
  /** The fitted state (null for an unfitted model). */
  state: GbmStateJSON | null;
}

/** The options as saved: the encoder as its transform JSON. */
export interface GradientBoostingOptionsJSON extends Omit<GradientBoostingOptions, 'encoder'> {
  /** The encoder's transform JSON (`lepton.preprocess.fromJSON` restores it). */
  encoder?: TransformJSON;
}

/** The fitted state as saved: `GbmState` with plain arrays for its typed ones. */
export interface GbmStateJSON extends Omit<GbmState, 'base' | 'trees'> {
  /** Starting raw score per output. */
  base: number[];
  /** The trees, iteration-major. */
  trees: TreeJSON[];
}

/** The state as JSON. */
export function stateToJSON(state: GbmState): GbmStateJSON {
  return {
    task: state.task,
    loss: state.loss,
    classes: state.classes ? [...state.classes] : null,
    base: Array.from(state.base),
    featureNames: [...state.featureNames],
    target: state.target,
    labelWidth: state.labelWidth,
    iterations: state.iterations,
    trainLoss: [...state.trainLoss],
    validLoss: [...state.validLoss],
    trees: state.trees.map((t) => ({
      feature: Array.from(t.feature),
      threshold: Array.from(t.threshold),
      left: Array.from(t.left),
      right: Array.from(t.right),
      missingLeft: Array.from(t.missingLeft),
      value: Array.from(t.value),
      gain: Array.from(t.gain),
      count: Array.from(t.count),
    })),
  };
}

/** The state from JSON, checked so that a damaged file fails here and not inside a prediction. */
export function stateFromJSON(json: GbmStateJSON): GbmState {
  const bad = (what: string): GradientBoostingError =>
    new GradientBoostingError(
      'LEPTON_GBM_BAD_JSON',
      `gradientBoosting.fromJSON: ${what}; pass the object gbm.toJSON() returned (or its JSON text).`,
    );
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- saved JSON may be older or edited by hand; its declared type is what it should be, not what it is
  if (json.task !== 'classification' && json.task !== 'regression')
    throw bad(`unknown task ${JSON.stringify(json.task)}`);
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- saved JSON may be older or edited by hand; its declared type is what it should be, not what it is
  if (json.loss !== 'squaredError' && json.loss !== 'logLoss' && json.loss !== 'softmax')
    throw bad(`unknown loss ${JSON.stringify(json.loss)}`);
  if (!Array.isArray(json.base) || !Array.isArray(json.trees) || !Array.isArray(json.featureNames))
    throw bad('base, trees and featureNames must be arrays');
  const d = json.featureNames.length;
  const trees: Tree[] = json.trees.map((t, i) => {
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- saved JSON may be older or edited by hand; its declared type is what it should be, not what it is
    const n = t.feature?.length ?? 0;
    const keys = ['threshold', 'left', 'right', 'missingLeft', 'value', 'gain', 'count'] as const;
    if (n === 0 || keys.some((k) => !Array.isArray(t[k]) || t[k].length !== n))
      throw bad(`tree ${i} has arrays of different lengths`);
    for (let j = 0; j < n; j++) {
      const f = t.feature[j]!;
      if (f >= d || (f >= 0 && (!(t.left[j]! > j && t.left[j]! < n) || !(t.right[j]! > j && t.right[j]! < n))))
        throw bad(`tree ${i} node ${j} points outside the tree or the ${d} features`);
    }
    return {
      feature: Int32Array.from(t.feature),
      threshold: Float64Array.from(t.threshold),
      left: Int32Array.from(t.left),
      right: Int32Array.from(t.right),
      missingLeft: Uint8Array.from(t.missingLeft),
      value: Float64Array.from(t.value),
      gain: Float64Array.from(t.gain),
      count: Float64Array.from(t.count),
    };
  });
  if (json.base.length === 0 || trees.length % json.base.length !== 0)
    throw bad(`${trees.length} trees do not divide among ${json.base.length} outputs`);
  return {
    task: json.task,
    loss: json.loss,
    classes: json.classes,
    base: Float64Array.from(json.base),
    trees,
    featureNames: [...json.featureNames],
    target: json.target,
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- saved JSON may be older or edited by hand; its declared type is what it should be, not what it is
    labelWidth: json.labelWidth ?? 0,
    iterations: json.iterations,
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- saved JSON may be older or edited by hand; its declared type is what it should be, not what it is
    trainLoss: json.trainLoss ?? [],
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- saved JSON may be older or edited by hand; its declared type is what it should be, not what it is
    validLoss: json.validLoss ?? [],
  };
}
