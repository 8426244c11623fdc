/**
 * `DataError` and `badArgument`: the bad-argument error every layer of the library throws (the PNG encoder of
 * `display` as much as the frames of `data` and the transforms of `preprocess`). They live in core, below
 * `display`, so that a low layer can throw them without importing `data` (which imports `display`: a folder
 * cycle). `data/errors.ts` re-exports them beside the data tools' own errors, where callers have always found them.
 */
import { LeptonError } from './errors.js';

/** The stable codes of data errors. */
export type DataErrorCode =
  | 'LEPTON_UNKNOWN_COLUMN'
  | 'LEPTON_TYPE_MISMATCH'
  | 'LEPTON_PARSE_ERROR'
  | 'LEPTON_EMPTY_DATA'
  | 'LEPTON_NOT_FITTED'
  | 'LEPTON_BAD_ARGUMENT'
  | 'LEPTON_LOAD_ERROR';

/** Any error raised by Lepton's data, plot and preprocessing tools. */
export class DataError extends LeptonError<DataErrorCode> {}

/** A bad option or argument: the message says which and what is accepted. */
export function badArgument(message: string): DataError {
  return new DataError('LEPTON_BAD_ARGUMENT', message);
}
