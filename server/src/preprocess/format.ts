/**
 * The JSON of fitted preprocessing transforms, exactly as `lepton.preprocess` writes it (`transform.toJSON()`,
 * stored in a deployment's `meta.json` under `transforms`), typed apart from the code that applies it, and its
 * parsing: `parseTransforms` checks every field and flattens pipelines into the steps they run, in order.
 */
import { errors } from '../errors.js';
import { DATE_FEATURES, type DateFeature, type DateFeatureSpec } from './date-features.js';

/** The on-disk format of a transform: its kind, format version, options and fitted state (null until fitted). */
export interface TransformJSON {
  /** The transform's kind, e.g. `standardScaler`. */
  kind: string;
  /** The format version (1). */
  version: 1;
  /** The options it was created with. */
  config: Record<string, unknown>;
  /** What fitting learned, or null when not fitted. */
  state: Record<string, unknown> | null;
}

/** A category value as stored in JSON. */
export type Category = string | number | boolean;

/** `standardScaler`: `(value - mean) / std` per column. */
export interface StandardScalerStep {
  kind: 'standardScaler';
  columns: string[];
  mean: number[];
  std: number[];
}

/** `minMaxScaler`: maps the fitted `[min, max]` of each column linearly onto `range`. */
export interface MinMaxScalerStep {
  kind: 'minMaxScaler';
  columns: string[];
  min: number[];
  max: number[];
  range: [number, number];
}

/** `oneHot`: replaces each column by one 0/1 column per category, named `<column>_<category>`. */
export interface OneHotStep {
  kind: 'oneHot';
  columns: string[];
  categories: Category[][];
  /** A category not seen in fitting: all zeros (`ignore`) or an error. */
  unknown: 'ignore' | 'error';
}

/** `labelEncoder`: replaces each category by its index among the fitted ones. */
export interface LabelEncoderStep {
  kind: 'labelEncoder';
  columns: string[];
  categories: Category[][];
}

/** `imputer`: fills a missing value of each column with the fitted fill value. */
export interface ImputerStep {
  kind: 'imputer';
  columns: string[];
  fill: Category[];
}

/** `dateFeatures`: adds calendar features of one date column (see `date-features.ts`). */
export interface DateFeaturesStep extends DateFeatureSpec {
  kind: 'dateFeatures';
  columns: [string];
}

/** One parsed, fitted step, with `where` naming it in errors (e.g. `transforms[0].steps[1] (oneHot)`). */
export type Step = (
  StandardScalerStep | MinMaxScalerStep | OneHotStep | LabelEncoderStep | ImputerStep | DateFeaturesStep
) & { where: string };

/** The transform kinds the server applies. */
export const TRANSFORM_KINDS: readonly string[] = [
  'standardScaler',
  'minMaxScaler',
  'oneHot',
  'labelEncoder',
  'imputer',
  'pipeline',
  'dateFeatures',
];

/**
 * The steps of `transforms` (a deployment's `transforms`), pipelines flattened, in the order they apply.
 * Throws `LEPTON_BAD_META` naming the transform (its index and kind) that is not fitted, of an unknown kind or
 * format version, or whose JSON lacks or mistypes a field.
 */
export function parseTransforms(transforms: readonly unknown[]): Step[] {
  if (!Array.isArray(transforms)) throw errors.badMeta('transforms must be an array of transform JSON objects.');
  return transforms.flatMap((t, i) => parseOne(t, `transforms[${i}]`));
}

