/**
 * The errors of the display helpers. Each carries a stable `code` that programs and tests match, and a message that
 * names the problem and its fix.
 */
import { LeptonError } from '../errors.js';

/** The stable codes of display errors. */
export type DisplayErrorCode = 'LEPTON_DISPLAY_BAD_INPUT' | 'LEPTON_DISPLAY_READ';

/** Input a display helper cannot show (the wrong kind of text, bytes or tensor). */
export class DisplayError extends LeptonError<DisplayErrorCode> {}
