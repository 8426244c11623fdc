/**
 * The errors of the model builders in `lepton.models` (the gradient-boosting model has its own). Each carries a
 * stable `code` that programs and tests match, and a message that names the problem and its fix.
 */
import { LeptonError } from '../core/errors.js';

/** The stable codes of model-builder errors. */
export type ModelErrorCode =
  /** An option of a model builder is out of range or inconsistent (classes, heads, blocks, filters, freeze). */
  | 'LEPTON_MODEL_BAD_OPTION'
  /** `fineTune` was given a model it cannot re-head: not a tf.LayersModel, no body, or a head with several inputs. */
  | 'LEPTON_MODEL_CANNOT_FINE_TUNE';

/** Any error raised on purpose by a `lepton.models` builder. */
export class ModelError extends LeptonError<ModelErrorCode> {}
