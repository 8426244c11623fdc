/**
 * The shapes of data a model trains on, as the library passes them around: tensors (`TensorData`), anything that
 * turns into tensors (`TensorSource`, a DataFrame) and batched datasets (`BatchDataset`). They are declared here,
 * below `images`, `preprocess` and `train`, because all three make or take them (image datasets and time windows
 * give `BatchDataset`s that `fit` reads); `train/data.ts` re-exports them with the code that resolves them.
 */
import type * as tf from '@tensorflow/tfjs';

/** Anything with a `toTensor(columns)` method: Lepton's DataFrame. */
export interface TensorSource {
  /** Numeric columns as a tensor: one name gives [rows], a list [rows, columns]. */
  toTensor(columns?: string | string[], options?: { dtype?: 'float32' | 'int32' }): tf.Tensor;
  /** The column names (listed in the error when `x`/`y` are missing). */
  columnNames?(): string[];
}

/** Features and labels as tensors (or nested number arrays). */
export interface TensorData {
  /** Features: [samples, ...]. */
  x: tf.Tensor | number[] | number[][];
  /** Labels: [samples] or [samples, ...]. */
  y: tf.Tensor | number[] | number[][];
}

/** A tf.data dataset yielding batches `{ xs, ys }` (what `model.fitDataset` takes). */
export type BatchDataset = tf.data.Dataset<{
  /** The batch's features: [batch, ...]. */
  xs: tf.Tensor;
  /** The batch's labels: [batch] or [batch, ...]. */
  ys: tf.Tensor;
}>;
