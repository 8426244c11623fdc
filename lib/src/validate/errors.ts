/**
 * The errors of validation (splitters, cross-validation, time splits): a stable `code` and a message naming the
 * problem and its fix.
 */
import { LeptonError } from '../errors.js';

/** The stable codes of validation errors. */
export type ValidateErrorCode = 'LEPTON_BAD_SPLIT' | 'LEPTON_BAD_CV' | 'LEPTON_CV_FAILED';

/** A splitter, `timeSplit` or `crossValidate` was given something it cannot use. */
export class ValidateError extends LeptonError<ValidateErrorCode> {}

/** A `LEPTON_BAD_SPLIT` error: the arguments of a splitter cannot make the folds asked for. */
export function badSplit(message: string): ValidateError {
  return new ValidateError('LEPTON_BAD_SPLIT', message);
}
