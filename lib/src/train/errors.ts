/**
 * The errors of Lepton's training loop and its callbacks. Each carries a stable `code` that programs and tests
 * match, and a message that names the problem and its fix.
 */
import { LeptonError } from '../errors.js';

/** The stable codes of training errors. */
export type TrainErrorCode =
  /** `fit` was given something other than a tfjs LayersModel. */
  | 'LEPTON_TRAIN_BAD_MODEL'
  /** The model has no loss or optimizer and `fit` was given no `loss` to compile it with. */
  | 'LEPTON_TRAIN_NOT_COMPILED'
  /** An option of `fit` or of a callback is out of range or of the wrong kind. */
  | 'LEPTON_TRAIN_BAD_OPTION'
  /** A callback monitors a name the run's logs do not have. */
  | 'LEPTON_TRAIN_BAD_MONITOR'
  /** A learning rate cannot be read or set (no numeric `learningRate`, or a schedule gave a non-positive one). */
  | 'LEPTON_TRAIN_BAD_LEARNING_RATE'
  /** A log file (csvLogger) cannot be written, or an existing one has other columns than this run's logs. */
  | 'LEPTON_TRAIN_LOG_FILE';

/** Any error raised on purpose by `lepton.fit` or `lepton.callbacks`. */
export class TrainError extends LeptonError<TrainErrorCode> {}
