/**
 * The search space of `lepton.tune`: a plain object whose values are parameter declarations made with
 * `lepton.tune.int`, `lepton.tune.float` and `lepton.tune.choice`, e.g.
 * `{ lr: lepton.tune.float(1e-4, 1e-1, { log: true }), units: lepton.tune.int(4, 64), act: lepton.tune.choice(['relu', 'tanh']) }`.
 * The declarations are plain JSON, so a study file stores its space as written.
 */
import type { Random } from '../core/random.js';
import { SpaceError } from './errors.js';

/** A value a `choice` parameter can take: JSON scalars, so studies store them as they are. */
export type ChoiceValue = string | number | boolean | null;

/** A whole number in [low, high] (both included), sampled uniformly or, with `log`, uniformly in log space. */
export interface IntParam {
  /** Marks an `int` parameter. */
  kind: 'int';
  /** The smallest whole number (included). */
  low: number;
  /** The largest whole number (included). */
  high: number;
  /** Whether it is sampled uniformly in log space (then low > 0). */
  log: boolean;
}

/** A real number in [low, high], sampled uniformly or, with `log`, uniformly in log space. */
export interface FloatParam {
  /** Marks a `float` parameter. */
  kind: 'float';
  /** The smallest value (included). */
  low: number;
  /** The largest value (included). */
  high: number;
  /** Whether it is sampled uniformly in log space (then low > 0). */
  log: boolean;
}

/** One of a list of values. */
export interface ChoiceParam<T extends ChoiceValue = ChoiceValue> {
  /** Marks a `choice` parameter. */
  kind: 'choice';
  /** The values it can take, in the declared order. */
  values: readonly T[];
}

/** One parameter's declaration. */
export type ParamSpec = IntParam | FloatParam | ChoiceParam;

/** A search space: parameter name → declaration. */
export type Space = Record<string, ParamSpec>;

/** The parameters of one trial, typed from the space: numbers for `int`/`float`, the listed values for `choice`. */
export type ParamsOf<S extends Space> = { [K in keyof S]: S[K] extends ChoiceParam<infer T> ? T : number };

/** Parameters as stored (any space). */
export type ParamValues = Record<string, ChoiceValue>;

/** Options of `int` and `float`. */
export interface RangeOptions {
  /** Sample uniformly in log space (for learning rates, regularisation; needs low > 0). Default false. */
  log?: boolean;
}

/**
 * A whole-number parameter in [low, high], both included.
 * @example lepton.tune.int(8, 128, { log: true })
 */
export function int(low: number, high: number, options: RangeOptions = {}): IntParam {
  return { kind: 'int', low, high, log: options.log ?? false };
}

/**
 * A real-number parameter in [low, high].
 * @example lepton.tune.float(1e-4, 1e-1, { log: true })
 */
export function float(low: number, high: number, options: RangeOptions = {}): FloatParam {
  return { kind: 'float', low, high, log: options.log ?? false };
}

/**
 * A parameter taking one of `values` (strings, numbers, booleans or null).
 * @example lepton.tune.choice(['relu', 'tanh'])
 */
export function choice<const T extends ChoiceValue>(values: readonly T[]): ChoiceParam<T> {
  return { kind: 'choice', values: [...values] };
}

export { SpaceError } from './errors.js';

const describeValue = (v: unknown) =>
  typeof v === 'string' ? JSON.stringify(v) : typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v);

/**
 * Checks a space and returns it: at least one parameter, each a declaration from `lepton.tune.int/float/choice`
 * with a consistent range. Every error names the parameter and what to change.
 */
