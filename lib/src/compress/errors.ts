/**
 * The errors of `lepton.compress`: each carries a stable `code` that programs and tests match, and a message that
 * names the problem and its fix.
 */
import { LeptonError } from '../errors.js';

/** The stable codes of compression errors. */
export type CompressErrorCode = 'LEPTON_COMPRESS_BAD_INPUT' | 'LEPTON_COMPRESS_NO_CALIBRATION' | 'LEPTON_COMPRESS_UNSUPPORTED';

/** Any error raised while compressing or comparing models. */
export class CompressError extends LeptonError<CompressErrorCode> {}
