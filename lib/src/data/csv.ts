/**
 * A CSV reader that names the line of every problem: RFC 4180 quoting (quoted delimiters, doubled quotes,
 * newlines inside quotes), type inference per column with overrides, and bad rows either reported or skipped.
 */
import { badArgument, ParseError, TypeMismatchError } from './errors.js';
import type { FrameColumns } from './stats.js';

/** The type a CSV column is parsed as. */
export type CsvType = 'number' | 'integer' | 'string' | 'boolean' | 'date';

/** Options of `read.csv` and `read.csvText`. */
export interface CsvOptions {
  /** The field delimiter (default `,`; `\t` for `.tsv` files). */
  delimiter?: string;
  /** Whether the first line holds the column names (default true). */
  header?: boolean;
  /** Column names, when the file has no header line (default `c0`, `c1`, …). */
  names?: string[];
  /** Types for some columns, overriding inference; a value that does not fit is a bad row. */
  types?: Record<string, CsvType>;
  /** Texts read as missing values (default: empty, `NA`, `N/A`, `NaN`, `null`). */
  missing?: string[];
  /** What a malformed row does: `error` (default) throws naming the line; `skip` drops it and counts it. */
  onBadRow?: 'error' | 'skip';
}

/** Parsed CSV: the frame's columns and how many bad rows were skipped. */
export interface CsvResult extends FrameColumns {
  skippedRows: number;
}

interface CsvRecord {
  fields: string[];
  /** Whether each field was quoted (quoted fields are never missing values). */
  quoted: boolean[];
  line: number;
}

/** Splits text into records, tracking the line each starts on. */
function* records(text: string, delimiter: string): Generator<CsvRecord> {
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0; // byte-order mark
  let line = 1;
  const n = text.length;
  while (i < n) {
    const start = line;
    const fields: string[] = [];
    const quoted: boolean[] = [];
    for (;;) {
      let value = '';
      let wasQuoted = false;
      if (text[i] === '"') {
        wasQuoted = true;
        i++;
        for (;;) {
          if (i >= n) throw new ParseError(`a quoted field that starts here is never closed (a '"' is missing)`, start);
          const c = text[i]!;
          if (c === '"') {
            if (text[i + 1] === '"') {
              value += '"';
              i += 2;
              continue;
            }
            i++;
            break;
          }
          if (c === '\n') line++;
          value += c;
          i++;
        }
        if (i < n && text[i] !== delimiter && text[i] !== '\n' && text[i] !== '\r') {
          throw new ParseError(
            `unexpected text after the closing quote of field ${fields.length + 1}; double a quote inside a quoted field ("")`,
            line,
          );
        }
      } else {
        const from = i;
        while (i < n && text[i] !== delimiter && text[i] !== '\n' && text[i] !== '\r') i++;
        value = text.slice(from, i);
        if (value.includes('"')) {
          throw new ParseError(
            `field ${fields.length + 1} (${JSON.stringify(value)}) has a quote but is not quoted; quote the field and double the inner quotes`,
            line,
          );
        }
      }
      fields.push(value);
      quoted.push(wasQuoted);
      if (i < n && text[i] === delimiter) {
        i++;
        continue;
      }
      if (text[i] === '\r') i++;
      if (text[i] === '\n') i++;
      line++;
      break;
    }
    if (fields.length === 1 && fields[0] === '' && !quoted[0]) continue; // blank line
    yield { fields, quoted, line: start };
  }
}

const numberPattern = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
const datePattern = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[-+]\d{2}:?\d{2})?)?$/;

/**
 * ISO 8601 text (`2015-01-01`, `2015-01-01T08:30`, `2015-01-01 08:30:00Z`, with an offset) as a Date, or
 * undefined when the text is not such a date. One rule for every reader, so a column of dates is a column of
 * dates whether it came from CSV or JSON.
 */
export function parseIsoDate(text: string): Date | undefined {
  const t = text.trim();
  if (!datePattern.test(t)) return undefined;
  const value = new Date(t.replace(' ', 'T'));
  return Number.isNaN(value.getTime()) ? undefined : value;
}

/** Converts one text to a type, or returns undefined when it does not fit. */
function convert(text: string, type: CsvType): unknown {
  switch (type) {
    case 'string':
      return text;
    case 'number':
    case 'integer': {
      const t = text.trim();
      if (!numberPattern.test(t) && !/^[-+]?(Infinity)$/.test(t)) return undefined;
      const value = Number(t);
      return type === 'integer' && !Number.isInteger(value) ? undefined : value;
    }
    case 'boolean': {
      const t = text.trim().toLowerCase();
      return t === 'true' ? true : t === 'false' ? false : undefined;
    }
    case 'date':
      return parseIsoDate(text);
  }
}

