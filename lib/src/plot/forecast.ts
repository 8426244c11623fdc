/**
 * `lepton.plot.forecast`: a forecast against the actual series over time, with the train/test boundary marked, and
 * the residuals (actual − predicted) of each model beneath.
 */
import type { TopLevelSpec } from 'vega-lite';
import { badArgument } from '../data/errors.js';
import { toArray, type Values } from '../metrics/values.js';
import { Chart } from './chart.js';
import { plotLimits } from './encode.js';

/** Options of `forecast`. */
export interface ForecastChartOptions {
  /** The time of every actual value (Dates, ISO text or epoch milliseconds). */
  times: ArrayLike<Date | string | number>;
  /** The actual series, one value per time (training and test part). */
  actual: Values;
  /** Each model's forecasts, aligned to the last times (the test part): `{ naive: p1, lstm: p2 }`. */
  predicted: Record<string, Values>;
  /** Where training ends (default: the first forecast time). */
  boundary?: Date | string | number;
  /** The chart title. */
  title?: string;
  /** Plot width in pixels (default 600). */
  width?: number;
  /** Name of the value on the y axis (default `value`). */
  label?: string;
  /** Raise the limit on points embedded (see `plotLimits`). */
  maxRows?: number;
}

const iso = (t: Date | string | number) => new Date(t).toISOString();

/**
 * Actual vs predicted over time with the train/test boundary as a rule, and residuals per model beneath.
 * @example lepton.plot.forecast({ times: w.times, actual: w.y, predicted: { naive: naivePred, lstm: lstmPred }, boundary: '2015-01-01' })
 */
export function forecast(options: ForecastChartOptions): Chart {
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a guard for callers without type checking (JavaScript, notebook cells); the type says it cannot happen, the runtime may
  if (!options || !options.times || options.actual === undefined || !options.predicted) {
    throw badArgument(
      'plot.forecast: give { times, actual, predicted: { model: values } }, e.g. plot.forecast({ times: w.times, actual: w.y, predicted: { lstm: p } }).',
    );
  }
  const times = Array.from(options.times, iso);
  const actual = toArray(options.actual);
  if (actual.length !== times.length)
    throw badArgument(
      `plot.forecast: ${times.length} times but ${actual.length} actual values; give one time per value.`,
    );
  const label = options.label ?? 'value';
  const series: Record<string, unknown>[] = actual.map((v, i) => ({ time: times[i], series: 'actual', [label]: v }));
  const residuals: Record<string, unknown>[] = [];
  let start = times.length;
  for (const [name, values] of Object.entries(options.predicted)) {
    const p = toArray(values);
    if (p.length > times.length)
      throw badArgument(`plot.forecast: ${name} has ${p.length} forecasts for ${times.length} times.`);
    const offset = times.length - p.length;
    start = Math.min(start, offset);
    p.forEach((v, i) => {
      series.push({ time: times[offset + i], series: name, [label]: v });
      residuals.push({ time: times[offset + i], series: name, residual: actual[offset + i]! - v });
    });
  }
  const limit = options.maxRows ?? plotLimits.maxRows;
  if (series.length > limit)
    throw badArgument(
      `plot.forecast: ${series.length.toLocaleString('en-US')} points, more than the ${limit.toLocaleString('en-US')} a chart embeds; plot a shorter span or pass { maxRows }.`,
    );
  const boundary = options.boundary !== undefined ? iso(options.boundary) : times[start];
  const width = options.width ?? 600;
  const x = { field: 'time', type: 'temporal', title: null };
  const color = { field: 'series', type: 'nominal', title: null };
  const rule =
    boundary === undefined
      ? []
      : [
          {
            data: { values: [{ time: boundary, text: 'train | test' }] },
            layer: [
              { mark: { type: 'rule', strokeDash: [4, 4], color: 'gray' }, encoding: { x } },
              {
                mark: { type: 'text', align: 'left', dx: 4, dy: -4, baseline: 'bottom', color: 'gray' },
                encoding: { x, y: { value: 0 }, text: { field: 'text' } },
              },
            ],
          },
        ];
  const spec = {
    ...(options.title ? { title: options.title } : {}),
    vconcat: [
      {
        width,
        height: 260,
        layer: [
          {
            data: { values: series },
            mark: { type: 'line', strokeWidth: 1.2 },
            encoding: {
              x,
              y: { field: label, type: 'quantitative', scale: { zero: false } },
              color,
              tooltip: [
                { field: 'time', type: 'temporal' },
                { field: 'series' },
                { field: label, type: 'quantitative' },
              ],
            },
          },
          ...rule,
        ],
      },
      {
        width,
        height: 120,
        data: { values: residuals },
        layer: [
          {
            mark: { type: 'line', strokeWidth: 1 },
            encoding: { x, y: { field: 'residual', type: 'quantitative', title: 'residual' }, color },
          },
          { mark: { type: 'rule', color: 'black', opacity: 0.4 }, encoding: { y: { datum: 0 } } },
        ],
      },
    ],
  };
  return new Chart(spec as unknown as TopLevelSpec);
}
