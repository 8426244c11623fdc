/**
 * Fitted transforms compiled into one function from raw records (`{ "Body Mass (g)": 3750, "Island": "Dream" }`)
 * to the model input's rows. It gives the numbers `lepton.preprocess` gives on a DataFrame
 * (`transform(df).toTensor(features)`): missing values (null, absent, NaN) stay missing through scalers and label
 * encoders, become zeros in one-hot columns and are filled by imputers; a feature still missing at the end, a
 * string where a number belongs or a category not seen in fitting is an error naming the record and the field.
 */
import { errors } from '../errors.js';
import { dateFeatureFunction, dateFeatureNames, dateMillis } from './date-features.js';
import { parseTransforms, type Category, type Step } from './format.js';

/** Options of `compileTransforms`. */
export interface CompileOptions {
  /**
   * The model input's columns after the transforms, in order. Default: the columns the transforms produce, in the
   * order a DataFrame holding only the columns they name would have them after `transform`.
   */
  features?: readonly string[];
  /** How many columns the model input takes (-1 or absent: any); `features` must match it. */
  width?: number;
  /**
   * A feature still missing after the transforms: `refuse` (default) throws naming the record and field, `nan`
   * feeds NaN, for models that route missing values themselves (trees with learned default directions).
   */
  missing?: 'refuse' | 'nan';
}

/** Compiled transforms: raw records in, the model input's rows out. */
export interface Preprocessor {
  /** The model input's columns, in order. */
  readonly features: readonly string[];
  /** The fields a record is read for, in the order the transforms first name them. */
  readonly fields: readonly string[];
  /**
   * The rows of `records`, row-major (`records.length × features.length`). Throws `LEPTON_BAD_RECORD` naming the
   * first record and field that cannot be preprocessed.
   */
  apply(records: readonly unknown[]): Float32Array;
}

/** A value while a record passes through the steps; null is missing. */
type Value = Category | null | object;

/** One step compiled against slot numbers: updates `values` of record `row` in place. */
type Op = (values: Value[], row: number) => void;

/**
 * Compiles `transforms` (a deployment's `transforms`: `lepton.preprocess` JSON, applied in order). Throws
 * `LEPTON_BAD_META` naming the transform that cannot be applied, or when `features` disagrees with the transforms
 * or with `width`.
 * @example const prep = compileTransforms(meta.transforms, { width: 4 }); const rows = prep.apply([{ x: 1, y: 2, z: 3, w: 4 }]);
 */
export function compileTransforms(transforms: readonly unknown[], options: CompileOptions = {}): Preprocessor {
  const steps = parseTransforms(transforms);
  // Without transforms, named features are read from the records as they are (a model on raw numeric columns).
  if (steps.length === 0 && options.features === undefined)
    throw errors.badMeta('transforms is empty: there is nothing to apply.');
  const slots = new Map<string, number>();
  const fields: string[] = [];
  /** The slot each field is read into. */
  const reads: number[] = [];
  /** The columns in order, as a DataFrame of the named columns would have them. */
  const order: string[] = [];
  /** Columns a one-hot step replaced, with the step. */
  const replaced = new Map<string, string>();
  let count = 0;
  const slotOf = (name: string, where: string): number => {
    const by = replaced.get(name);
    if (by !== undefined)
      throw errors.badMeta(`${where} uses column "${name}", which ${by} already replaced by its 0/1 columns.`);
    let slot = slots.get(name);
    if (slot === undefined) {
      slot = count++;
      slots.set(name, slot);
      fields.push(name);
      reads.push(slot);
      order.push(name);
    }
    return slot;
  };
  const ops = steps.map((step): Op => {
    const at = step.columns.map((c) => slotOf(c, step.where));
    if (step.kind === 'dateFeatures') {
      // New columns after the existing ones, as DataFrame.assign places them.
      const outputs = dateFeatureNames(step).map((name) => {
        slots.set(name, count);
        replaced.delete(name);
        if (!order.includes(name)) order.push(name);
        return count++;
      });
      return dateFeatures(step, at[0]!, outputs);
    }
    if (step.kind !== 'oneHot') return compileStep(step, at);
    const outputs = step.columns.map((c, j) => {
      const names = step.categories[j]!.map((v) => `${c}_${String(v)}`);
      const out = names.map((name) => {
        slots.set(name, count);
        replaced.delete(name);
        return count++;
      });
      order.splice(order.indexOf(c), 1, ...names);
      slots.delete(c);
      replaced.set(c, step.where);
      return out;
    });
    return oneHot(step, at, outputs);
  });

  const given: unknown = options.features;
  if (
    given !== undefined &&
    (!Array.isArray(given) || given.length === 0 || !given.every((f) => typeof f === 'string'))
  ) {
    throw errors.badMeta(
      "features must be a non-empty array of column names (the model input's columns after the transforms, in order).",
    );
  }
  const features = given === undefined ? [...order] : [...given];
  const width = options.width ?? -1;
  if (width !== -1 && features.length !== width) {
    throw errors.badMeta(
      options.features === undefined
        ? `the transforms give ${features.length} columns (${list(features)}), but the model input takes ${width}; deploy with features: [...] naming the model input's ${width} columns in order.`
        : `features names ${features.length} columns, but the model input takes ${width}.`,
    );
  }
  // A feature no transform produces is read from the record as it is.
  const featureSlots = features.map((f) => slotOf(f, 'features'));
  const size = count;
  const k = features.length;
  const missingAsNaN = options.missing === 'nan';

  return {
    features,
    fields,
    apply(records: readonly unknown[]): Float32Array {
      const out = new Float32Array(records.length * k);
      const values: Value[] = new Array<Value>(size);
      for (let r = 0; r < records.length; r++) {
        const record = records[r];
        if (typeof record !== 'object' || record === null || Array.isArray(record)) {
          throw errors.badRecord(
            r,
            undefined,
            `is ${record === null ? 'null' : Array.isArray(record) ? 'an array' : typeof record}, not an object of fields`,
          );
        }
        values.fill(null);
        fields.forEach((name, i) => {
          const value = Object.hasOwn(record, name) ? (record as Record<string, unknown>)[name] : undefined;
          values[reads[i]!] = missing(value) ? null : (value as Value);
        });
        for (const op of ops) op(values, r);
        for (let j = 0; j < k; j++)
          out[r * k + j] = finalValue(values[featureSlots[j]!]!, r, features[j]!, missingAsNaN);
      }
      return out;
    },
  };
}

