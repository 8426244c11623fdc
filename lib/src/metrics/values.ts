import * as tf from '@tensorflow/tfjs';
import { MetricError } from './errors.js';

/** Numbers as the metric functions take them: an array, a typed array, or a tensor. */
export type Values = ArrayLike<number> | tf.Tensor;

/** Rows of class probabilities (or scores): [samples][classes], or a [samples, classes] tensor. */
export type Matrix = ArrayLike<ArrayLike<number>> | tf.Tensor;

/** `values` as a flat array of numbers. */
export function toArray(values: Values): number[] {
  if (values instanceof tf.Tensor) return Array.from(values.dataSync());
  return Array.from(values);
}

/** `rows` as an array of number arrays ([samples, classes]); a 1-D input becomes one column. */
export function toMatrix(rows: Matrix): number[][] {
  if (rows instanceof tf.Tensor) {
    const flat = rows.dataSync();
    const width = rows.shape.length === 1 ? 1 : rows.shape.slice(1).reduce((a, b) => a * b, 1);
    return Array.from({ length: rows.shape[0] }, (_, i) => Array.from(flat.subarray(i * width, (i + 1) * width)));
  }
  return Array.from(rows, (row) => (typeof row === 'number' ? [row] : Array.from(row)));
}

/** The index of each row's largest value (predicted classes from probabilities). */
export function argMaxRows(rows: number[][]): number[] {
  return rows.map((row) => row.reduce((best, v, i) => (v > row[best]! ? i : best), 0));
}

/** Throws unless both have the same length, naming both. */
export function sameLength(a: ArrayLike<unknown>, b: ArrayLike<unknown>, names: [string, string]): void {
  if (a.length !== b.length)
    throw new MetricError(
      'LEPTON_METRIC_SHAPE_MISMATCH',
      `${names[0]} has ${a.length} values but ${names[1]} has ${b.length}: they must match one to one.`,
    );
  if (a.length === 0)
    throw new MetricError(
      'LEPTON_METRIC_EMPTY',
      `${names[0]} and ${names[1]} are empty: a metric needs at least one sample.`,
    );
}

/** The sorted distinct labels of one or more label arrays. */
export function labelsOf(...arrays: number[][]): number[] {
  return [...new Set(arrays.flat())].sort((a, b) => a - b);
}
