import * as tf from '@tensorflow/tfjs';
import type { FitSource } from '../images/dataset.js';
import { checkFinite } from './validate.js';
import { TrainError } from './errors.js';
import { onWasmHeap } from '../backend/heap.js';
import type { BatchDataset, TensorData, TensorSource } from '../data/tensor-data.js';
export { permutation, seededRandom } from '../core/random.js';
export type { BatchDataset, TensorData, TensorSource } from '../data/tensor-data.js';

/**
 * Data `lepton.fit` and `lepton.evaluate` take: tensors, a DataFrame (with `x`/`y` column names), a dataset, or an
 * image dataset (`lepton.read.images`), which gives its own tensors or batches.
 */
export type FitData = TensorData | TensorSource | BatchDataset | FitSource;

/** Which DataFrame columns are features and which is the label. */
export interface ColumnChoice {
  /** Feature columns of a DataFrame. */
  x?: string[] | undefined;
  /** Label column(s) of a DataFrame. */
  y?: string | string[] | undefined;
}

/** Data resolved to tensors, or a dataset to iterate. */
/** `owned`: the tensors made here (the caller disposes them), not the user's. */
export type Resolved =
  { kind: 'tensors'; x: tf.Tensor; y: tf.Tensor; owned: tf.Tensor[] } | { kind: 'dataset'; dataset: BatchDataset };

function isDataset(data: unknown): data is BatchDataset {
  return (
    typeof data === 'object' &&
    data !== null &&
    typeof (data as { iterator?: unknown }).iterator === 'function' &&
    typeof (data as { map?: unknown }).map === 'function'
  );
}

function isTensorSource(data: unknown): data is TensorSource {
  return typeof data === 'object' && data !== null && typeof (data as TensorSource).toTensor === 'function';
}

const asTensor = (v: tf.Tensor | number[] | number[][]) => (v instanceof tf.Tensor ? v : tf.tensor(v));

const storageFor: Partial<Record<tf.DataType, new (n: number) => ArrayLike<number>>> = {
  float32: Float32Array,
  int32: Int32Array,
  bool: Uint8Array,
};

/**
 * The tensor itself, or a copy whose values are stored as its dtype says. TensorFlow.js's cpu backend may keep
 * an int32 tensor made from a bool one (`x.greater(0).toInt()`) in a byte array; moved to the wasm backend that
 * training uses, its bytes are then read as int32 and the labels become garbage (a low loss, a wrong model).
 */
export function withExactStorage(t: tf.Tensor): tf.Tensor {
  const expected = storageFor[t.dtype];
  // The wasm backend keeps every tensor as its dtype says: no need to read (copy) a whole training set to know.
  if (!expected || onWasmHeap(t)) return t;
  const values = t.dataSync();
  return values instanceof expected ? t : tf.tensor(Array.from(values as ArrayLike<number>), t.shape, t.dtype);
}

/**
 * Resolves user data to tensors (checking them for NaN/Infinity, naming where) or a dataset.
 * @param what names the data in errors ("training data", "validation data")
 * @param missingX whether `x` may hold NaN (missing values, for models that route them, like trees); default false
 */
export function resolveData(data: FitData, columns: ColumnChoice, what: string, missingX = false): Resolved {
  if (isDataset(data)) return { kind: 'dataset', dataset: data };
  // Image datasets are asked for their data (asynchronously) before this; one here is a caller's mistake.
  if (typeof (data as Partial<FitSource>).fitData === 'function')
    throw new TrainError(
      'LEPTON_TRAIN_BAD_DATA',
      `The ${what} is an image dataset: await its fitData() before resolving it.`,
    );
  if (isTensorSource(data)) {
    if (!columns.x || columns.y === undefined) {
      const names = data.columnNames?.() ?? [];
      throw new TrainError(
        'LEPTON_TRAIN_BAD_DATA',
        `Training on a DataFrame needs the feature and label columns: pass { x: [...], y: '...' } in the options${names.length ? ` (columns: ${names.join(', ')})` : ''}.`,
      );
    }
    // The DataFrame's own conversion names the column and row of a missing or non-numeric value.
    const x = data.toTensor(columns.x);
    const y = data.toTensor(columns.y);
    return { kind: 'tensors', x, y, owned: [x, y] };
  }
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a guard for callers without type checking (JavaScript, notebook cells); the type says it cannot happen, the runtime may
  if (typeof data !== 'object' || data === null || !('x' in data) || !('y' in data)) {
    throw new TrainError(
      'LEPTON_TRAIN_BAD_DATA',
      `The ${what} must be { x, y } tensors, a DataFrame with x/y column names, or a tf.data dataset of { xs, ys } batches.`,
    );
  }
  const x = withExactStorage(asTensor(data.x));
  let y = withExactStorage(asTensor(data.y));
  // tfjs losses take float labels (sparseCategoricalCrossentropy fails on int32 class indices).
  if (y.dtype !== 'float32') y = y.toFloat();
  const owned = [x, y].filter((t, i) => t !== [data.x, data.y][i]);
  if (!missingX) checkFinite(x, `x (${what})`);
  checkFinite(y, `y (${what})`);
  return { kind: 'tensors', x, y, owned };
}

/** Splits off the last `fraction` of samples for validation (before any shuffling, as Keras does). */
export function splitTail(
  x: tf.Tensor,
  y: tf.Tensor,
  fraction: number,
): { train: [tf.Tensor, tf.Tensor]; validation: [tf.Tensor, tf.Tensor] } {
  if (!(fraction > 0 && fraction < 1))
    throw new TrainError(
      'LEPTON_TRAIN_BAD_OPTION',
      `validation as a split must be a fraction between 0 and 1 (got ${fraction}).`,
    );
  const n = x.shape[0];
  const nVal = Math.max(1, Math.round(n * fraction));
  const nTrain = n - nVal;
  if (nTrain < 1)
    throw new TrainError('LEPTON_TRAIN_BAD_OPTION', `validation ${fraction} leaves no training samples out of ${n}.`);
  const part = (t: tf.Tensor, start: number, size: number) =>
    t.slice([start, ...t.shape.slice(1).map(() => 0)], [size, ...t.shape.slice(1)]);
  return {
    train: [part(x, 0, nTrain), part(y, 0, nTrain)],
    validation: [part(x, nTrain, nVal), part(y, nTrain, nVal)],
  };
}