function dateFeatures(step: Extract<Step, { kind: 'dateFeatures' }>, at: number, outputs: number[]): Op {
  const compute = dateFeatureFunction(step);
  const values = new Float64Array(outputs.length);
  return (slots, row) => {
    const value = slots[at] as Value; // in range; `!` would also drop null, the missing value
    if (value === null) {
      for (const s of outputs) slots[s] = null;
      return;
    }
    const ms = dateMillis(value);
    if (!Number.isFinite(ms))
      throw errors.badRecord(
        row,
        step.column,
        `holds ${show(value)}, not a date (ISO text such as "2015-06-01" or epoch milliseconds) as ${step.where} needs`,
      );
    compute(ms, values, 0);
    outputs.forEach((s, j) => (slots[s] = values[j]!));
  };
}

function compileStep(step: Exclude<Step, { kind: 'oneHot' | 'dateFeatures' }>, at: number[]): Op {
  switch (step.kind) {
    case 'standardScaler':
      return numeric(step, at, (v, j) => (v - step.mean[j]!) / step.std[j]!);
    case 'minMaxScaler': {
      const [lo, hi] = step.range;
      return numeric(step, at, (v, j) => {
        const span = step.max[j]! - step.min[j]!;
        return lo + ((v - step.min[j]!) / (span === 0 ? 1 : span)) * (hi - lo);
      });
    }
    case 'labelEncoder': {
      const index = step.categories.map((list) => new Map<unknown, number>(list.map((c, i) => [c, i])));
      return (values, row) => {
        at.forEach((slot, j) => {
          const value = values[slot] as Value; // in range; `!` would also drop null, the missing value
          if (value === null) return;
          const code = index[j]!.get(value);
          if (code === undefined) throw unseen(step, row, j, value);
          values[slot] = code;
        });
      };
    }
    case 'imputer':
      return (values) => {
        at.forEach((slot, j) => {
          if (values[slot] === null) values[slot] = step.fill[j]!;
        });
      };
  }
}

function numeric(step: Step, at: number[], map: (value: number, j: number) => number): Op {
  return (values, row) => {
    at.forEach((slot, j) => {
      const value = values[slot] as Value; // in range; `!` would also drop null, the missing value
      if (value === null) return;
      if (typeof value !== 'number')
        throw errors.badRecord(row, step.columns[j], `holds ${show(value)}, but ${step.where} needs a number`);
      values[slot] = map(value, j);
    });
  };
}

function oneHot(step: Extract<Step, { kind: 'oneHot' }>, at: number[], outputs: number[][]): Op {
  const index = step.categories.map((list) => new Map<unknown, number>(list.map((c, i) => [c, i])));
  return (values, row) => {
    at.forEach((slot, j) => {
      const value = values[slot] as Value; // in range; `!` would also drop null, the missing value
      const slots = outputs[j]!;
      for (const s of slots) values[s] = 0;
      if (value === null) return;
      const k = index[j]!.get(value);
      if (k !== undefined) values[slots[k]!] = 1;
      else if (step.unknown === 'error') throw unseen(step, row, j, value);
    });
  };
}

function unseen(step: Extract<Step, { categories: Category[][] }>, row: number, j: number, value: Value): Error {
  return errors.badRecord(
    row,
    step.columns[j],
    `holds ${show(value)}, not seen in fitting by ${step.where} (categories: ${step.categories[j]!.map((c) => JSON.stringify(c)).join(', ')})`,
  );
}

/**
 * The model's number for a feature value, as `toTensor` makes it: numbers, booleans as 1/0, missing as NaN when the
 * model takes it (`missingAsNaN`); anything else throws.
 */
function finalValue(value: Value, row: number, feature: string, missingAsNaN: boolean): number {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value === null && missingAsNaN) return NaN;
  if (value === null) throw errors.badRecord(row, feature, 'is missing (absent, null or NaN) and no imputer fills it');
  if (typeof value !== 'number')
    throw errors.badRecord(
      row,
      feature,
      `holds ${show(value)}, not a number; encode it with oneHot or labelEncoder before deploying`,
    );
  if (!Number.isFinite(value) || !Number.isFinite(Math.fround(value)))
    throw errors.badRecord(row, feature, `is ${value}, which is not a finite FP32 number`);
  return value;
}

/** Missing as `lepton.preprocess` reads it: absent, null or NaN. */
function missing(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'number' && Number.isNaN(value));
}

function show(value: Value): string {
  return typeof value === 'object' ? (Array.isArray(value) ? 'an array' : 'an object') : JSON.stringify(value);
}

function list(names: readonly string[]): string {
  return names.map((n) => JSON.stringify(n)).join(', ');
}
