/**
 * The errors of `lepton.evaluate`. Each carries a stable `code` that programs and tests match, and a message that
 * names the problem and its fix.
 */
import { LeptonError } from '../core/errors.js';

/** The stable codes of evaluation errors. */
export type EvaluateErrorCode =
  /** The `baseline` option cannot be scored: it has no `predict(x)`, the test data has no `x` tensor, or it predicted another number of rows. Pass a baseline such as `lepton.baselines.naive(w.spec)`, or `baseline: false`. */
  | 'LEPTON_EVALUATE_BAD_BASELINE'
  /** The predictions and the labels do not line up (another number of values per sample). */
  | 'LEPTON_EVALUATE_SHAPE_MISMATCH'
  /** An option of `evaluate` does not fit the model (e.g. `classNames` with another number of names than classes). */
  | 'LEPTON_EVALUATE_BAD_OPTION'
  /** The test data has no samples. */
  | 'LEPTON_EVALUATE_EMPTY';

/** Any error raised on purpose by `lepton.evaluate`. */
export class EvaluateError extends LeptonError<EvaluateErrorCode> {}
