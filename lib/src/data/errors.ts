/**
 * The errors of Lepton's data tools. Each carries a stable `code` that programs and tests match, and a message
 * that names the problem and its fix.
 */
import { DataError } from '../core/data-error.js';
// The base class and `badArgument` live in core so that layers below `data` can throw them (see that file).
export { DataError, badArgument, type DataErrorCode } from '../core/data-error.js';

/** A column name that the frame does not have; the message lists the ones it has. */
export class ColumnNotFoundError extends DataError {
  /** The name that was asked for. */
  readonly column: string;
  /** The columns the frame has. */
  readonly available: readonly string[];

  constructor(column: string, available: readonly string[], context = '') {
    const near = closest(column, available);
    super(
      'LEPTON_UNKNOWN_COLUMN',
      `${context ? context + ': ' : ''}unknown column ${JSON.stringify(column)}` +
        (near ? ` (did you mean ${JSON.stringify(near)}?)` : '') +
        `. Available columns: ${available.map((n) => JSON.stringify(n)).join(', ') || '(none)'}.`,
    );
    this.column = column;
    this.available = available;
  }
}

/** A value whose type is not what a column or an operation needs; the message names the column and the value. */
export class TypeMismatchError extends DataError {
  constructor(message: string) {
    super('LEPTON_TYPE_MISMATCH', message);
  }
}

/** Input text or bytes that cannot be parsed; for text formats the message names the line. */
export class ParseError extends DataError {
  /** The 1-based line of the problem, when the format has lines. */
  readonly line: number | undefined;

  constructor(message: string, line?: number) {
    super('LEPTON_PARSE_ERROR', line === undefined ? message : `line ${line}: ${message}`);
    this.line = line;
  }
}

/** An operation that needs rows got none (fitting a transform on an empty frame, for one). */
export class EmptyDataError extends DataError {
  constructor(message: string) {
    super('LEPTON_EMPTY_DATA', message);
  }
}

/** Throws `ColumnNotFoundError` unless every name is a column of `available`. */
export function assertColumns(names: readonly string[], available: readonly string[], context = ''): void {
  for (const name of names) {
    if (!available.includes(name)) throw new ColumnNotFoundError(name, available, context);
  }
}

/** The available name closest to `name` (case-insensitive, then small edit distance), if any is close. */
function closest(name: string, available: readonly string[]): string | undefined {
  const lower = name.toLowerCase();
  const exact = available.find((n) => n.toLowerCase() === lower);
  if (exact) return exact;
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(name.length / 3)) + 1;
  for (const candidate of available) {
    const d = editDistance(lower, candidate.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}