/** The narrowest type every present value of a column fits. */
function inferType(values: (string | null)[]): CsvType {
  const candidates: CsvType[] = ['integer', 'number', 'boolean', 'date'];
  let alive = candidates;
  for (const value of values) {
    if (value === null) continue;
    alive = alive.filter((type) => convert(value, type) !== undefined);
    if (alive.length === 0) return 'string';
  }
  if (alive.length === candidates.length) return 'string'; // only missing values
  return alive[0] === 'integer' ? 'number' : alive[0]!;
}

/**
 * Parses CSV text into columns. Every problem names its line: a row with the wrong number of fields, an unclosed
 * quote, a value that does not fit a declared type. With `onBadRow: 'skip'` such rows are dropped and counted.
 */
export function parseCsv(text: string, options: CsvOptions = {}): CsvResult {
  const delimiter = options.delimiter ?? ',';
  if (delimiter.length !== 1 || delimiter === '"' || delimiter === '\n')
    throw badArgument(
      `read.csv: the delimiter must be one character other than a quote or newline, got ${JSON.stringify(delimiter)}.`,
    );
  const skip = options.onBadRow === 'skip';
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a guard for callers without type checking (JavaScript, notebook cells); the type says it cannot happen, the runtime may
  if (options.onBadRow !== undefined && options.onBadRow !== 'skip' && options.onBadRow !== 'error') {
    throw badArgument(`read.csv: onBadRow must be 'error' or 'skip', got ${JSON.stringify(options.onBadRow)}.`);
  }
  const missing = new Set(options.missing ?? ['', 'NA', 'N/A', 'NaN', 'null']);
  const iterator = records(text, delimiter);
  let names: string[];
  const rows: CsvRecord[] = [];
  let skippedRows = 0;

  const next = (): CsvRecord | undefined => {
    for (;;) {
      try {
        const r = iterator.next();
        return r.done ? undefined : r.value;
      } catch (error) {
        // an unclosed quote swallows the rest of the file: nothing after it can be trusted
        if (!skip || !(error instanceof ParseError) || !/never closed/.test(error.message)) throw error;
        skippedRows++;
        return undefined;
      }
    }
  };

  if (options.header === false) {
    const first = next();
    if (first) rows.push(first);
    names = options.names ?? (first ? first.fields.map((_, j) => `c${j}`) : []);
  } else {
    const head = next();
    if (!head) throw new ParseError('the CSV text is empty: expected a header line with the column names', 1);
    names = options.names ?? head.fields.map((f) => f.trim());
    const seen = new Set<string>();
    names.forEach((name, j) => {
      if (name === '')
        throw new ParseError(
          `the header's field ${j + 1} is empty: every column needs a name (or pass { names })`,
          head.line,
        );
      if (seen.has(name)) throw new ParseError(`the header names column ${JSON.stringify(name)} twice`, head.line);
      seen.add(name);
    });
  }
  for (const name of Object.keys(options.types ?? {})) {
    if (!names.includes(name))
      throw badArgument(
        `read.csv: types names unknown column ${JSON.stringify(name)}. Available columns: ${names.join(', ')}.`,
      );
  }

  for (let record = next(); record; record = next()) {
    if (record.fields.length !== names.length) {
      if (skip) {
        skippedRows++;
        continue;
      }
      throw new ParseError(
        `expected ${names.length} fields (${names.join(', ')}) but found ${record.fields.length}` +
          ` — check for an unquoted ${JSON.stringify(delimiter)} inside a value or a missing field; pass { onBadRow: 'skip' } to drop such rows`,
        record.line,
      );
    }
    rows.push(record);
  }

  // raw texts per column, null for missing
  const raw = names.map((_, j) =>
    rows.map((r) => (!r.quoted[j] && missing.has(r.fields[j]!.trim()) ? null : r.fields[j]!)),
  );
  const types = names.map((name, j) => options.types?.[name] ?? inferType(raw[j]!));
  let keep = rows.map(() => true);
  const converted = names.map((name, j) => {
    const type = types[j]!;
    return raw[j]!.map((text, r) => {
      if (text === null) return null;
      const value = convert(text, type);
      if (value === undefined) {
        if (skip) {
          keep[r] = false;
          return null;
        }
        throw new TypeMismatchError(
          `line ${rows[r]!.line}: column ${JSON.stringify(name)} is declared ${type}, but the value is ${JSON.stringify(text)}`,
        );
      }
      return value;
    });
  });
  const dropped = keep.filter((k) => !k).length;
  if (dropped === 0) keep = [];
  const columns: Record<string, unknown[]> = {};
  names.forEach((name, j) => {
    columns[name] = dropped ? converted[j]!.filter((_, r) => keep[r]) : converted[j]!;
  });
  return { names, columns, skippedRows: skippedRows + dropped };
}
