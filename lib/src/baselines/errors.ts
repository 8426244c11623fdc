/** Errors of the baselines: a stable code and a message naming the problem and the fix. */
import { LeptonError } from '../core/errors.js';

/** The stable codes of baseline errors. */
export type BaselineErrorCode =
  /** A baseline was used before `fit`, or on data whose shape it cannot read: fit it first, on data of the shape its message names. */
  'LEPTON_BASELINE';

/** A baseline was used before `fit`, or on data whose shape it cannot read. */
export class BaselineError extends LeptonError<BaselineErrorCode> {
  constructor(message: string) {
    super('LEPTON_BASELINE', message);
  }
}
