/**
 * `lepton.models.gradientBoosting`: histogram-based gradient-boosted trees, the strongest model family on tables.
 * @packageDocumentation
 */
import { GradientBoosting } from './model.js';
import type { GradientBoostingJSON } from './format.js';
import type { GradientBoostingOptions } from './options.js';

export { GradientBoosting, type GbmFeatureImportance, type GbmState, type GbmSummary } from './model.js';
export type { LossKind } from './losses.js';
export { GradientBoostingError, type GradientBoostingErrorCode } from './errors.js';
export type { GradientBoostingEarlyStopping, GradientBoostingOptions } from './options.js';
export type { Label } from './inputs.js';
export type { Tree } from './tree.js';
export type { GradientBoostingJSON, GradientBoostingOptionsJSON, GbmStateJSON, TreeJSON } from './format.js';

/**
 * A gradient-boosting model (LightGBM's algorithm: binned features, leaf-wise trees), to fit on a DataFrame and its
 * target column or on tensors.
 * @example const gbm = lepton.models.gradientBoosting({ trees: 200, leaves: 31 }).fit(train, 'Species'); gbm.predict(test)
 */
export const gradientBoosting = Object.assign(
  function gradientBoosting(options: GradientBoostingOptions = {}): GradientBoosting {
    return new GradientBoosting(options);
  },
  {
    /**
     * A model from `gbm.toJSON()` (the object or its JSON text), fitted if it was.
     * @example const gbm = lepton.models.gradientBoosting.fromJSON(readFileSync('gbm.json', 'utf8'))
     */
    fromJSON: (json: GradientBoostingJSON | string): GradientBoosting => GradientBoosting.fromJSON(json),
  },
);
