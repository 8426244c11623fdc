/**
 * The errors of `lepton.metrics`. Each carries a stable `code` that programs and tests match, and a message that
 * names the problem and its fix.
 */
import { LeptonError } from '../core/errors.js';

/** The stable codes of metric errors. */
export type MetricErrorCode =
  /** The metric is not defined on this data (a ROC curve with one class only; MASE with a too-short or constant training series): use another metric or other data. */
  | 'LEPTON_METRIC_UNDEFINED'
  /** The two arguments do not line up one to one (another number of values, score columns or labels). */
  | 'LEPTON_METRIC_SHAPE_MISMATCH'
  /** An option of a metric is out of range (e.g. MASE's `season`). */
  | 'LEPTON_METRIC_BAD_OPTION'
  /** A true label is not among the labels of the probability columns. */
  | 'LEPTON_METRIC_UNKNOWN_LABEL'
  /** The values are empty: a metric needs at least one sample. */
  | 'LEPTON_METRIC_EMPTY';

/** Any error raised on purpose by a `lepton.metrics` function. */
export class MetricError extends LeptonError<MetricErrorCode> {}
