/**
 * `dateFeatures` as ONNX arithmetic on epoch milliseconds (float64): the UTC calendar by integer day arithmetic
 * (the proleptic Gregorian "civil from days" algorithm), then the features exactly as the server's
 * `dateFeatureFunction` defines them, computed in float64 and cast to float32 at the end as the server does.
 * Another time zone needs its daylight-saving rules, which no ONNX operator knows: that is an export error.
 */
import type { Step } from '@lepton/server/preprocess';
import { dateFeatureNames } from '@lepton/server/preprocess';
import { ExportError } from '../errors.js';
import { attr, type OnnxGraph } from '../../onnx/graph.js';
import { DataType } from '../../onnx/format.js';

type DateStep = Extract<Step, { kind: 'dateFeatures' }>;

const DAY_MS = 86_400_000;
// Days from 0000-03-01 to 1970-01-01, and the days of a 400-year era, of the civil-from-days algorithm.
const EPOCH_SHIFT = 719_468;
const ERA_DAYS = 146_097;

/**
 * Adds the nodes of a date-features step reading `ms` (`[batch, 1]` float64 epoch milliseconds, NaN: missing).
 * @returns each output column's name with its `[batch, 1]` float32 value, in `dateFeatureNames` order
 */
export function dateFeatureNodes(g: OnnxGraph, step: DateStep, ms: string): Array<[string, string]> {
  if (step.timeZone !== undefined && step.timeZone !== 'UTC') {
    throw new ExportError(
      'LEPTON_UNSUPPORTED_TRANSFORM',
      `${step.where} follows the calendar of ${step.timeZone}, whose daylight-saving rules no ONNX operator knows; fit dateFeatures without timeZone (UTC) to export it, or serve it on the Lepton server.`,
    );
  }
  const hint = 'dateFeatures';
  const c = (v: number) => g.addInitializer(`${hint}/const`, Float64Array.of(v), [1]);
  const op = (type: string, ...inputs: string[]) => g.op(type, inputs, {}, hint);
  const add = (a: string, b: string) => op('Add', a, b);
  const sub = (a: string, b: string) => op('Sub', a, b);
  const mul = (a: string, b: string) => op('Mul', a, b);
  /** ⌊a / n⌋ for a constant n. */
  const fdiv = (a: string, n: number) => op('Floor', op('Div', a, c(n)));

  const days = fdiv(ms, DAY_MS);
  // Civil from days: z counts days from 0000-03-01, so leap days fall at the end of each (March-based) year.
  const z = add(days, c(EPOCH_SHIFT));
  const era = fdiv(z, ERA_DAYS);
  const doe = sub(z, mul(era, c(ERA_DAYS)));
  const yoe = fdiv(sub(add(sub(doe, fdiv(doe, 1460)), fdiv(doe, 36_524)), fdiv(doe, ERA_DAYS - 1)), 365);
  const doy = sub(doe, sub(add(mul(c(365), yoe), fdiv(yoe, 4)), fdiv(yoe, 100))); // day of the March-based year
  const mp = fdiv(add(mul(c(5), doy), c(2)), 153);
  const janOrFeb = fdiv(mp, 10); // 1 for January and February, which close the March-based year
  const month = sub(add(mp, c(3)), mul(c(12), janOrFeb));
  const year = add(add(yoe, mul(era, c(400))), janOrFeb);
  /** Days from 1970-01-01 to January 1st of `y` (the same algorithm backwards). */
  const jan1 = (y: string) => {
    const yy = sub(y, c(1)); // January belongs to the previous March-based year
    const e = fdiv(yy, 400);
    const ye = sub(yy, mul(e, c(400)));
    const de = add(sub(add(mul(ye, c(365)), fdiv(ye, 4)), fdiv(ye, 100)), c(306));
    return sub(add(mul(e, c(ERA_DAYS)), de), c(EPOCH_SHIFT));
  };
  const yearStart = jan1(year);

  const parts: Record<string, () => [value: string, period: string | number, offset: number]> = {
    dayOfWeek: () => {
      const shifted = add(days, c(3)); // 1970-01-01 was a Thursday; Monday is 0
      return [sub(shifted, mul(c(7), fdiv(shifted, 7))), 7, 0];
    },
    dayOfYear: () => [add(sub(days, yearStart), c(1)), sub(jan1(add(year, c(1))), yearStart), 1],
    month: () => [month, 12, 1],
    hour: () => [fdiv(sub(ms, mul(days, c(DAY_MS))), 3_600_000), 24, 0],
  };
  const toFloat = (v: string) => g.op('Cast', [v], { to: attr.int(DataType.FLOAT) }, hint);
  const names = dateFeatureNames(step);
  const out: string[] = [];
  for (const feature of step.features) {
    const [value, period, offset] = parts[feature]!();
    if (!step.cyclical) {
      out.push(toFloat(value));
      continue;
    }
    const angle = op(
      'Div',
      mul(c(2 * Math.PI), sub(value, c(offset))),
      typeof period === 'number' ? c(period) : period,
    );
    out.push(toFloat(op('Sin', angle)), toFloat(op('Cos', angle)));
  }
  return names.map((name, i) => [name, out[i]!]);
}
