/**
 * The fit/transform protocol of Lepton's preprocessing, and its JSON format: a fitted transform serializes to
 * JSON (to ship beside a deployed model) and `fromJSON` restores an equal transform.
 */
import type { ColumnTable } from 'arquero';
import type { TransformJSON } from '@lepton/server/preprocess';
import { assertColumns, badArgument, DataError, EmptyDataError } from '../data/errors.js';
import { DataFrame } from '../data/frame.js';
import { columnValues, type FrameColumns } from '../data/stats.js';

// The on-disk format is the server's: it applies these transforms to raw records (`@lepton/server/preprocess`).
export type { TransformJSON };

/** A preprocessing step: learns from a frame (`fit`), then applies to frames (`transform`). */
export abstract class Transform<State extends Record<string, unknown> = Record<string, unknown>> {
  /** The kind, as written in JSON. */
  abstract readonly kind: string;
  /** What fitting learned; null until `fit`. */
  protected state: State | null = null;

  /** Whether `fit` has run. */
  get fitted(): boolean {
    return this.state !== null;
  }

  /** Learns what the transform needs from `frame` (means, categories, …). Returns the transform. */
  fit(frame: ColumnTable): this {
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a guard for callers without type checking (JavaScript, notebook cells); the type says it cannot happen, the runtime may
    if (!frame || typeof frame.numRows !== 'function') throw badArgument(`${this.kind}.fit: expected a DataFrame.`);
    if (frame.numRows() === 0)
      throw new EmptyDataError(`${this.kind}.fit: the frame is empty (0 rows); fit on data with at least one row.`);
    this.state = this.learn(frame);
    return this;
  }

  /** Applies the fitted transform to `frame`, returning a new frame. */
  transform(frame: ColumnTable): DataFrame {
    if (!this.state)
      throw new DataError(
        'LEPTON_NOT_FITTED',
        `${this.kind}.transform: the transform is not fitted; call fit(trainFrame) first.`,
      );
    return DataFrame.fromColumns(this.apply(frame, this.state));
  }

  /** `fit(frame)` then `transform(frame)`. */
  fitTransform(frame: ColumnTable): DataFrame {
    return this.fit(frame).transform(frame);
  }

  /** The transform as JSON (see `TransformJSON`). */
  toJSON(): TransformJSON {
    return {
      kind: this.kind,
      version: 1,
      config: this.config(),
      state: this.state ? structuredClone(this.state) : null,
    };
  }

  /** Restores fitted state from JSON (used by `fromJSON`). */
  restore(state: Record<string, unknown> | null): this {
    this.state = state as State | null;
    return this;
  }

  /** The options, as JSON. */
  protected abstract config(): Record<string, unknown>;
  /** Fitting: the state learned from a non-empty frame. */
  protected abstract learn(frame: ColumnTable): State;
  /** Transforming: the output columns. */
  protected abstract apply(frame: ColumnTable, state: State): FrameColumns;
}

const registry = new Map<string, (config: Record<string, unknown>) => Transform>();

/** Registers a transform kind so `fromJSON` can restore it. */
export function registerTransform(kind: string, create: (config: Record<string, unknown>) => Transform): void {
  registry.set(kind, create);
}

/**
 * A transform from its JSON (an object or its text), fitted if the JSON was.
 * @example const scaler = lepton.preprocess.fromJSON(readFileSync('scaler.json', 'utf8'))
 */
export function fromJSON(json: TransformJSON | string): Transform {
  const parsed: unknown = typeof json === 'string' ? JSON.parse(json) : json;
  if (typeof parsed !== 'object' || parsed === null || typeof (parsed as { kind?: unknown }).kind !== 'string')
    throw badArgument('fromJSON: expected a transform JSON object with a "kind".');
  // The version and config are checked here, not trusted: the JSON may come from another Lepton.
  const value = parsed as Omit<TransformJSON, 'version' | 'config'> & {
    version?: unknown;
    config?: TransformJSON['config'];
  };
  if (value.version !== 1)
    throw badArgument(
      `fromJSON: unsupported transform format version ${String(value.version)} (this Lepton reads version 1).`,
    );
  const create = registry.get(value.kind);
  if (!create)
    throw badArgument(
      `fromJSON: unknown transform kind ${JSON.stringify(value.kind)}; known kinds: ${[...registry.keys()].join(', ')}.`,
    );
  return create(value.config ?? {}).restore(value.state);
}

/** Every column's values in row order, to rebuild a frame with some columns replaced. */
export function allColumns(frame: ColumnTable): FrameColumns {
  const names = frame.columnNames();
  return { names, columns: Object.fromEntries(names.map((n) => [n, columnValues(frame, n)])) };
}

/** The columns a transform works on: the given ones (checked), or those `pick` selects. */
export function chooseColumns(
  frame: ColumnTable,
  given: string[] | undefined,
  pick: (name: string) => boolean,
  kind: string,
  what: string,
): string[] {
  if (given) {
    assertColumns(given, frame.columnNames(), `${kind}.fit`);
    return given;
  }
  const chosen = frame.columnNames().filter(pick);
  if (chosen.length === 0) throw badArgument(`${kind}.fit: the frame has no ${what} columns; pass { columns: [...] }.`);
  return chosen;
}
