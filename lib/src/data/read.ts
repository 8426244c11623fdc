/**
 * Loading data into DataFrames: `lepton.read.csv`, `.json`, `.arrow` and `.parquet`, from local paths, `file:` or
 * `http(s):` URLs. Problems are errors that name the line (text formats) and the problem, never silent garbage.
 */
import { fromArrow } from 'arquero';
import { parseCsv, parseIsoDate, type CsvOptions, type CsvType } from './csv.js';
import { badArgument, ParseError, TypeMismatchError } from './errors.js';
import { DataFrame } from './frame.js';
import { jsonErrorOffset } from './json-error.js';
import { parseParquet, type ParquetOptions } from './parquet.js';
import { describeSource, extensionOf, readSource, type Source } from './source.js';

export type { CsvOptions, CsvType } from './csv.js';
export type { ParquetOptions } from './parquet.js';
export type { Source } from './source.js';

function withSkipped(frame: DataFrame, skippedRows: number): DataFrame {
  if (skippedRows > 0) frame.skippedRows = skippedRows;
  return frame;
}

/** Adds the source's name to a parse error so the message says which file. */
function inSource<T>(source: Source, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof ParseError || error instanceof TypeMismatchError)
      error.message = `${describeSource(source)}, ${error.message}`;
    throw error;
  }
}

/**
 * CSV text as a DataFrame (the text itself, not a path).
 * @example lepton.read.csvText('x,y\n1,2\n3,4')
 */
export function csvText(text: string, options: CsvOptions = {}): DataFrame {
  const result = parseCsv(text, options);
  return withSkipped(DataFrame.fromColumns(result), result.skippedRows);
}

/**
 * Reads a CSV (or TSV) file or URL. Column types are inferred (number, boolean, date, string) unless given in
 * `types`; a malformed row is an error naming its line, or with `onBadRow: 'skip'` is dropped and counted in
 * the result's `skippedRows`.
 * @example const df = await lepton.read.csv('data/penguins.csv', { types: { year: 'string' } })
 */
export async function csv(source: Source, options: CsvOptions = {}): Promise<DataFrame> {
  const text = new TextDecoder().decode(await readSource(source));
  const delimiter = options.delimiter ?? (extensionOf(source) === 'tsv' ? '\t' : ',');
  return inSource(source, () => csvText(text, { ...options, delimiter }));
}

/** Options of `read.json`. */
export interface JsonOptions {
  /** Types for some columns: `date` parses ISO strings or epoch milliseconds, `number` numeric strings, … */
  types?: Record<string, CsvType>;
  /**
   * Whether a column whose every present value is ISO 8601 date text (`2015-01-01`, `2015-01-01T08:30Z`) is read
   * as dates, as `read.csv` infers them (default true). A column named in `types` keeps its declared type.
   */
  parseDates?: boolean;
}

/**
 * The columns to read as dates because every present value is ISO date text (and at least one is present):
 * JSON has no date type, so the text is the only sign, and the rule is the CSV reader's.
 */
function isoDateColumns(
  columns: Record<string, unknown[]>,
  names: string[],
  declared: Record<string, CsvType>,
): string[] {
  return names.filter((name) => {
    if (declared[name]) return false;
    let present = 0;
    for (const value of columns[name]!) {
      if (value === null || value === undefined) continue;
      if (typeof value !== 'string' || parseIsoDate(value) === undefined) return false;
      present++;
    }
    return present > 0;
  });
}

/** The 1-based line of a character offset. */
function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

function parseJsonText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    const offset = jsonErrorOffset(text);
    const reason = message
      .replace(/ in JSON at position \d+.*$/, '')
      .replace(/, \.\.\.".*$/s, '')
      .replace(/, ".*" is not valid JSON$/s, '');
    throw new ParseError(`invalid JSON: ${reason}`, offset >= 0 ? lineAt(text, offset) : undefined);
  }
}

function convertJson(value: unknown, type: CsvType, name: string, row: number): unknown {
  if (value === null || value === undefined) return null;
  const fail = () =>
    new TypeMismatchError(
      `row ${row}: column ${JSON.stringify(name)} is declared ${type}, but the value is ${JSON.stringify(value)}`,
    );
  switch (type) {
    case 'string':
      // eslint-disable-next-line @typescript-eslint/no-base-to-string -- a JSON number or boolean in a string column becomes its text, as in read.csv; objects print as String does
      return typeof value === 'string' ? value : String(value);
    case 'number':
    case 'integer': {
      const n =
        typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
      if (Number.isNaN(n) || (type === 'integer' && !Number.isInteger(n))) throw fail();
      return n;
    }
    case 'boolean':
      if (typeof value === 'boolean') return value;
      if (value === 'true' || value === 'false') return value === 'true';
      throw fail();
    case 'date': {
      const d = typeof value === 'number' || typeof value === 'string' ? new Date(value) : null;
      if (!d || Number.isNaN(d.getTime())) throw fail();
      return d;
    }
  }
}

