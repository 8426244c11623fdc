/**
 * The errors of `lepton.read.images` and image datasets. Each carries a stable `code` that programs and tests
 * match, and a message that names the file or folder, what was expected, and the fix.
 */
import { LeptonError } from '../core/errors.js';

/** The stable codes of image errors. */
export type ImageErrorCode =
  | 'LEPTON_MISSING_FOLDER'
  | 'LEPTON_NO_IMAGES'
  | 'LEPTON_EMPTY_CLASS'
  | 'LEPTON_BAD_IMAGE'
  | 'LEPTON_MIXED_SIZES'
  | 'LEPTON_BAD_ARGUMENT';

/** Any error raised while reading images or using an image dataset. */
export class ImageError extends LeptonError<ImageErrorCode> {}
