/**
 * `DataError` and `badArgument`: the bad-argument error every layer of the library throws (the PNG encoder of
 * `display` as much as the frames of `data` and the transforms of `preprocess`). They live in core, below
 * `display`, so that a low layer can throw them without importing `data` (which imports `display`: a folder
 * cycle). `data/errors.ts` re-exports them beside the data tools' own errors, where callers have always found them.
 */
import { LeptonError } from './errors.js';

/** The stable codes of data errors. */
export type DataErrorCode =
  /** A column name the frame does not have: the message lists the columns it has (and the closest name). */
  | 'LEPTON_UNKNOWN_COLUMN'
  /** A value whose type a column or an operation cannot take: the message names the column and the value. */
  | 'LEPTON_TYPE_MISMATCH'
  /** Text or bytes that cannot be parsed as their format (CSV, JSON, Arrow, Parquet): the message names the line where it has one. */
  | 'LEPTON_PARSE_ERROR'
  /** An operation that needs rows got none (fitting a transform on an empty frame): pass data with at least one row. */
  | 'LEPTON_EMPTY_DATA'
  /** A transform was used before it was fitted: call its `fit` (or `fitTransform`) first. */
  | 'LEPTON_NOT_FITTED'
  /** A bad option or argument: the message says which, and what is accepted. */
  | 'LEPTON_BAD_ARGUMENT'
  /** A source could not be read or fetched (a path, a URL): check that it exists and is reachable. */
  | 'LEPTON_LOAD_ERROR';

/** Any error raised by Lepton's data, plot and preprocessing tools. */
export class DataError extends LeptonError<DataErrorCode> {}

/** A bad option or argument: the message says which and what is accepted. */
export function badArgument(message: string): DataError {
  return new DataError('LEPTON_BAD_ARGUMENT', message);
}
