/**
 * Date features, the one implementation both sides use: `lepton.preprocess.dateFeatures` on DataFrames and the
 * server on raw records. A date becomes its day of week (0 = Monday, as pandas), day of year (1–366), month
 * (1–12) and hour (0–23), in UTC or a given time zone; cyclical features become a sine and a cosine, so December
 * sits next to January and 23:00 next to midnight.
 */

/** The calendar parts `dateFeatures` can extract. */
export type DateFeature = 'dayOfWeek' | 'dayOfYear' | 'month' | 'hour';

/** Every date feature, in a fixed order. */
export const DATE_FEATURES: readonly DateFeature[] = ['dayOfWeek', 'dayOfYear', 'month', 'hour'];

/** The settings of a date-features step (its JSON `state`). */
export interface DateFeatureSpec {
  /** The date column. */
  column: string;
  /** The parts to extract, in output order. */
  features: DateFeature[];
  /** Sine and cosine of each part (true) or the part itself. */
  cyclical: boolean;
  /** The IANA time zone whose calendar the parts follow (absent: UTC). */
  timeZone?: string;
}

/** The output column names: `<column>_<feature>`, or `<column>_<feature>_sin` and `_cos` when cyclical. */
export function dateFeatureNames(spec: DateFeatureSpec): string[] {
  return spec.features.flatMap((f) =>
    spec.cyclical ? [`${spec.column}_${f}_sin`, `${spec.column}_${f}_cos`] : [`${spec.column}_${f}`],
  );
}

/** A date value as epoch milliseconds: a Date, epoch milliseconds or date text; NaN when it is none of them. */
export function dateMillis(value: unknown): number {
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'number') return value;
  if (typeof value === 'string') return Date.parse(value);
  return NaN;
}

const dayMs = 86_400_000;

/** The computer of a spec's features: epoch milliseconds in, `dateFeatureNames(spec).length` numbers out. */
export function dateFeatureFunction(
  spec: DateFeatureSpec,
): (ms: number, out: Float64Array | number[], at: number) => void {
  const zone =
    spec.timeZone === undefined || spec.timeZone === 'UTC'
      ? null
      : new Intl.DateTimeFormat('en-US', {
          timeZone: spec.timeZone,
          hourCycle: 'h23',
          year: 'numeric',
          month: 'numeric',
          day: 'numeric',
          hour: 'numeric',
        });
  return (ms, out, at) => {
    let wall = ms;
    if (zone) {
      const p = Object.fromEntries(zone.formatToParts(new Date(ms)).map((x) => [x.type, Number(x.value)]));
      wall = Date.UTC(p.year!, p.month! - 1, p.day, p.hour);
    }
    const d = new Date(wall);
    const year = d.getUTCFullYear();
    const yearDays = (Date.UTC(year + 1, 0, 1) - Date.UTC(year, 0, 1)) / dayMs;
    let k = at;
    for (const f of spec.features) {
      // [value, period, offset]: the cyclical angle is 2π (value − offset) / period.
      const [value, period, offset] =
        f === 'dayOfWeek'
          ? [(d.getUTCDay() + 6) % 7, 7, 0]
          : f === 'dayOfYear'
            ? [Math.floor((wall - Date.UTC(year, 0, 1)) / dayMs) + 1, yearDays, 1]
            : f === 'month'
              ? [d.getUTCMonth() + 1, 12, 1]
              : [d.getUTCHours(), 24, 0];
      if (spec.cyclical) {
        const angle = (2 * Math.PI * (value - offset)) / period;
        out[k++] = Math.sin(angle);
        out[k++] = Math.cos(angle);
      } else out[k++] = value;
    }
  };
}
