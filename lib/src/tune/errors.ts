/**
 * The errors of `lepton.tune`. Each carries a stable `code` that programs and tests match, and a message that
 * names the problem and its fix.
 */
import { LeptonError } from '../core/errors.js';

/** The stable codes of tuning errors. */
export type TuneErrorCode =
  /** An option of `lepton.tune` is out of range or of the wrong kind (strategy, trials, seed, direction, cv data). */
  | 'LEPTON_TUNE_BAD_OPTION'
  /** `build` is not a function, or returned something other than a model, a number or `{ value, model }`. */
  | 'LEPTON_TUNE_BAD_BUILD'
  /** `build` returned a model but `lepton.tune` was given no `data` to train it on. */
  | 'LEPTON_TUNE_NO_DATA'
  /** The objective is not among the training logs (e.g. `val_*` without validation data). */
  | 'LEPTON_TUNE_BAD_OBJECTIVE'
  /** `trial.report(epoch, value)` was called with a non-increasing epoch or a value that is not a number. */
  | 'LEPTON_TUNE_BAD_REPORT'
  /** A study file to resume was made with other settings (space, strategy, direction): resume with the same ones. */
  | 'LEPTON_TUNE_STUDY_MISMATCH'
  /** The search space is not an object of `lepton.tune.int/float/choice` declarations with consistent ranges. */
  | 'LEPTON_TUNE_BAD_SPACE'
  /** A study file cannot be read: not JSON, or not a study of this version. */
  | 'LEPTON_TUNE_STUDY_FILE'
  /** `lepton.tune.load` found no study file at the path: run `lepton.tune` with `{ path }` to create it. */
  | 'LEPTON_TUNE_NO_STUDY'
  /** A study has no best trial yet (none finished, all failed or all pruned): run more trials. */
  | 'LEPTON_TUNE_NO_BEST_TRIAL'
  /** One trial produced no usable objective (training ended before its first epoch, or the objective is not finite); the trial is recorded as failed and the search goes on. */
  | 'LEPTON_TUNE_TRIAL_FAILED';

/**
 * A search set up wrong (not one trial's bad luck): it stops the whole search with this message. (`SpaceError` and
 * `StudyFileError` are its siblings, not subclasses: a trial whose `build` throws one fails alone, as before.)
 */
export class TuneError extends LeptonError<
  Exclude<
    TuneErrorCode,
    'LEPTON_TUNE_BAD_SPACE' | 'LEPTON_TUNE_STUDY_FILE' | StudyErrorCode | 'LEPTON_TUNE_TRIAL_FAILED'
  >
> {}

/** The codes of `StudyError`. */
type StudyErrorCode = Extract<TuneErrorCode, 'LEPTON_TUNE_NO_STUDY' | 'LEPTON_TUNE_NO_BEST_TRIAL'>;

/** A study asked for what it does not have (no file to load, no best trial yet). */
export class StudyError extends LeptonError<Extract<TuneErrorCode, StudyErrorCode>> {}

/**
 * One trial without a usable objective (code `LEPTON_TUNE_TRIAL_FAILED`). Not a `TuneError`: the search records the
 * trial as failed and goes on.
 */
export class TrialError extends LeptonError<Extract<TuneErrorCode, 'LEPTON_TUNE_TRIAL_FAILED'>> {
  /** @param message why the trial has no objective */
  constructor(message: string) {
    super('LEPTON_TUNE_TRIAL_FAILED', message);
  }
}

/** A space that failed validation: the message names the parameter and the fix (code `LEPTON_TUNE_BAD_SPACE`). */
export class SpaceError extends LeptonError<'LEPTON_TUNE_BAD_SPACE'> {
  /** @param message what is wrong with which parameter, and the fix */
  constructor(message: string) {
    super('LEPTON_TUNE_BAD_SPACE', message);
  }
}

/** A study file that cannot be read: the message names the file and what is wrong (code `LEPTON_TUNE_STUDY_FILE`). */
export class StudyFileError extends LeptonError<'LEPTON_TUNE_STUDY_FILE'> {
  /** @param message the file and what is wrong with it */
  constructor(message: string) {
    super('LEPTON_TUNE_STUDY_FILE', message);
  }
}
