/**
 * `windows`: a series cut into supervised samples, in time order, with the semantics of TensorFlow's time-series
 * tutorial: a window spans `inputWidth + shift` rows; its first `inputWidth` rows are the inputs (every feature),
 * its last `labelWidth` rows the labels (the target). Windows start every `stride` rows. Nothing is shuffled:
 * split the windows by time (`lepton.timeSplit`, `lepton.timeSeriesSplit`), never at random.
 */
import type * as TF from '@tensorflow/tfjs';
import type { ColumnTable } from 'arquero';
import { assertColumns, badArgument } from '../data/errors.js';
import { filledTensors } from '../backend/filled.js';
import { firstNaN } from '../backend/nan-scan.js';
import { tfjs } from '../core/tfjs.js';
import { numericColumn, timesOf } from '../data/time-values.js';
import type { BatchDataset } from '../data/tensor-data.js';

/** Options of `windows`. */
export interface WindowOptions {
  /** The input columns (numeric), in the order of the last axis of `x`. */
  features: string[];
  /** The column to forecast (it may be one of the features too). */
  target: string;
  /** Rows of inputs per window. */
  inputWidth: number;
  /** Rows of labels per window (default 1). */
  labelWidth?: number;
  /** How far the labels end past the inputs, in rows (default 1: the next row). */
  shift?: number;
  /** Rows between the starts of consecutive windows (default 1). */
  stride?: number;
  /** A date column: the time of each window's last label is returned in `times`. */
  dateColumn?: string;
}

/** The geometry of windows: what a baseline needs to read its forecast from the inputs. */
export interface WindowSpec {
  /** Rows of inputs per window. */
  inputWidth: number;
  /** Rows of labels per window. */
  labelWidth: number;
  /** How far the labels end past the inputs. */
  shift: number;
  /** The position of the target among the features, or -1 when the target is not a feature. */
  targetIndex: number;
}

/** Windows as tensors. */
export interface Windows {
  /** Inputs: [samples, inputWidth, features]. */
  x: TF.Tensor3D;
  /** Labels: [samples, labelWidth]. */
  y: TF.Tensor2D;
  /** The geometry, for baselines: `lepton.baselines.naive(w.spec)`. */
  spec: WindowSpec;
  /** With `dateColumn`: the time of each window's last label. */
  times?: Date[];
}

/** The checked geometry and the number of windows of `n` rows. */
function plan(
  n: number,
  options: WindowOptions,
  context: string,
): { spec: WindowSpec; samples: number; stride: number } {
  const { inputWidth } = options;
  const labelWidth = options.labelWidth ?? 1;
  const shift = options.shift ?? 1;
  const stride = options.stride ?? 1;
  const whole = (v: number, what: string, min: number) => {
    if (!Number.isInteger(v) || v < min)
      throw badArgument(`${context}: ${what} must be a whole number ≥ ${min}, got ${v}.`);
  };
  whole(inputWidth, 'inputWidth', 1);
  whole(labelWidth, 'labelWidth', 1);
  whole(shift, 'shift', 1);
  whole(stride, 'stride', 1);
  if (labelWidth > inputWidth + shift)
    throw badArgument(
      `${context}: labelWidth ${labelWidth} is longer than the window (inputWidth + shift = ${inputWidth + shift}).`,
    );
  if (!Array.isArray(options.features) || options.features.length === 0)
    throw badArgument(
      `${context}: features must name at least one column, e.g. { features: ['temp_max'], target: 'temp_max' }.`,
    );
  if (typeof options.target !== 'string') throw badArgument(`${context}: target must name one column.`);
  const total = inputWidth + shift;
  if (n < total)
    throw badArgument(
      `${context}: a window spans ${total} rows (inputWidth ${inputWidth} + shift ${shift}), but the frame has ${n}.`,
    );
  return {
    spec: { inputWidth, labelWidth, shift, targetIndex: options.features.indexOf(options.target) },
    samples: Math.floor((n - total) / stride) + 1,
    stride,
  };
}

function holeError(context: string, column: string, row: number): Error {
  return badArgument(
    `${context}: column ${JSON.stringify(column)} is missing a value at row ${row}; fill it first (lepton.preprocess.imputer, or df.resample(...) then a fill) so windows do not span holes.`,
  );
}

/** Whether windows are back-to-back runs of one feature, copied (and checked for holes) in one pass. */
const isContiguous = (features: number, stride: number, inputWidth: number) => features === 1 && stride === inputWidth;

/** The columns as numbers; a missing value is an error naming the row (windows must not span holes). */
function seriesOf(
  frame: ColumnTable,
  columns: string[],
  context: string,
  checked = true,
): (Float64Array | Float32Array)[] {
  assertColumns(columns, frame.columnNames(), context);
  return columns.map((c) => {
    const values = numericColumn(frame, c, context);
    // The caller checks the rows it copies (back-to-back windows check while copying: one pass, not two).
    if (!checked) return values;
    let hole = -1;
    // A plain loop: a callback per value costs more than the copy itself on long series.
    for (let i = 0; i < values.length; i++) {
      if (values[i] !== values[i]) {
        hole = i;
        break;
      }
    }
    if (hole >= 0) throw holeError(context, c, hole);
    return values;
  });
}

