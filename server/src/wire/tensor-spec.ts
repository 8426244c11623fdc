/**
 * The description of a model input or output, declared once for the server, the library and their clients. The
 * server and the Open Inference Protocol describe a tensor by `datatype` and a shape with `-1` for a free size
 * (`TensorSpec`); the library's exports describe the same tensor in tfjs's terms (`TfjsTensorSpec`: `dtype`, `null`
 * for a free size), because that is how a notebook feeds it.
 */

/** Open Inference Protocol v2 tensor datatypes the server serves. */
export type Datatype =
  | 'BOOL'
  | 'UINT8'
  | 'UINT16'
  | 'UINT32'
  | 'UINT64'
  | 'INT8'
  | 'INT16'
  | 'INT32'
  | 'INT64'
  | 'FP16'
  | 'FP32'
  | 'FP64'
  | 'BYTES';

/** Every served datatype. */
export const DATATYPES: readonly Datatype[] = [
  'BOOL',
  'UINT8',
  'UINT16',
  'UINT32',
  'UINT64',
  'INT8',
  'INT16',
  'INT32',
  'INT64',
  'FP16',
  'FP32',
  'FP64',
  'BYTES',
];

/** A model input or output: its name, datatype, and shape (`-1` for a dimension of any size). */
export interface TensorSpec {
  /** The name to feed or read. */
  name: string;
  /** The element type. */
  datatype: Datatype;
  /** The shape; `-1` is a dimension of any size. */
  shape: number[];
}

/** Element types of exported model inputs and outputs, in tfjs's names. */
export type SpecDType = 'float32' | 'int32';

/**
 * The same description in tfjs's terms, as the library's exports report it and store it in sidecar files: `dtype`
 * instead of `datatype`, `null` instead of `-1` for a free size (the batch is named `batch` in the file).
 */
export interface TfjsTensorSpec extends Pick<TensorSpec, 'name'> {
  /** The shape in tfjs's layout (channels last); `null` is a free size. */
  shape: (number | null)[];
  /** The element type. */
  dtype: SpecDType;
  /** For integer-index inputs (feeding an `Embedding`): values must lie in `[0, indexRange)`. */
  indexRange?: number;
}
