/**
 * The study file: the JSON a study is saved to (atomically, after every trial) and resumed from. Typed apart from
 * the `Study` API so the file contract is explicit.
 *
 * ```jsonc
 * {
 *   "format": "lepton.study", "version": 1,
 *   "name": "penguins", "createdAt": "2026-11-23T10:00:00.000Z", "updatedAt": "…",
 *   "strategy": { "name": "tpe", "startupTrials": 10, "candidates": 24, "multivariate": true },  // or random, or hyperband { minEpochs, eta }
 *   "seed": 1, "objective": "val_acc", "direction": "max", "epochs": 9,
 *   "space": { "lr": { "kind": "float", "low": 0.0001, "high": 0.1, "log": true } },
 *   "trials": [ { "number": 0, "params": { "lr": 0.003 }, "status": "complete", "value": 0.97,
 *                 "intermediate": [[1, 0.6], [2, 0.9]], "epochs": 2, "bracket": null, "seconds": 1.2, "error": null, "seed": 123 } ],
 *   "bestModel": { "trial": 0, "dir": "penguins.best-model" }  // tfjs format, beside the file; null when none was saved
 * }
 * ```
 * Only finished trials (`complete`, `pruned`, `failed`) are saved: a trial cut short by an interrupt runs again
 * on resume, with the same parameters.
 */
import type { ParamValues, Space } from './space.js';
import { SpaceError, validateSpace } from './space.js';
import { StudyFileError } from './errors.js';

/** The `format` field of every study file. */
export const studyFormat = 'lepton.study';

/** How a trial stands. `interrupted` trials are never saved. */
export type TrialStatus = 'running' | 'complete' | 'pruned' | 'failed' | 'interrupted';

/** The strategies, by name. */
export type StrategyName = 'random' | 'tpe' | 'hyperband';

/** A strategy and its settings, as stored. */
export type StrategySpec =
  | {
      /** Parameters sampled independently from the space. */
      name: 'random';
    }
  | {
      /** Tree-structured Parzen Estimator (Optuna's default sampler). */
      name: 'tpe';
      /** Random trials before the estimator is used. */
      startupTrials: number;
      /** Candidates drawn from the good-trials model per trial; the most promising is tried. */
      candidates: number;
      /** Whether the parameters are modelled jointly (true) or each on its own. */
      multivariate: boolean;
    }
  | {
      /** Random parameters with early stopping of unpromising trials in brackets. */
      name: 'hyperband';
      /** The fewest epochs a trial trains before it can be stopped. */
      minEpochs: number;
      /** The reduction factor η: each rung keeps the best 1/η and trains them η× longer. */
      eta: number;
    };

/** One trial as stored. */
export interface TrialRecord {
  /** 0-based, in the order trials ran. */
  number: number;
  /** The parameters it was given, by name. */
  params: ParamValues;
  /** How it ended: `complete`, `pruned` (stopped early by Hyperband) or `failed`; `running` only for the live trial (`Study.running`), which is never saved. */
  status: TrialStatus;
  /** The objective: the final value (complete), the last reported one (pruned), null (failed). */
  value: number | null;
  /** `[epoch, value]` pairs the trial reported, in order (1-based epochs). */
  intermediate: [number, number][];
  /** Epochs trained (the last reported epoch). */
  epochs: number;
  /** Hyperband's bracket (0 = no early stopping), null for other strategies. */
  bracket: number | null;
  /** Wall-clock time the trial took, in seconds. */
  seconds: number;
  /** Why the trial failed. */
  error: string | null;
  /** The trial's seed (weights, shuffling, dropout). */
  seed: number;
}

/** The saved model of the best trial. */
export interface BestModelRef {
  /** The number of the trial whose model it is. */
  trial: number;
  /** A folder in tfjs's format, relative to the study file's folder. */
  dir: string;
}

/** The JSON of a study file, version 1. */
export interface StudyFileV1 {
  /** Always `lepton.study`: marks the file as a Lepton study. */
  format: typeof studyFormat;
  /** The file format's version. */
  version: 1;
  /** The study's name. */
  name: string;
  /** When the study was created (ISO 8601). */
  createdAt: string;
  /** When the file was last written (ISO 8601). */
  updatedAt: string;
  /** The strategy and its settings. */
  strategy: StrategySpec;
  /** The seed every trial's parameters and training derive from. */
  seed: number;
  /** What is optimised: a training-log name such as `val_acc`, or the user's label. */
  objective: string;
  /** Whether the objective is minimised or maximised. */
  direction: 'min' | 'max';
  /** The most epochs one trial trains. */
  epochs: number;
  /** The search space, as declared. */
  space: Space;
  /** The finished trials (complete, pruned, failed), in the order they ran. */
  trials: TrialRecord[];
  /** The saved model of the best trial, or null when none was saved. */
  bestModel: BestModelRef | null;
}

export { StudyFileError } from './errors.js';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Parses and checks a study file's text.
 * @param text the file's contents
 * @param path the file (named in errors)
 */
export function parseStudyFile(text: string, path: string): StudyFileV1 {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new StudyFileError(
      `${path} is not a study file: it is not valid JSON (${(error as Error).message}). Pass another path, or resume: false to start over (it will be overwritten).`,
    );
  }
  const bad = (what: string) =>
    new StudyFileError(
      `${path} is not a valid study file: ${what}. Pass another path, or resume: false to start over (it will be overwritten).`,
    );
  if (!isObject(json) || json.format !== studyFormat) throw bad(`its "format" is not "${studyFormat}"`);
  if (json.version !== 1) throw bad(`version ${String(json.version)} is not supported (this Lepton reads version 1)`);
  for (const key of ['name', 'objective', 'createdAt', 'updatedAt'] as const)
    if (typeof json[key] !== 'string') throw bad(`"${key}" is missing`);
  if (json.direction !== 'min' && json.direction !== 'max') throw bad('"direction" must be "min" or "max"');
  if (typeof json.seed !== 'number' || typeof json.epochs !== 'number')
    throw bad('"seed" and "epochs" must be numbers');
  const strategy = json.strategy;
  if (!isObject(strategy) || !['random', 'tpe', 'hyperband'].includes(String(strategy.name)))
    throw bad('"strategy.name" must be random, tpe or hyperband');
  try {
    validateSpace(json.space as Space);
  } catch (error) {
    if (error instanceof SpaceError) throw bad(`its space is invalid (${error.message})`);
    throw error;
  }
  if (!Array.isArray(json.trials)) throw bad('"trials" must be a list');
  json.trials.forEach((t: unknown, i: number) => {
    if (
      !isObject(t) ||
      typeof t.number !== 'number' ||
      !isObject(t.params) ||
      !['complete', 'pruned', 'failed'].includes(String(t.status)) ||
      !Array.isArray(t.intermediate)
    ) {
      throw bad(`trial entry ${i} is malformed`);
    }
  });
  return json as unknown as StudyFileV1;
}

/** A study file's text (stable key order, 1 space indent: small diffs, readable). */
export function serializeStudyFile(file: StudyFileV1): string {
  return JSON.stringify(file, null, 1) + '\n';
}
