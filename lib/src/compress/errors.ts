/**
 * The errors of `lepton.compress`: each carries a stable `code` that programs and tests match, and a message that
 * names the problem and its fix.
 */

/** The stable codes of compression errors. */
export type CompressErrorCode = 'LEPTON_COMPRESS_BAD_INPUT' | 'LEPTON_COMPRESS_NO_CALIBRATION' | 'LEPTON_COMPRESS_UNSUPPORTED';

/** Any error raised while compressing or comparing models. */
export class CompressError extends Error {
  /** The stable code of this kind of error. */
  readonly code: CompressErrorCode;

  constructor(code: CompressErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = 'CompressError';
  }
}
