/**
 * The errors of the display helpers. Each carries a stable `code` that programs and tests match, and a message that
 * names the problem and its fix.
 */
import { LeptonError } from '../core/errors.js';

/** The stable codes of display errors. */
export type DisplayErrorCode =
  /** A display helper got the wrong kind of text, bytes, tensor or option (the message names the helper and what it takes). */
  | 'LEPTON_DISPLAY_BAD_INPUT'
  /** A display helper cannot read the file it was given: check the path (relative paths start at the notebook's folder). */
  | 'LEPTON_DISPLAY_READ'
  /** Comms were used outside a Jupyter front end (no kernel host is installed): run the code in the Lepton kernel. */
  | 'LEPTON_DISPLAY_NO_FRONTEND';

/** Input a display helper cannot show (the wrong kind of text, bytes or tensor). */
export class DisplayError extends LeptonError<DisplayErrorCode> {}
