/**
 * `lepton.tune`: runs trials one after another — parameters from the strategy, a model from `build`, trained by
 * `lepton.fit` — with a live chart, saving the study after every trial.
 */
import { existsSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { getHost } from '../display/host.js';
import type { FitData } from '../train/data.js';
import type { FitOptions } from '../train/fit.js';
import { fit } from '../train/fit.js';
import { formatSeconds } from '../display/units.js';
import type { StrategyName, TrialRecord } from './format.js';
import { hyperbandStrategy, type HyperbandOptions } from './hyperband.js';
import { randomStrategy } from './random.js';
import { canonical, describeParam, sameSpace, validateSpace, type ParamsOf, type Space } from './space.js';
import { mixSeed, type Strategy, type StrategyContext } from './strategy.js';
import { disposeModel, Study, studyPathFor, type StudySettings } from './study.js';
import { tpeStrategy, type TpeOptions } from './tpe.js';
import { Trial, TuneError } from './trial.js';
import { TuneView, type TuneViewOptions } from './view.js';
import { crossValidate } from '../validate/cross-validate.js';
import type { Fold, Splitter } from '../validate/folds.js';
import type { MetricName } from '../validate/metrics.js';
import { TrialError } from './errors.js';

/** What `build` may return: a model (`lepton.tune` trains it), or the objective of a trial it ran itself. */
export type BuildResult =
  | tf.LayersModel
  | number
  | {
      /** The trial's objective value. */
      value: number;
      /** The model it trained, kept if the trial turns out best. */
      model?: tf.LayersModel;
    };

/** Makes one trial's model from its parameters, or runs the whole trial and returns its objective. */
export type Build<S extends Space> = (
  params: ParamsOf<S>,
  trial: Trial<ParamsOf<S>>,
) => BuildResult | Promise<BuildResult>;

/** Scoring each trial by cross-validation (`lepton.tune(..., { cv })`): a fresh model per fold, the mean as objective. */
export interface TuneCvOptions {
  /** k of an unshuffled k-fold split (default 5), when no `splitter` is given. */
  folds?: number;
  /** The folds, e.g. `lepton.timeSeriesSplit(n, { folds: 4 })` for series. */
  splitter?: Fold[] | Splitter;
  /** The metric averaged over the folds (default `mae`; `accuracy` for crossentropy losses); the objective is `cv_<metric>`. */
  metric?: MetricName;
}

/** Options of `lepton.tune`. */
export interface TuneOptions {
  /**
   * Score each trial by cross-validation on `data` (`{ x, y }` tensors) instead of one training run: a number of
   * folds, or the folds and metric. `build` is called once per fold, and the study keeps no model.
   */
  cv?: number | TuneCvOptions;
  /** Trials in the study, those of a resumed study included (default 20). */
  trials?: number;
  /** `random`, `tpe` (default) or `hyperband`. */
  strategy?: StrategyName;
  /** TPE's settings (startup trials, candidates). */
  tpe?: TpeOptions;
  /** Hyperband's settings (minimum epochs, reduction factor η). */
  hyperband?: HyperbandOptions;
  /** Seed of the parameters and of each trial's training (default: random, stored in the study). */
  seed?: number;
  /** The most epochs a trial trains (Hyperband's maximum budget; default 10). */
  epochs?: number;
  /** Training data, when `build` returns a model. */
  data?: FitData;
  /** `lepton.fit` options for each trial (loss, batch size, validation, …); `epochs` is the option above. */
  fit?: Omit<FitOptions, 'epochs' | 'live'>;
  /** What to optimise: a training-log name (default `val_acc` with validation, else `acc`; `val_accuracy` works too). */
  objective?: string;
  /** `max` or `min` (default: `max` for accuracy-like names, else `min`). */
  direction?: 'min' | 'max';
  /** The study file (JSON, written atomically after every trial); an existing one is resumed. */
  path?: string;
  /** The study's name; without `path`, the file is `studies/<name>.json` in the Lepton home. */
  name?: string;
  /** Resume the study at `path`/`name` when it exists (default true); `false` starts over and overwrites it. */
  resume?: boolean;
  /** The live chart and table: `false` hides them. */
  live?: boolean | TuneViewOptions;
  /** Stop the search after this many failed trials in a row (default 5): a broken `build` fails every trial. */
  stopAfterFailures?: number;
}

const accuracyLike = (name: string) => /acc|precision|recall|auc|f1/i.test(name);
let lastStudy: Study | undefined;

/** The study of the most recent `lepton.tune` (also after an interrupted cell, whose `tune` never returned). */
export function last(): Study | undefined {
  return lastStudy;
}

function makeStrategy(name: StrategyName, context: StrategyContext, options: TuneOptions): Strategy {
  if (name === 'random') return randomStrategy(context);
  if (name === 'tpe') return tpeStrategy(context, options.tpe);
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a guard for callers without type checking (JavaScript, notebook cells); the type says it cannot happen, the runtime may
  if (name === 'hyperband') return hyperbandStrategy(context, options.hyperband);
  throw new TuneError(
    'LEPTON_TUNE_BAD_OPTION',
    `Unknown strategy '${String(name)}': use 'random', 'tpe' or 'hyperband'.`,
  );
}

function checkOptions(options: TuneOptions): void {
  const whole = (v: number | undefined, what: string, min: number) => {
    if (v !== undefined && !(Number.isInteger(v) && v >= min))
      throw new TuneError('LEPTON_TUNE_BAD_OPTION', `${what} must be a whole number ≥ ${min} (got ${v}).`);
  };
  whole(options.trials, 'trials', 1);
  whole(options.epochs, 'epochs', 1);
  whole(options.stopAfterFailures, 'stopAfterFailures', 1);
  if (options.seed !== undefined && !Number.isFinite(options.seed))
    throw new TuneError('LEPTON_TUNE_BAD_OPTION', `seed must be a number (got ${options.seed}).`);
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a guard for callers without type checking (JavaScript, notebook cells); the type says it cannot happen, the runtime may
  if (options.direction !== undefined && options.direction !== 'min' && options.direction !== 'max')
    throw new TuneError(
      'LEPTON_TUNE_BAD_OPTION',
      `direction must be 'min' or 'max' (got ${String(options.direction)}).`,
    );
  if (options.fit && 'epochs' in options.fit)
    throw new TuneError(
      'LEPTON_TUNE_BAD_OPTION',
      "Pass epochs as lepton.tune's own option ({ epochs: 10 }), not inside fit: Hyperband decides how many of them each trial trains.",
    );
}

/** A study file to resume, or the settings of a new study; checked against the options either way. */
async function openStudy<S extends Space>(
  space: S,
  options: TuneOptions,
): Promise<{ resumed: Study<S> } | { settings: Omit<StudySettings, 'strategy'> }> {
  const path = options.path ? resolve(options.path) : options.name ? studyPathFor(options.name) : null;
  const strategyName = options.strategy ?? 'tpe';
  if (path && existsSync(path) && options.resume !== false) {
    const study = await Study.load<S>(path);
    const mismatch = (what: string, there: string, here: string) =>
      new TuneError(
        'LEPTON_TUNE_STUDY_MISMATCH',
        `The study in ${path} was made with ${what} ${there}, not ${here}: pass the same settings to resume it, another path or name for a new study, or resume: false to start over (the file is overwritten).`,
      );
    if (!sameSpace(study.space, space)) {
      const describe = (s: Space) =>
        Object.entries(canonical(s))
          .map(([k, p]) => `${k}: ${describeParam(p)}`)
          .join('; ');
      throw mismatch('the space', `{ ${describe(study.space)} }`, `{ ${describe(space)} }`);
    }
    if (study.strategy.name !== strategyName) throw mismatch('the strategy', study.strategy.name, strategyName);
    if (options.seed !== undefined && options.seed !== study.seed)
      throw mismatch('the seed', String(study.seed), String(options.seed));
    if (options.objective !== undefined && options.objective !== study.objective)
      throw mismatch('the objective', study.objective, options.objective);
    if (options.direction !== undefined && options.direction !== study.direction)
      throw mismatch('the direction', study.direction, options.direction);
    if (options.epochs !== undefined && options.epochs !== study.epochs)
      throw mismatch('epochs', String(study.epochs), String(options.epochs));
    return { resumed: study };
  }
  const validation = options.fit?.validation !== undefined;
  const objective =
    options.objective ??
    (options.cv !== undefined
      ? `cv_${cvMetric(options)}`
      : options.data === undefined || validation
        ? 'val_acc'
        : 'acc');
  return {
    settings: {
      name: options.name ?? (path ? basename(path, '.json') : 'study'),
      path,
      seed: options.seed ?? Math.floor(Math.random() * 2 ** 31),
      objective,
      direction: options.direction ?? (accuracyLike(objective) ? 'max' : 'min'),
      epochs: options.epochs ?? 10,
      space: canonical(space),
    },
  };
}

/** The metric of `cv`: given, or accuracy for crossentropy losses, else MAE. */
function cvMetric(options: TuneOptions): MetricName {
  const given = typeof options.cv === 'object' ? options.cv.metric : undefined;
  return given ?? (/crossentropy/i.test(String(options.fit?.loss ?? '')) ? 'accuracy' : 'mae');
}

/** A trial's objective by cross-validation: `first` trains on fold 0, `build` makes the other folds' models. */
async function crossValidateTrial(
  first: tf.LayersModel,
  build: () => BuildResult | Promise<BuildResult>,
  options: TuneOptions,
  epochs: number,
  seed: number,
): Promise<number> {
  const data = options.data as { x?: unknown; y?: unknown } | undefined;
  if (!data || !(data.x instanceof tf.Tensor) || !(data.y instanceof tf.Tensor)) {
    first.dispose();
    throw new TuneError(
      'LEPTON_TUNE_BAD_OPTION',
      'cv scores trials on { x, y } tensors: pass data: { x, y } (e.g. windows from lepton.preprocess.windows).',
    );
  }
  const cv = typeof options.cv === 'number' ? { folds: options.cv } : (options.cv ?? {});
  const metric = cvMetric(options);
  let pending: tf.LayersModel | null = first;
  const result = await crossValidate(
    async () => {
      if (pending) {
        const model = pending;
        pending = null;
        return model;
      }
      const next = await build();
      if (!(next instanceof tf.LayersModel))
        throw new TuneError('LEPTON_TUNE_BAD_BUILD', 'with cv, build must return a tfjs model for every fold.');
      return next;
    },
    // `instanceof` on the generic Tensor class narrows to Tensor<any>.
    { x: data.x as tf.Tensor, y: data.y as tf.Tensor },
    {
      ...(cv.splitter ? { splitter: cv.splitter } : { folds: cv.folds ?? 5 }),
      fit: { ...options.fit, epochs },
      metrics: [metric],
      seed,
      live: false,
    },
  );
  return result.mean(metric);
}

/**
 * Searches hyperparameters: runs `trials` trials, each with parameters from the strategy, and keeps the best.
 *
 * `build(params, trial)` returns either a model — compiled, or compiled by `fit: { loss }` — which is trained on
 * `data` for `epochs` by `lepton.fit` and judged by `objective` (default `val_acc`) after its last epoch; or the
 * objective itself (a number, or `{ value, model }`) of a trial it ran on its own, reporting epochs with
 * `trial.report(epoch, value)` or `callbacks: trial.callbacks` so Hyperband can stop it early.
 *
 * While it runs, the cell shows the trials live: the objective by trial with the best so far, the parameters in
 * parallel coordinates, and a table of the best configurations. A trial whose `build` or training throws is marked
 * failed with its message, and the search goes on. Interrupting the cell stops the search and keeps the finished
 * trials. With `path` or `name` the study is saved after each trial (atomically) and a later call resumes it.
 * @param build makes a trial's model from its params (or runs the trial)
 * @param space the parameters: `{ lr: lepton.tune.float(1e-4, 1e-1, { log: true }), units: lepton.tune.int(8, 64) }`
 * @param options trials, strategy, seed, epochs, data, fit options, objective, path or name
 * @returns the study: `study.best` has the best params, value and trained model
 * @example const study = await lepton.tune((p, trial) => lepton.models.mlp({ inputs: 4, hidden: [p.units], classes: 3, seed: trial.seed }), { units: lepton.tune.int(4, 64) }, { data, fit: { loss: 'sparseCategoricalCrossentropy', validation: 0.2 }, trials: 20 })
 */
export async function tune<S extends Space>(build: Build<S>, space: S, options: TuneOptions = {}): Promise<Study<S>> {
  if (typeof build !== 'function')
    throw new TuneError(
      'LEPTON_TUNE_BAD_BUILD',
      "lepton.tune(build, space, options) needs build: a function from a trial's params to a compiled model (or to its objective value).",
    );
  validateSpace(space);
  checkOptions(options);
  const opened = await openStudy(space, options);
  const settings = 'resumed' in opened ? opened.resumed : opened.settings;
  const context: StrategyContext = {
    space: settings.space,
    seed: settings.seed,
    direction: settings.direction,
    epochs: settings.epochs,
  };
  const strategy = makeStrategy(options.strategy ?? 'tpe', context, options);
  const resumed = 'resumed' in opened;
  if ('resumed' in opened && JSON.stringify(strategy.spec) !== JSON.stringify(opened.resumed.strategy)) {
    throw new TuneError(
      'LEPTON_TUNE_STUDY_MISMATCH',
      `The study in ${opened.resumed.path} was made with the strategy ${JSON.stringify(opened.resumed.strategy)}, not ${JSON.stringify(strategy.spec)}: pass the same strategy settings to resume it, or resume: false to start over.`,
    );
  }
  const study = 'resumed' in opened ? opened.resumed : Study.create<S>({ ...opened.settings, strategy: strategy.spec });
  lastStudy = study;

  const total = options.trials ?? 20;
  const stopAfter = options.stopAfterFailures ?? 5;
  const signal = getHost().signal();
  const live = options.live === false ? { show: false } : options.live === true ? {} : (options.live ?? {});
  const view = new TuneView(study, live);
  const started = Date.now();
  const startCount = study.trials.length;
  let finished = false;

  const finish = (status: 'finished' | 'stopped' | 'interrupted' | 'failed', message: string) => {
    if (finished) return;
    finished = true;
    study.running = null;
    view.finish(status, message);
  };
  const saved = study.path ? `saved in ${study.path}` : 'kept in the returned study (pass { path } to save it)';
  // After an interrupt the kernel clears the cell's timers, so the loop may never resume: report at once.
  const onAbort = () => {
    const cut = study.running ? ` during trial ${study.running.number}` : '';
    finish(
      'interrupted',
      `Interrupted${cut}: the ${study.trials.length} finished trials are ${saved}; run the cell again to resume${study.path ? '' : ' (with a path)'}, and lepton.tune.last() returns this study.`,
    );
  };
  signal.addEventListener('abort', onAbort, { once: true });

  try {
    if (resumed) view.state.message = `Resumed ${startCount} finished trials from ${study.path}.`;
    view.refresh(true, true);
    let failuresInRow = 0;
    let stoppedFor: string | null = null;
    while (study.trials.length < total && !signal.aborted) {
      const number = study.trials.length;
      const record: TrialRecord = {
        number,
        params: strategy.suggest(number, study.trials),
        status: 'running',
        value: null,
        intermediate: [],
        epochs: 0,
        bracket: strategy.bracket(number),
        seconds: 0,
        error: null,
        seed: mixSeed(study.seed, number, 0x5eed) % 2 ** 31,
      };
      study.running = record;
      view.refresh(true, true);
      const trialStart = Date.now();
      const trial = new Trial<ParamsOf<S>>(
        record,
        study.objective,
        study.epochs,
        signal,
        () => strategy.shouldStop(record, study.trials),
        () => view.refresh(),
      );
      let model: tf.LayersModel | null = null;
      try {
        const result = await build({ ...record.params } as ParamsOf<S>, trial);
        let value: number;
        if (result instanceof tf.LayersModel && options.cv !== undefined) {
          value = await crossValidateTrial(
            result,
            () => build({ ...record.params } as ParamsOf<S>, trial),
            options,
            study.epochs,
            record.seed,
          );
        } else if (result instanceof tf.LayersModel) {
          model = result;
          if (options.data === undefined)
            throw new TuneError(
              'LEPTON_TUNE_NO_DATA',
              'build returned a model, but there is no data to train it on: pass { data } (and fit options such as { validation: 0.2 }) to lepton.tune.',
            );
          const fitCallbacks =
            options.fit?.callbacks === undefined
              ? []
              : Array.isArray(options.fit.callbacks)
                ? options.fit.callbacks
                : [options.fit.callbacks];
          await fit(model, options.data, {
            ...options.fit,
            epochs: study.epochs,
            seed: options.fit?.seed ?? record.seed,
            live: false,
            callbacks: [trial.callbacks, ...fitCallbacks],
          });
          // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- the flag changes while awaiting (abort signal), which narrowing cannot see
          if (trial.lastValue === undefined && !signal.aborted)
            throw new TrialError('training ended before its first epoch, so there is no objective value.');
          value = trial.lastValue ?? NaN;
        } else if (typeof result === 'number') value = result;
        else if (
          typeof result === 'object' &&
          // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a guard for callers without type checking (JavaScript, notebook cells); the type says it cannot happen, the runtime may
          result !== null &&
          typeof (result as { value?: unknown }).value === 'number'
        ) {
          value = result.value;
          model = result.model ?? null;
        } else {
          throw new TuneError(
            'LEPTON_TUNE_BAD_BUILD',
            // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a guard for callers without type checking (JavaScript, notebook cells); the type says it cannot happen, the runtime may
            `build returned ${result === null ? 'null' : typeof result}: return a tf.LayersModel (lepton.tune trains it), the trial's objective as a number, or { value, model }.`,
          );
        }
        // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- the flag changes while awaiting (abort signal), which narrowing cannot see
        if (signal.aborted) {
          // The interrupted trial is not kept (it runs again on resume), nor is its model.
          if (model) disposeModel(model);
          break;
        }
        if (!Number.isFinite(value))
          throw new TrialError(`the objective ${study.objective} is ${value} (training diverged?).`);
        record.value = value;
        if (record.intermediate.length === 0) record.epochs = study.epochs;
        record.status = trial.pruned ? 'pruned' : 'complete';
        failuresInRow = 0;
      } catch (error) {
        if (model) disposeModel(model);
        model = null;
        if (error instanceof TuneError) throw error;
        // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- the flag changes while awaiting (abort signal), which narrowing cannot see
        if (signal.aborted) break;
        record.status = 'failed';
        record.value = null;
        record.error = error instanceof Error ? error.message : String(error);
        failuresInRow++;
      } finally {
        record.seconds = (Date.now() - trialStart) / 1000;
      }
      study.trials.push(record);
      study.running = null;
      const best = study.hasBest ? study.best : null;
      if (record.status === 'complete' && best?.number === record.number)
        await study.setBestModel(record.number, model);
      else {
        if (model && model !== best?.model) disposeModel(model);
        study.save();
      }
      if (failuresInRow >= stopAfter) {
        stoppedFor = `Stopped after ${failuresInRow} failed trials in a row (the last: ${record.error}): fix build or the options, then run again${study.path ? ' to resume' : ''}.`;
        break;
      }
      view.refresh(true, true);
    }
    if (signal.aborted) {
      onAbort();
      return study;
    }
    const elapsed = formatSeconds((Date.now() - started) / 1000);
    const ran = study.trials.length - startCount;
    if (stoppedFor) finish('stopped', stoppedFor);
    else if (!study.hasBest)
      finish('finished', `Ran ${ran} trials in ${elapsed}, none complete: see the failures above.`);
    else {
      const best = study.best;
      finish(
        'finished',
        `${resumed ? `Resumed ${startCount} trials and ran ${ran} more` : `Ran ${ran} trials`} in ${elapsed}. Best ${study.objective} ${best.value.toPrecision(4)} at trial ${best.number}: ${study.describeBest()}.`,
      );
    }
    return study;
  } catch (error) {
    finish('failed', `The search failed: ${(error as Error).message}`);
    throw error;
  } finally {
    signal.removeEventListener('abort', onAbort);
    study.running = null;
  }
}
