/**
 * The bridge between DataFrames and TensorFlow.js tensors: numeric columns to a [rows, columns] tensor, and back.
 */
import type * as TF from '@tensorflow/tfjs';
import type { ColumnTable } from 'arquero';
import { assertColumns, badArgument, TypeMismatchError } from './errors.js';
import { tfjs } from '../core/tfjs.js';

/** Options of `toTensor`. */
export interface ToTensorOptions {
  /** The tensor's dtype (default `float32`). */
  dtype?: 'float32' | 'int32';
}

/** The values of one column in row order, as numbers, or a clear error naming the column, row and value. */
export function numericColumn(table: ColumnTable, name: string, context: string): Float64Array {
  const data = table.column(name) as unknown as { at(i: number): unknown };
  const indices = table.indices();
  const out = new Float64Array(indices.length);
  for (let r = 0; r < indices.length; r++) {
    const value = data.at(indices[r]!);
    if (typeof value === 'number') {
      if (Number.isNaN(value)) throw missingValue(name, r, value, context);
      out[r] = value;
    } else if (typeof value === 'boolean') out[r] = value ? 1 : 0;
    else if (typeof value === 'bigint') out[r] = Number(value);
    else if (value === null || value === undefined) throw missingValue(name, r, value, context);
    else {
      throw new TypeMismatchError(
        `${context}: column ${JSON.stringify(name)} must be numeric, but row ${r} holds ${JSON.stringify(value)} (${typeof value}). ` +
          'Encode it first (lepton.preprocess.oneHot or labelEncoder), or leave the column out.',
      );
    }
  }
  return out;
}

function missingValue(name: string, row: number, value: unknown, context: string): TypeMismatchError {
  return new TypeMismatchError(
    `${context}: column ${JSON.stringify(name)} has a missing value (${String(value)}) at row ${row}. ` +
      'Fill it with lepton.preprocess.imputer(), or drop those rows (df.filter(d => d.col != null)).',
  );
}

/**
 * Numeric columns as a tensor: one name gives a 1-D tensor [rows]; a list (default: every column) gives a 2-D
 * tensor [rows, columns] in the listed order. Booleans become 0/1; missing or non-numeric values are an error.
 */
export function tableToTensor(
  table: ColumnTable,
  columns: string | string[] | undefined,
  options: ToTensorOptions = {},
): TF.Tensor {
  const tf = tfjs();
  const dtype = options.dtype ?? 'float32';
  const names = columns === undefined ? table.columnNames() : typeof columns === 'string' ? [columns] : columns;
  if (names.length === 0) throw badArgument('toTensor: choose at least one column.');
  assertColumns(names, table.columnNames(), 'toTensor');
  const n = table.numRows();
  const Out = dtype === 'int32' ? Int32Array : Float32Array;
  if (typeof columns === 'string') return tf.tensor1d(Out.from(numericColumn(table, columns, 'toTensor')), dtype);
  const flat = new Out(n * names.length);
  names.forEach((name, j) => {
    const values = numericColumn(table, name, 'toTensor');
    for (let r = 0; r < n; r++) flat[r * names.length + j] = values[r]!;
  });
  return tf.tensor2d(flat, [n, names.length], dtype);
}

/**
 * The columns of a 1-D or 2-D tensor, named by `names` (default `c0`, `c1`, …; a 1-D tensor gives one column,
 * `value` by default).
 */
export function tensorColumns(
  tensor: TF.Tensor,
  names?: string[],
): { names: string[]; columns: Record<string, ArrayLike<unknown>> } {
  if (tensor.rank !== 1 && tensor.rank !== 2) {
    throw badArgument(
      `fromTensor: the tensor must be 1-D or 2-D, but its shape is [${tensor.shape.join(', ')}]. Reshape it first (t.reshape([n, -1])).`,
    );
  }
  const [rows, cols] = tensor.rank === 1 ? [tensor.shape[0], 1] : [tensor.shape[0], tensor.shape[1]!];
  const columnNames = names ?? (tensor.rank === 1 ? ['value'] : Array.from({ length: cols }, (_, j) => `c${j}`));
  if (columnNames.length !== cols) {
    throw badArgument(
      `fromTensor: the tensor has ${cols} column${cols === 1 ? '' : 's'} but ${columnNames.length} name${columnNames.length === 1 ? ' was' : 's were'} given.`,
    );
  }
  if (new Set(columnNames).size !== columnNames.length)
    throw badArgument(`fromTensor: column names must be unique, got ${columnNames.join(', ')}.`);
  const data = tensor.dataSync();
  const Out = tensor.dtype === 'int32' ? Int32Array : tensor.dtype === 'bool' ? Uint8Array : Float32Array;
  const columns: Record<string, ArrayLike<unknown>> = {};
  columnNames.forEach((name, j) => {
    const column = new Out(rows);
    for (let r = 0; r < rows; r++) column[r] = Number(data[r * cols + j]);
    columns[name] = column;
  });
  return { names: columnNames, columns };
}