function parseOne(value: unknown, at: string): Step[] {
  if (!isObject(value) || typeof value.kind !== 'string')
    throw errors.badMeta(`${at} is not a transform JSON object with a "kind" (lepton.preprocess transform.toJSON()).`);
  const where = `${at} (${value.kind})`;
  const fail = (problem: string) => errors.badMeta(`${where} ${problem}`);
  if (!TRANSFORM_KINDS.includes(value.kind))
    throw fail(`is of an unknown transform kind; the server applies ${TRANSFORM_KINDS.join(', ')}.`);
  if (value.version !== 1)
    throw fail(`has format version ${JSON.stringify(value.version)}; the server reads version 1.`);
  const config = value.config === undefined ? {} : value.config;
  if (!isObject(config)) throw fail('has a config that is not an object.');
  if (value.state === null || value.state === undefined)
    throw fail('is not fitted; fit it (transform.fit(trainFrame)) before deploying.');
  const state = value.state;
  if (!isObject(state)) throw fail('has a state that is not an object.');

  if (value.kind === 'pipeline') {
    if (!Array.isArray(config.steps) || config.steps.length === 0) throw fail('has no steps (config.steps).');
    return config.steps.flatMap((s: unknown, j: number) => parseOne(s, `${at}.steps[${j}]`));
  }
  const columns = strings(state.columns, 'state.columns', fail);
  const n = columns.length;
  switch (value.kind) {
    case 'standardScaler': {
      const std = numbers(state.std, 'state.std', n, fail);
      if (std.some((s) => s === 0)) throw fail('has a zero in state.std.');
      return [{ kind: 'standardScaler', where, columns, mean: numbers(state.mean, 'state.mean', n, fail), std }];
    }
    case 'minMaxScaler': {
      const range = config.range === undefined ? [0, 1] : numbers(config.range, 'config.range', 2, fail);
      if (!(range[0]! < range[1]!))
        throw fail(`has config.range [${range.join(', ')}]; it must be [low, high] with low < high.`);
      return [
        {
          kind: 'minMaxScaler',
          where,
          columns,
          min: numbers(state.min, 'state.min', n, fail),
          max: numbers(state.max, 'state.max', n, fail),
          range: [range[0]!, range[1]!],
        },
      ];
    }
    case 'oneHot': {
      const unknown = config.unknown ?? 'ignore';
      if (unknown !== 'ignore' && unknown !== 'error')
        throw fail(`has config.unknown ${JSON.stringify(unknown)}; it must be "ignore" or "error".`);
      return [{ kind: 'oneHot', where, columns, categories: categoryLists(state.categories, n, fail), unknown }];
    }
    case 'labelEncoder':
      return [{ kind: 'labelEncoder', where, columns, categories: categoryLists(state.categories, n, fail) }];
    case 'dateFeatures': {
      const features = state.features;
      if (n !== 1) throw fail('needs state.columns: exactly one date column.');
      if (
        !Array.isArray(features) ||
        features.length === 0 ||
        !features.every((f) => DATE_FEATURES.includes(f as DateFeature))
      ) {
        throw fail(`needs state.features: a non-empty array of ${DATE_FEATURES.join(', ')}.`);
      }
      if (typeof state.cyclical !== 'boolean') throw fail('needs state.cyclical: true or false.');
      if (state.timeZone !== undefined && typeof state.timeZone !== 'string')
        throw fail('has a state.timeZone that is not an IANA time zone name.');
      const timeZone = state.timeZone === undefined ? {} : { timeZone: state.timeZone };
      return [
        {
          kind: 'dateFeatures',
          where,
          columns: [columns[0]!],
          column: columns[0]!,
          features: features as DateFeature[],
          cyclical: state.cyclical,
          ...timeZone,
        },
      ];
    }
    default: {
      if (!Array.isArray(state.fill) || state.fill.length !== n || !state.fill.every(isCategory)) {
        throw fail(
          `needs state.fill: ${n} fill value${n === 1 ? '' : 's'} (strings, numbers or booleans), one per column.`,
        );
      }
      return [{ kind: 'imputer', where, columns, fill: state.fill }];
    }
  }
}

type Fail = (problem: string) => Error;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isCategory(value: unknown): value is Category {
  return (
    typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value))
  );
}

function strings(value: unknown, field: string, fail: Fail): string[] {
  if (!Array.isArray(value) || value.length === 0 || !value.every((v): v is string => typeof v === 'string'))
    throw fail(`needs ${field}: a non-empty array of column names.`);
  return value;
}

function numbers(value: unknown, field: string, length: number, fail: Fail): number[] {
  if (
    !Array.isArray(value) ||
    value.length !== length ||
    !value.every((v): v is number => typeof v === 'number' && Number.isFinite(v))
  ) {
    throw fail(`needs ${field}: ${length} finite number${length === 1 ? '' : 's'}.`);
  }
  return value;
}

function categoryLists(value: unknown, length: number, fail: Fail): Category[][] {
  if (
    !Array.isArray(value) ||
    value.length !== length ||
    !value.every((list) => Array.isArray(list) && list.every(isCategory))
  ) {
    throw fail(
      `needs state.categories: ${length} array${length === 1 ? '' : 's'} of categories (strings, numbers or booleans), one per column.`,
    );
  }
  return value;
}
