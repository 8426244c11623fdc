/** Errors of `lepton.models.gradientBoosting`: a stable code and a message naming the problem and the fix. */
import { LeptonError } from '../../core/errors.js';

/** The stable codes of gradient-boosting errors. */
export type GradientBoostingErrorCode = 'LEPTON_GBM_BAD_INPUT' | 'LEPTON_GBM_NOT_FITTED' | 'LEPTON_GBM_BAD_JSON';

/** Bad training or prediction input, a model used before `fit`, or JSON that is not a saved model. */
export class GradientBoostingError extends LeptonError<GradientBoostingErrorCode> {}

/** A `LEPTON_GBM_BAD_INPUT` error. */
export function badInput(message: string): GradientBoostingError {
  return new GradientBoostingError('LEPTON_GBM_BAD_INPUT', `gradientBoosting: ${message}`);
}
