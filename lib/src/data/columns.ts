/**
 * Column types as Lepton reports them (in `info()`, table headers and errors), inferred from values.
 */

/** The kind of values a column holds. `mixed`: values of more than one kind; `null`: only missing values. */
export type ColumnKind = 'integer' | 'number' | 'string' | 'boolean' | 'date' | 'mixed' | 'null';

/** Whether a value counts as missing: `null`, `undefined` or `NaN`. */
export function isMissing(value: unknown): boolean {
  return value === null || value === undefined || (typeof value === 'number' && Number.isNaN(value));
}

/** Whether `values` is a typed array of numbers (not a DataView). */
export function isNumericTypedArray(
  values: unknown,
): values is
  | Float32Array
  | Float64Array
  | Int8Array
  | Int16Array
  | Int32Array
  | Uint8Array
  | Uint16Array
  | Uint32Array
  | Uint8ClampedArray {
  return (
    ArrayBuffer.isView(values) &&
    !(values instanceof DataView) &&
    !(values instanceof BigInt64Array) &&
    !(values instanceof BigUint64Array)
  );
}

function kindOf(value: unknown): ColumnKind {
  switch (typeof value) {
    case 'number':
      return Number.isInteger(value) ? 'integer' : 'number';
    case 'bigint':
      return 'integer';
    case 'string':
      return 'string';
    case 'boolean':
      return 'boolean';
    default:
      return value instanceof Date ? 'date' : 'mixed';
  }
}

/**
 * The kind of a column's values, scanning at most `limit` rows (all by default). Typed arrays answer at once;
 * integers and fractional numbers together are `number`.
 */
export function columnKind(values: ArrayLike<unknown>, limit = Infinity): ColumnKind {
  if (values instanceof Float32Array || values instanceof Float64Array) return 'number';
  if (ArrayBuffer.isView(values)) return 'integer';
  let kind: ColumnKind = 'null';
  const n = Math.min(values.length, limit);
  for (let i = 0; i < n; i++) {
    const value = values[i];
    if (isMissing(value)) continue;
    const k = kindOf(value);
    if (kind === 'null' || kind === k) kind = k;
    else if ((kind === 'integer' && k === 'number') || (kind === 'number' && k === 'integer')) kind = 'number';
    else return 'mixed';
  }
  return kind;
}

/** Whether values of this kind are numbers (integers or not). */
export function isNumericKind(kind: ColumnKind): boolean {
  return kind === 'integer' || kind === 'number';
}
