/**
 * The errors of `lepton.tune`. Each carries a stable `code` that programs and tests match, and a message that
 * names the problem and its fix.
 */
import { LeptonError } from '../errors.js';

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
  | 'LEPTON_TUNE_STUDY_FILE';

/**
 * A search set up wrong (not one trial's bad luck): it stops the whole search with this message. (`SpaceError` and
 * `StudyFileError` are its siblings, not subclasses: a trial whose `build` throws one fails alone, as before.)
 */
export class TuneError extends LeptonError<Exclude<TuneErrorCode, 'LEPTON_TUNE_BAD_SPACE' | 'LEPTON_TUNE_STUDY_FILE'>> {}

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