/** Copies windows `from` (inclusive) to `to` (exclusive) into flat input and label arrays (every value written). */
function fill(
  series: (Float64Array | Float32Array)[],
  target: Float64Array | Float32Array,
  names: [string, string],
  spec: WindowSpec,
  stride: number,
  from: number,
  to: number,
  x: Float32Array,
  y: Float32Array,
): void {
  const f = series.length;
  const { inputWidth, labelWidth, shift } = spec;
  const labelStart = inputWidth + shift - labelWidth;
  let xi = 0;
  let yi = 0;
  // One feature (long univariate series): a monomorphic loop over the one column.
  const single = f === 1 ? series[0]! : null;
  // Back-to-back windows of one feature are one run of the column: one converting copy by `TypedArray.prototype.set`
  // (V8's native loop, ~3× a JavaScript loop writing into wasm memory), then one SIMD pass for holes (the column was
  // not scanned beforehand; a NaN stays NaN in float32).
  const contiguous = single !== null && isContiguous(f, stride, inputWidth);
  if (contiguous) {
    const offset = from * stride;
    const length = (to - from) * stride;
    const run = x.subarray(0, length);
    run.set(single.subarray(offset, offset + length));
    const hole = firstNaN(run);
    if (hole >= 0) throw holeError('windows', names[0], offset + hole);
  } else if (single) {
    for (let s = from; s < to; s++) {
      const start = s * stride;
      for (let t = start; t < start + inputWidth; t++) x[xi++] = single[t]!;
    }
  } else {
    for (let s = from; s < to; s++) {
      const start = s * stride;
      for (let t = 0; t < inputWidth; t++) for (let j = 0; j < f; j++) x[xi++] = series[j]![start + t]!;
    }
  }
  // One label per window (the common case): a strided gather without the inner loop.
  if (labelWidth === 1)
    for (let s = from, i = from * stride + labelStart; s < to; s++, i += stride) y[yi++] = target[i]!;
  else
    for (let s = from; s < to; s++)
      for (let t = 0, i = s * stride + labelStart; t < labelWidth; t++) y[yi++] = target[i + t]!;
  if (contiguous) {
    // The labels of unscanned columns may fall past the copied inputs (the last window's label).
    for (let k = 0; k < yi; k++)
      if (y[k] !== y[k])
        throw holeError(
          'windows',
          names[1],
          (from + Math.floor(k / labelWidth)) * stride + labelStart + (k % labelWidth),
        );
  }
}

/** The windows `from` to `to` as tensors, written in place in the backend's memory. */
function windowTensors(
  series: (Float64Array | Float32Array)[],
  target: Float64Array | Float32Array,
  names: [string, string],
  spec: WindowSpec,
  stride: number,
  from: number,
  to: number,
): { x: TF.Tensor3D; y: TF.Tensor2D } {
  const n = to - from;
  const [x, y] = filledTensors(
    [
      [n, spec.inputWidth, series.length],
      [n, spec.labelWidth],
    ],
    ([xs, ys]) => fill(series, target, names, spec, stride, from, to, xs!, ys!),
  );
  return { x: x as TF.Tensor3D, y: y as TF.Tensor2D };
}

/**
 * Cuts a frame (rows in time order) into windows: `x` [samples, inputWidth, features] and `y` [samples, labelWidth].
 * @example const w = lepton.preprocess.windows(daily, { features: ['temp_max', 'temp_min'], target: 'temp_max', inputWidth: 14 })
 */
export function windows(frame: ColumnTable, options: WindowOptions): Windows {
  const context = 'windows';
  const { spec, samples, stride } = plan(frame.numRows(), options, context);
  const series = seriesOf(
    frame,
    options.features,
    context,
    !isContiguous(options.features.length, stride, spec.inputWidth),
  );
  const target = spec.targetIndex >= 0 ? series[spec.targetIndex]! : seriesOf(frame, [options.target], context)[0]!;
  const out: Windows = {
    ...windowTensors(series, target, [options.features[0]!, options.target], spec, stride, 0, samples),
    spec,
  };
  if (options.dateColumn !== undefined) {
    const times = timesOf(frame, options.dateColumn, context);
    const last = spec.inputWidth + spec.shift - 1;
    out.times = Array.from({ length: samples }, (_, s) => new Date(times[s * stride + last]!));
  }
  return out;
}

/** Options of `windowDataset`: those of `windows`, and the batch size. */
export interface WindowDatasetOptions extends WindowOptions {
  /** Windows per batch (default 32). */
  batchSize?: number;
}

/**
 * The windows of `windows`, streamed as a tf.data dataset of `{ xs, ys }` batches in time order (for series whose
 * windows do not fit in memory at once); `lepton.fit` trains on it directly.
 * @example await lepton.fit(model, lepton.preprocess.windowDataset(train, { features, target, inputWidth: 24, batchSize: 64 }))
 */
export function windowDataset(frame: ColumnTable, options: WindowDatasetOptions): BatchDataset {
  const context = 'windowDataset';
  const { spec, samples, stride } = plan(frame.numRows(), options, context);
  const batchSize = options.batchSize ?? 32;
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw badArgument(`${context}: batchSize must be a whole number ≥ 1, got ${batchSize}.`);
  const series = seriesOf(frame, options.features, context);
  const target = spec.targetIndex >= 0 ? series[spec.targetIndex]! : seriesOf(frame, [options.target], context)[0]!;
  const tf = tfjs();
  return tf.data.generator(function* () {
    for (let from = 0; from < samples; from += batchSize) {
      const to = Math.min(samples, from + batchSize);
      const { x, y } = windowTensors(series, target, [options.features[0]!, options.target], spec, stride, from, to);
      yield { xs: x, ys: y };
    }
  });
}
