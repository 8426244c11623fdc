/**
 * The errors of Lepton's training loop and its callbacks. Each carries a stable `code` that programs and tests
 * match, and a message that names the problem and its fix.
 */
import { LeptonError } from '../core/errors.js';

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
  | 'LEPTON_TRAIN_LOG_FILE'
  /** The training data is not of a kind `fit` reads (`{ x, y }` tensors, a DataFrame with column names, a tf.data dataset of `{ xs, ys }`). */
  | 'LEPTON_TRAIN_BAD_DATA'
  /** x, y and the model disagree on shapes (samples in x and y, the model's input or output shape, sparse labels' shape). */
  | 'LEPTON_TRAIN_SHAPE_MISMATCH'
  /** The training data holds NaN or infinite values: clean or impute them first (`lepton.preprocess` has imputers). */
  | 'LEPTON_TRAIN_BAD_VALUES'
  /** A checkpoint folder does not hold a checkpoint of this model (no weights manifest, or other weights): delete it or choose another path. */
  | 'LEPTON_TRAIN_BAD_CHECKPOINT';

/** Any error raised on purpose by `lepton.fit` or `lepton.callbacks`. */
export class TrainError extends LeptonError<TrainErrorCode> {}
