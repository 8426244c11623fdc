/** Errors of the baselines: a stable code and a message naming the problem and the fix. */
import { LeptonError } from '../errors.js';

/** A baseline was used before `fit`, or on data whose shape it cannot read. */
export class BaselineError extends LeptonError<'LEPTON_BASELINE'> {
  constructor(message: string) {
    super('LEPTON_BASELINE', message);
  }
}
