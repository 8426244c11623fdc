/**
 * Raw records as a pipeline graph's inputs: one `[n, 1]` column per input, a missing value (absent, null, NaN)
 * as NaN in a number column and `""` in a category column, dates as epoch milliseconds (read as the server reads
 * them). What the server would refuse as the wrong type is refused here too, naming the record and the field.
 */
import { dateMillis } from '@lepton/server/preprocess';
import { ExportError } from '../errors.js';
import type { ColumnInput } from './front.js';

/** One input's values, ready for an onnxruntime tensor of shape `[n, 1]`. */
export type ColumnFeed =
  | {
      /** A number column (`float32`). */
      type: 'float';
      /** One value per record; NaN where it is missing. */
      data: Float32Array;
    }
  | {
      /** A date column (`float64` epoch milliseconds). */
      type: 'double';
      /** One value per record; NaN where it is missing. */
      data: Float64Array;
    }
  | {
      /** A category column (`string`). */
      type: 'string';
      /** One value per record; `""` where it is missing. */
      data: string[];
    };

function missing(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'number' && Number.isNaN(value));
}

function bad(row: number, field: string, problem: string): ExportError {
  return new ExportError('LEPTON_BAD_PIPELINE', `Record ${row}: "${field}" ${problem}.`);
}

/**
 * The graph's feeds for `records` (objects of raw fields), by input name.
 * @example const feeds = columnFeeds(exported.inputs, [{ 'Body Mass (g)': 3750, Island: 'Dream' }]);
 */
export function columnFeeds(inputs: readonly ColumnInput[], records: readonly object[]): Record<string, ColumnFeed> {
  const n = records.length;
  const field = (r: number, name: string): unknown => {
    const record = records[r];
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- plain-JS callers (and JSON) can pass null records
    if (typeof record !== 'object' || record === null || Array.isArray(record))
      throw bad(r, name, 'belongs to a record that is not an object of fields');
    return Object.hasOwn(record, name) ? (record as Record<string, unknown>)[name] : undefined;
  };
  return Object.fromEntries(
    inputs.map((input): [string, ColumnFeed] => {
      if (input.type === 'string') {
        return [
          input.name,
          {
            type: 'string',
            data: Array.from({ length: n }, (_, r) => {
              const v = field(r, input.name);
              if (missing(v)) return '';
              if (typeof v !== 'string')
                throw bad(
                  r,
                  input.name,
                  `holds ${JSON.stringify(v)}; the graph takes this column's categories as strings`,
                );
              return v;
            }),
          },
        ];
      }
      if (input.type === 'double') {
        return [
          input.name,
          {
            type: 'double',
            data: Float64Array.from({ length: n }, (_, r) => {
              const v = field(r, input.name);
              if (missing(v)) return NaN;
              const ms = dateMillis(v);
              if (!Number.isFinite(ms))
                throw bad(
                  r,
                  input.name,
                  `holds ${JSON.stringify(v)}, not a date (ISO text such as "2015-06-01", a Date or epoch milliseconds)`,
                );
              return ms;
            }),
          },
        ];
      }
      return [
        input.name,
        {
          type: 'float',
          data: Float32Array.from({ length: n }, (_, r) => {
            const v = field(r, input.name);
            if (missing(v)) return NaN;
            if (typeof v === 'boolean') return v ? 1 : 0;
            if (typeof v !== 'number') throw bad(r, input.name, `holds ${JSON.stringify(v)}, not a number`);
            return v;
          }),
        },
      ];
    }),
  );
}