/**
 * JSON text as a DataFrame: an array of row objects, an object of column arrays, or newline-delimited JSON.
 * @example lepton.read.jsonText('[{"a": 1}, {"a": 2}]')
 */
export function jsonText(text: string, options: JsonOptions = {}): DataFrame {
  const trimmed = text.trim();
  let rows: unknown[];
  if (trimmed.startsWith('[') || (trimmed.startsWith('{') && !/\}\s*\n\s*\{/.test(trimmed))) {
    const parsed = parseJsonText(text);
    if (Array.isArray(parsed)) rows = parsed;
    else if (parsed && typeof parsed === 'object') {
      const columns = parsed as Record<string, unknown>;
      for (const [name, values] of Object.entries(columns)) {
        if (!Array.isArray(values))
          throw new ParseError(
            `a JSON object must map column names to arrays, but ${JSON.stringify(name)} holds ${typeof values}`,
          );
      }
      const frame = DataFrame.from(columns as Record<string, unknown[]>);
      return applyTypes(
        frame.objects() as Record<string, unknown>[],
        frame.columnNames(),
        options.types ?? {},
        options.parseDates ?? true,
      );
    } else throw new ParseError(`expected an array of row objects or an object of columns, got ${typeof parsed}`);
  } else {
    // newline-delimited JSON: one object per line
    rows = [];
    text.split('\n').forEach((line, i) => {
      if (line.trim() === '') return;
      try {
        rows.push(JSON.parse(line));
      } catch (error) {
        throw new ParseError(
          `invalid JSON: ${(error as Error).message.replace(/ in JSON at position \d+.*$/, '')}`,
          i + 1,
        );
      }
    });
  }
  rows.forEach((row, i) => {
    if (row === null || typeof row !== 'object' || Array.isArray(row)) {
      throw new ParseError(
        `row ${i} is ${Array.isArray(row) ? 'an array' : JSON.stringify(row)}, not an object with named fields`,
      );
    }
  });
  const objects = rows as Record<string, unknown>[];
  const names = [...new Set(objects.flatMap((row) => Object.keys(row)))];
  return applyTypes(objects, names, options.types ?? {}, options.parseDates ?? true);
}

function applyTypes(
  rows: Record<string, unknown>[],
  names: string[],
  types: Record<string, CsvType>,
  parseDates: boolean,
): DataFrame {
  for (const name of Object.keys(types)) {
    if (!names.includes(name))
      throw badArgument(
        `read.json: types names unknown column ${JSON.stringify(name)}. Available columns: ${names.join(', ')}.`,
      );
  }
  const columns: Record<string, unknown[]> = {};
  for (const name of names) {
    const type = types[name];
    columns[name] = rows.map((row, i) => (type ? convertJson(row[name], type, name, i) : (row[name] ?? null)));
  }
  if (parseDates) {
    for (const name of isoDateColumns(columns, names, types))
      columns[name] = columns[name]!.map((value) => (value === null ? null : parseIsoDate(value as string)!));
  }
  return DataFrame.fromColumns({ names, columns });
}

/**
 * Reads a JSON file or URL: an array of row objects, an object of column arrays, or newline-delimited JSON
 * (`.jsonl`, `.ndjson`). Columns of ISO 8601 date text become dates, as in `read.csv` (`parseDates: false` keeps text).
 * @example const cars = await lepton.read.json('cars.json', { types: { Year: 'date' } })
 */
export async function json(source: Source, options: JsonOptions = {}): Promise<DataFrame> {
  const text = new TextDecoder().decode(await readSource(source));
  return inSource(source, () => jsonText(text, options));
}

/** Options of `read.arrow`. */
export interface ArrowOptions {
  /** Columns to read (default all). */
  columns?: string[];
}

/** Arrow IPC bytes (file or stream format) as a DataFrame. */
export function arrowBytes(bytes: Uint8Array, options: ArrowOptions = {}, name = 'the Arrow data'): DataFrame {
  let table;
  try {
    table = fromArrow(bytes);
  } catch (error) {
    throw new ParseError(`${name} is not Arrow IPC data (${(error as Error).message})`);
  }
  const frame = DataFrame.from(table);
  return options.columns ? frame.select(options.columns) : frame;
}

/**
 * Reads an Arrow IPC file (`.arrow`, `.feather` v2) or stream.
 * @example const flights = await lepton.read.arrow('flights-200k.arrow')
 */
export async function arrow(source: Source, options: ArrowOptions = {}): Promise<DataFrame> {
  return arrowBytes(await readSource(source), options, describeSource(source));
}

/**
 * Reads a Parquet file (snappy, gzip, brotli, zstd or uncompressed), optionally some columns
 * or a row range.
 * @example const df = await lepton.read.parquet('data.parquet', { columns: ['a', 'b'], rowEnd: 10_000 })
 */
export async function parquet(source: Source, options: ParquetOptions = {}): Promise<DataFrame> {
  return DataFrame.fromColumns(await parseParquet(await readSource(source), options, describeSource(source)));
}
