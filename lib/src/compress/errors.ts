/**
 * The errors of `lepton.compress`: each carries a stable `code` that programs and tests match, and a message that
 * names the problem and its fix.
 */
import { LeptonError } from '../core/errors.js';

/** The stable codes of compression errors. */
export type CompressErrorCode =
  /** An option or input of a compress verb is out of range or mismatched (e.g. distillation temperature, alpha, logit shapes). */
  | 'LEPTON_COMPRESS_BAD_INPUT'
  /** Static int8 quantization was asked for without calibration inputs: pass `{ calibration }` or use `{ mode: 'dynamic' }`. */
  | 'LEPTON_COMPRESS_NO_CALIBRATION'
  /** The model cannot be compressed this way (e.g. distillation needs one classifier output of ≥ 2 classes). */
  | 'LEPTON_COMPRESS_UNSUPPORTED';

/** Any error raised while compressing or comparing models. */
export class CompressError extends LeptonError<CompressErrorCode> {}
