/**
 * The description of a model input or output that exports report and sidecar files store.
 */

/** Element types of exported model inputs and outputs. */
export type SpecDType = 'float32' | 'int32';

/** One input or output of an exported model. */
export interface TensorSpec {
  /** The name to feed or read in ONNX Runtime. */
  name: string;
  /** The shape in tfjs's layout (channels last); `null` is a free size (the batch is named `batch` in the file). */
  shape: (number | null)[];
  /** The element type. */
  dtype: SpecDType;
  /** For integer-index inputs (feeding an `Embedding`): values must lie in `[0, indexRange)`. */
  indexRange?: number;
}
