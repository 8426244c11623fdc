/**
 * The errors of validation (splitters, cross-validation, time splits): a stable `code` and a message naming the
 * problem and its fix.
 */
import { LeptonError } from '../core/errors.js';

/** The stable codes of validation errors. */
export type ValidateErrorCode =
  /** A splitter's arguments cannot make the folds asked for (e.g. more folds than rows): ask for fewer folds or pass more data. */
  | 'LEPTON_BAD_SPLIT'
  /** `crossValidate` was called wrong: `build` is not a function, or `data` is not `{ x, y }` tensors with as many rows each. */
  | 'LEPTON_BAD_CV'
  /** Cross-validation could not score a fold (reserved: no code path raises it yet). */
  | 'LEPTON_CV_FAILED';

/** A splitter, `timeSplit` or `crossValidate` was given something it cannot use. */
export class ValidateError extends LeptonError<ValidateErrorCode> {}

/** A `LEPTON_BAD_SPLIT` error: the arguments of a splitter cannot make the folds asked for. */
export function badSplit(message: string): ValidateError {
  return new ValidateError('LEPTON_BAD_SPLIT', message);
}
