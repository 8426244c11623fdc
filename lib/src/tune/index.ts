/**
 * Hyperparameter search (`lepton.tune`): `lepton.tune(build, space, options)` runs the search; `lepton.tune.int`,
 * `.float` and `.choice` declare the space; `lepton.tune.load(path)` reads a saved study; `lepton.tune.last()`
 * returns the most recent one.
 */
import { choice, float, int } from './space.js';
import { Study } from './study.js';
import { last, tune as run } from './tune.js';

/**
 * Searches hyperparameters with `random`, `tpe` (Bayesian, the default) or `hyperband` (early stopping of bad
 * trials), seeded and resumable, showing the trials live. See `TuneOptions` for the options.
 * @example
 * const space = { lr: lepton.tune.float(1e-4, 1e-1, { log: true }), units: lepton.tune.int(4, 64), dropout: lepton.tune.float(0, 0.5) };
 * const study = await lepton.tune((p, trial) => {
 *   const model = lepton.models.mlp({ inputs: 4, hidden: [p.units], dropout: p.dropout, classes: 3, seed: trial.seed });
 *   model.compile({ optimizer: tf.train.adam(p.lr), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
 *   return model;
 * }, space, { data: trainData, fit: { validation: 0.25 }, epochs: 10, trials: 20, seed: 1, path: 'studies/penguins.json' });
 * study.best.params
 */
export const tune = Object.assign(run, {
  /** A whole-number parameter in [low, high] (`{ log: true }` for a log scale). */
  int,
  /** A real-number parameter in [low, high] (`{ log: true }` for a log scale). */
  float,
  /** A parameter taking one of the listed values. */
  choice,
  /** Reads a saved study (and its best model). */
  load: (path: string) => Study.load(path),
  /** The study of the most recent search, also after an interrupted cell. */
  last,
});

export { Study, type BestTrial, type StudySettings } from './study.js';
export { Trial, TuneError } from './trial.js';
export {
  SpaceError,
  type Space,
  type ParamSpec,
  type IntParam,
  type FloatParam,
  type ChoiceParam,
  type ChoiceValue,
  type ParamsOf,
  type ParamValues,
  type RangeOptions,
} from './space.js';
export type { TuneOptions, TuneCvOptions, Build, BuildResult } from './tune.js';
export type { TpeOptions } from './tpe.js';
export type { HyperbandOptions } from './hyperband.js';
export type { TuneViewOptions } from './view.js';
export type { StudyFileV1, BestModelRef, TrialRecord, TrialStatus, StrategyName, StrategySpec } from './format.js';
