/**
 * AutoML (`lepton.automl`): from a table and a target to a deployable pipeline in one call — the data checked,
 * preprocessing chosen per column type and fitted inside each fold, model families tuned by TPE under a budget
 * with a live leaderboard, the best refitted on every row.
 * @packageDocumentation
 */
import { automl as run, last } from './automl.js';

/**
 * Finds the best pipeline predicting a column: `await lepton.automl(df, { target, budget: { seconds: 60 } })`.
 * `lepton.automl.last()` returns the most recent result, also after an interrupted cell.
 * @example const result = await lepton.automl(lepton.datasets.penguins(), { target: 'Species', budget: { trials: 8 }, seed: 0 })
 */
export const automl = Object.assign(run, {
  /** The most recent result, also after an interrupted cell (leaderboard and best pipeline so far). */
  last,
});
export { AutomlResult } from './result.js';
export { AutomlPipeline, type ExplainOptions } from './pipeline.js';
export { Leaderboard, type LeaderboardEntry, type LeaderboardJSON, type SearchState } from './leaderboard.js';
export { AutomlError, type AutomlErrorCode } from './errors.js';
export type { AutomlOptions, AutomlBudget, AutomlTask, AutomlMetric } from './options.js';
export type { ExcludedColumn } from './columns.js';
export type { Family, FamilyContext, FamilyModel } from './families/index.js';
