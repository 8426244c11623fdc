/**
 * From a DataFrame and channel options to Vega-Lite encodings and inline data: field types inferred from the
 * column types (or given as Altair-style shorthand, `"Cylinders:O"`), unknown columns named with the available
 * ones, and a bound on the rows embedded.
 */
import type { ColumnTable } from 'arquero';
import { columnKind, type ColumnKind } from '../data/columns.js';
import { ColumnNotFoundError, DataError } from '../data/errors.js';
import { columnValues } from '../data/stats.js';

/** A Vega-Lite field type. */
export type FieldType = 'quantitative' | 'nominal' | 'ordinal' | 'temporal';

/** A channel: a column name (with optional `:Q`/`:N`/`:O`/`:T` type suffix) or a Vega-Lite field definition. */
export type Channel =
  | string
  | ({
      /** The column name. */
      field: string;
      /** How its values are read (default: inferred from the column's values). */
      type?: FieldType;
    } & Record<string, unknown>);

/** Limits of what a chart embeds. */
export const plotLimits = {
  /** Charts of frames with more rows are an error (sample or aggregate first), unless `maxRows` is raised. */
  maxRows: 20_000,
};

const shorthand: Record<string, FieldType> = { Q: 'quantitative', N: 'nominal', O: 'ordinal', T: 'temporal' };

/** Escapes the characters Vega-Lite reads as nested access in field names. */
export function fieldName(name: string): string {
  return name.replace(/([.[\]\\])/g, '\\$1');
}

function typeOfKind(kind: ColumnKind): FieldType {
  return kind === 'integer' || kind === 'number' ? 'quantitative' : kind === 'date' ? 'temporal' : 'nominal';
}

/** The column a channel names, and its explicit type if any. */
export function parseChannel(channel: Channel): { column: string; type?: FieldType; rest: Record<string, unknown> } {
  if (typeof channel === 'string') {
    const match = /^(.*):([QNOT])$/.exec(channel);
    return match ? { column: match[1]!, type: shorthand[match[2]!]!, rest: {} } : { column: channel, rest: {} };
  }
  const { field, type, ...rest } = channel;
  return type ? { column: field, type, rest } : { column: field, rest };
}

/** Builds encodings for one frame: checks columns, infers types, and remembers which columns to embed. */
export class Encoder {
  private readonly used = new Set<string>();

  constructor(
    private readonly table: ColumnTable,
    private readonly chart: string,
  ) {}

  /** The Vega-Lite field definition of a channel. */
  field(channel: Channel, extra: Record<string, unknown> = {}): Record<string, unknown> {
    const { column, type, rest } = parseChannel(channel);
    if (!this.table.columnNames().includes(column))
      throw new ColumnNotFoundError(column, this.table.columnNames(), `plot.${this.chart}`);
    this.used.add(column);
    return { field: fieldName(column), type: type ?? this.inferType(column), title: column, ...extra, ...rest };
  }

  /** The inferred field type of a column. */
  inferType(column: string): FieldType {
    return typeOfKind(columnKind(columnValues(this.table, column), 2000));
  }

  /** The type a channel will have (explicit or inferred). */
  typeOf(channel: Channel): FieldType {
    const { column, type } = parseChannel(channel);
    if (!this.table.columnNames().includes(column))
      throw new ColumnNotFoundError(column, this.table.columnNames(), `plot.${this.chart}`);
    return type ?? this.inferType(column);
  }

  /** The rows of the used columns, as inline data (dates as ISO strings). */
  values(maxRows = plotLimits.maxRows): Record<string, unknown>[] {
    const n = this.table.numRows();
    if (n > maxRows) {
      throw new DataError(
        'LEPTON_BAD_ARGUMENT',
        `plot.${this.chart}: the frame has ${n.toLocaleString('en-US')} rows, more than the ${maxRows.toLocaleString('en-US')} a chart embeds. ` +
          'Sample it (df.sample(5000, { seed: 1 })), aggregate it first, or pass { maxRows } to raise the limit.',
      );
    }
    const columns = [...this.used];
    const data = columns.map((c) => columnValues(this.table, c));
    const rows = new Array<Record<string, unknown>>(n);
    for (let r = 0; r < n; r++) {
      const row: Record<string, unknown> = {};
      columns.forEach((c, j) => {
        const v = data[j]![r];
        row[c] =
          v instanceof Date
            ? v.toISOString()
            : typeof v === 'number' && !Number.isFinite(v)
              ? null
              : typeof v === 'bigint'
                ? Number(v)
                : v;
      });
      rows[r] = row;
    }
    return rows;
  }
}
