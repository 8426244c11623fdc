/**
 * The errors of `lepton.automl`: each is raised before any model trains, with a stable `code` and a message that
 * names the problem and its fix.
 */
import { LeptonError } from '../core/errors.js';

/** The stable codes of AutoML errors. */
export type AutomlErrorCode =
  /** The target column is not in the frame (the message lists the columns). */
  | 'LEPTON_AUTOML_TARGET'
  /** A classification target has one class, or a regression target no spread. */
  | 'LEPTON_AUTOML_ONE_CLASS'
  /** Every column was excluded (IDs, constants, leaks) or the frame has only the target. */
  | 'LEPTON_AUTOML_NO_FEATURES'
  /** The budget cannot pay for one trial. */
  | 'LEPTON_AUTOML_BUDGET'
  /** An option has the wrong type or value. */
  | 'LEPTON_AUTOML_OPTIONS'
  /** `result.best` cannot do what was asked (e.g. deploy a baseline, which has no ONNX form). */
  | 'LEPTON_AUTOML_PIPELINE'
  /**
   * A trial did not finish its folds in half the time left, so it is cut short and recorded as failed (the search
   * goes on with other trials): give a larger budget, or fewer rows or folds.
   */
  | 'LEPTON_AUTOML_TRIAL_TOO_SLOW';

/** `lepton.automl` was given something it cannot search on. */
export class AutomlError extends LeptonError<AutomlErrorCode> {}