export function validateSpace<S extends Space>(space: S): S {
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a guard for callers without type checking (JavaScript, notebook cells); the type says it cannot happen, the runtime may
  if (typeof space !== 'object' || space === null || Array.isArray(space)) {
    throw new SpaceError(
      'The search space must be an object of parameters, e.g. { lr: lepton.tune.float(1e-4, 1e-1, { log: true }), units: lepton.tune.int(8, 64) }.',
    );
  }
  const names = Object.keys(space);
  if (names.length === 0) {
    throw new SpaceError(
      'The search space is empty: declare at least one parameter, e.g. { lr: lepton.tune.float(1e-4, 1e-1, { log: true }) }.',
    );
  }
  for (const name of names) {
    const p = space[name] as unknown;
    const where = `Parameter '${name}'`;
    if (typeof p !== 'object' || p === null || !('kind' in p)) {
      throw new SpaceError(
        `${where} is ${describeValue(p)}, not a declaration: use lepton.tune.int(low, high), lepton.tune.float(low, high) or lepton.tune.choice([...]) (a fixed value does not need to be searched: pass it to build yourself).`,
      );
    }
    const spec = p as ParamSpec;
    if (spec.kind === 'choice') {
      if (!Array.isArray(spec.values) || spec.values.length === 0)
        throw new SpaceError(
          `${where} is a choice with no values: list at least one, e.g. lepton.tune.choice(['relu', 'tanh']).`,
        );
      for (const v of spec.values) {
        if (
          !(v === null || ['string', 'number', 'boolean'].includes(typeof v)) ||
          (typeof v === 'number' && !Number.isFinite(v))
        ) {
          throw new SpaceError(
            `${where} has the choice ${describeValue(v)}: choices must be strings, finite numbers, booleans or null (so the study can be saved as JSON); pick by name inside build instead.`,
          );
        }
      }
      const seen = new Set(spec.values.map((v) => JSON.stringify(v)));
      if (seen.size !== spec.values.length)
        throw new SpaceError(
          `${where} lists the same choice twice (${spec.values.map(describeValue).join(', ')}): list each value once.`,
        );
      continue;
    }
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a guard for callers without type checking (JavaScript, notebook cells); the type says it cannot happen, the runtime may
    if (spec.kind !== 'int' && spec.kind !== 'float') {
      throw new SpaceError(
        `${where} has the unknown kind ${describeValue((spec as { kind: unknown }).kind)}: use lepton.tune.int, lepton.tune.float or lepton.tune.choice.`,
      );
    }
    const { low, high } = spec;
    if (typeof low !== 'number' || typeof high !== 'number' || !Number.isFinite(low) || !Number.isFinite(high)) {
      throw new SpaceError(
        `${where} needs finite numeric bounds (got low ${describeValue(low)}, high ${describeValue(high)}).`,
      );
    }
    if (spec.kind === 'int' && !(Number.isInteger(low) && Number.isInteger(high))) {
      throw new SpaceError(
        `${where} is an int with bounds ${low} and ${high}: int bounds must be whole numbers (use lepton.tune.float for real numbers).`,
      );
    }
    if (!(low < high)) {
      throw new SpaceError(
        `${where} has low ${low} ≥ high ${high}: the range must be non-empty with low < high${low === high ? ` (a fixed value ${low} does not need to be searched)` : ' (swap them)'}.`,
      );
    }
    if (spec.log && low <= 0) {
      throw new SpaceError(
        `${where} is on a log scale with low ${low}: log ranges need low > 0 (e.g. ${spec.kind === 'int' ? '1' : '1e-5'}), or drop { log: true }.`,
      );
    }
  }
  return space;
}

/** Whether two spaces declare the same parameters with the same ranges and choices (order of names included). */
export function sameSpace(a: Space, b: Space): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

/** The space as JSON with a fixed key order (what a study file stores). */
export function canonical(space: Space): Space {
  const out: Space = {};
  for (const [name, p] of Object.entries(space)) {
    out[name] =
      p.kind === 'choice'
        ? { kind: 'choice', values: [...p.values] }
        : { kind: p.kind, low: p.low, high: p.high, log: p.log };
  }
  return out;
}

/** One parameter's declaration in words, e.g. `float 0.0001…0.1 (log)`. */
export function describeParam(p: ParamSpec): string {
  if (p.kind === 'choice') return `choice of ${p.values.map(describeValue).join(', ')}`;
  return `${p.kind} ${p.low}…${p.high}${p.log ? ' (log)' : ''}`;
}

/** A uniform sample of one parameter (log-uniform for log ranges). */
export function sampleParam(p: ParamSpec, random: Random): ChoiceValue {
  if (p.kind === 'choice') return p.values[Math.min(p.values.length - 1, Math.floor(random() * p.values.length))]!;
  if (p.kind === 'float') {
    const v = p.log
      ? Math.exp(Math.log(p.low) + random() * (Math.log(p.high) - Math.log(p.low)))
      : p.low + random() * (p.high - p.low);
    return Math.min(p.high, Math.max(p.low, v));
  }
  // Ints are sampled over [low − ½, high + ½] and rounded, so both ends are as likely as the inner values.
  const lo = p.low - 0.5;
  const hi = p.high + 0.5;
  const v = p.log ? Math.exp(Math.log(lo) + random() * (Math.log(hi) - Math.log(lo))) : lo + random() * (hi - lo);
  return Math.min(p.high, Math.max(p.low, Math.round(v)));
}

/** A uniform sample of the whole space, parameters in declaration order. */
export function sampleSpace(space: Space, random: Random): ParamValues {
  const out: ParamValues = {};
  for (const [name, p] of Object.entries(space)) out[name] = sampleParam(p, random);
  return out;
}

/**
 * Where a value sits in its parameter's range, in [0, 1] (in log space for log ranges; a choice by its index):
 * the y position of the parallel-coordinates view.
 */
export function position(p: ParamSpec, value: ChoiceValue): number {
  if (p.kind === 'choice') {
    const i = p.values.findIndex((v) => v === value);
    return p.values.length === 1 ? 0.5 : Math.max(0, i) / (p.values.length - 1);
  }
  const v = Number(value);
  const t = p.log
    ? (Math.log(v) - Math.log(p.low)) / (Math.log(p.high) - Math.log(p.low))
    : (v - p.low) / (p.high - p.low);
  return Math.min(1, Math.max(0, t));
}

/** A parameter value formatted for tables and axes (4 significant digits for floats). */
export function formatValue(value: ChoiceValue): string {
  if (typeof value === 'number' && !Number.isInteger(value))
    return Math.abs(value) < 1e-3 ? value.toExponential(2) : value.toPrecision(4);
  return typeof value === 'string' ? value : String(value);
}
