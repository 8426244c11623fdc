/**
 * The chart functions of `lepton.plot`: line, scatter, bar, histogram, box, heatmap, and `vl` for any spec.
 * Each takes a DataFrame (or any arquero table) and channel options, and returns a `Chart`.
 */
import type { ColumnTable } from 'arquero';
import type { TopLevelSpec } from 'vega-lite';
import { badArgument } from '../data/errors.js';
import { Chart } from './chart.js';
import { Encoder, type Channel } from './encode.js';

/** Options every chart takes. */
export interface CommonOptions {
  /** The chart title. */
  title?: string;
  /** Plot width in pixels (default 400). */
  width?: number;
  /** Plot height in pixels (default 300). */
  height?: number;
  /** Colour by this column (a legend is added). */
  color?: Channel | undefined;
  /** Tooltips on hover: true (default) shows the encoded fields, or list the columns to show. */
  tooltip?: boolean | Channel[];
  /** Raise the limit on rows embedded (see `plotLimits`). */
  maxRows?: number;
}

/** Options of charts with x and y channels. */
export interface XYOptions extends CommonOptions {
  /** The column on the x axis. */
  x: Channel;
  /** The column on the y axis. */
  y: Channel;
}

function finish(
  encoder: Encoder,
  mark: Record<string, unknown>,
  encoding: Record<string, unknown>,
  options: CommonOptions,
  extra: Record<string, unknown> = {},
): Chart {
  if (options.color !== undefined) encoding.color = encoder.field(options.color);
  if (options.tooltip !== false) {
    const listed = Array.isArray(options.tooltip) ? options.tooltip.map((c) => encoder.field(c)) : null;
    encoding.tooltip =
      listed ?? Object.values(encoding).filter((e) => e && typeof e === 'object' && ('field' in e || 'aggregate' in e));
  }
  const spec = {
    ...(options.title ? { title: options.title } : {}),
    width: options.width ?? 400,
    height: options.height ?? 300,
    data: { values: encoder.values(options.maxRows) },
    mark: { tooltip: options.tooltip !== false ? true : undefined, ...mark },
    encoding,
    ...extra,
  };
  return new Chart(JSON.parse(JSON.stringify(spec)) as TopLevelSpec);
}

function need(options: Record<string, unknown> | undefined, chart: string, ...channels: string[]): void {
  for (const channel of channels) {
    if (!options || options[channel] === undefined)
      throw badArgument(
        `plot.${chart}: the ${channel} option is required, e.g. plot.${chart}(df, { ${channels.map((c) => `${c}: 'column'`).join(', ')} }).`,
      );
  }
}

/**
 * A line chart (one line per colour), x sorted.
 * @example lepton.plot.line(weather, { x: 'date', y: 'temp_max', color: 'weather' })
 */
export function line(frame: ColumnTable, options: XYOptions & { points?: boolean }): Chart {
  need(options as unknown as Record<string, unknown>, 'line', 'x', 'y');
  const e = new Encoder(frame, 'line');
  return finish(
    e,
    { type: 'line', point: options.points ?? false },
    { x: e.field(options.x), y: e.field(options.y) },
    options,
  );
}

/**
 * A scatter plot; `size` and `shape` map more columns; `interactive` adds zoom and pan.
 * @example lepton.plot.scatter(penguins, { x: 'Beak Length (mm)', y: 'Beak Depth (mm)', color: 'Species' })
 */
export function scatter(
  frame: ColumnTable,
  options: XYOptions & { size?: Channel; shape?: Channel; interactive?: boolean },
): Chart {
  need(options as unknown as Record<string, unknown>, 'scatter', 'x', 'y');
  const e = new Encoder(frame, 'scatter');
  const encoding: Record<string, unknown> = {
    x: e.field(options.x, { scale: { zero: false } }),
    y: e.field(options.y, { scale: { zero: false } }),
  };
  if (options.size !== undefined) encoding.size = e.field(options.size);
  if (options.shape !== undefined) encoding.shape = e.field(options.shape);
  const params = options.interactive ? { params: [{ name: 'grid', select: 'interval', bind: 'scales' }] } : {};
  return finish(e, { type: 'point', filled: true }, encoding, options, params);
}

/** How bar and heatmap charts reduce the values of a category. */
export type Aggregate = 'sum' | 'mean' | 'median' | 'min' | 'max' | 'count';

/**
 * A bar chart of `y` per `x` category (reduced with `aggregate`, default sum), or of row counts without `y`.
 * Colour stacks the bars. `horizontal` puts categories on the y axis.
 * @example lepton.plot.bar(penguins, { x: 'Species', y: 'Body Mass (g)', aggregate: 'mean' })
 */
export function bar(
  frame: ColumnTable,
  options: CommonOptions & { x: Channel; y?: Channel; aggregate?: Aggregate; horizontal?: boolean },
): Chart {
  need(options as unknown as Record<string, unknown>, 'bar', 'x');
  const e = new Encoder(frame, 'bar');
  const category = e.field(options.x, e.typeOf(options.x) === 'quantitative' ? { type: 'ordinal' } : { sort: '-y' });
  const value =
    options.y === undefined
      ? { aggregate: 'count', type: 'quantitative', title: 'count' }
      : e.field(options.y, { aggregate: options.aggregate ?? 'sum' });
  if (options.horizontal) {
    if (category.sort === '-y') category.sort = '-x';
    return finish(e, { type: 'bar' }, { y: category, x: value }, options);
  }
  return finish(e, { type: 'bar' }, { x: category, y: value }, options);
}

/**
 * A histogram of a numeric column (`bins`: at most that many bins, default 30); colour stacks the bars.
 * @example lepton.plot.histogram(penguins, { x: 'Body Mass (g)', color: 'Species', bins: 20 })
 */
export function histogram(frame: ColumnTable, options: CommonOptions & { x: Channel; bins?: number }): Chart {
  need(options as unknown as Record<string, unknown>, 'histogram', 'x');
  const e = new Encoder(frame, 'histogram');
  if (e.typeOf(options.x) !== 'quantitative')
    throw badArgument(`plot.histogram: x must be a numeric column; for categories use plot.bar(df, { x }).`);
  return finish(
    e,
    { type: 'bar' },
    {
      x: e.field(options.x, { bin: { maxbins: options.bins ?? 30 } }),
      y: { aggregate: 'count', type: 'quantitative', title: 'count' },
    },
    options,
  );
}

/**
 * Box plots of a numeric `y` per `x` category (min–max whiskers at 1.5 IQR, outliers as points).
 * @example lepton.plot.box(penguins, { x: 'Species', y: 'Flipper Length (mm)' })
 */
export function box(frame: ColumnTable, options: CommonOptions & { x?: Channel; y: Channel }): Chart {
  need(options as unknown as Record<string, unknown>, 'box', 'y');
  const e = new Encoder(frame, 'box');
  const encoding: Record<string, unknown> = { y: e.field(options.y, { scale: { zero: false } }) };
  if (options.x !== undefined) encoding.x = e.field(options.x);
  return finish(e, { type: 'boxplot', extent: 1.5 }, encoding, { ...options, tooltip: options.tooltip ?? false });
}

/**
 * A heatmap of `x` × `y` cells coloured by a numeric column (reduced with `aggregate`, default mean), or by row
 * counts without `color`; `text: true` writes the values in the cells.
 * @example lepton.plot.heatmap(corrLong, { x: 'column', y: 'other', color: 'r', text: true })
 */
export function heatmap(
  frame: ColumnTable,
  options: CommonOptions & { x: Channel; y: Channel; aggregate?: Aggregate; text?: boolean },
): Chart {
  need(options as unknown as Record<string, unknown>, 'heatmap', 'x', 'y');
  const e = new Encoder(frame, 'heatmap');
  const x = e.field(options.x, e.typeOf(options.x) === 'quantitative' ? { type: 'ordinal' } : {});
  const y = e.field(options.y, e.typeOf(options.y) === 'quantitative' ? { type: 'ordinal' } : {});
  const color =
    options.color === undefined
      ? { aggregate: 'count', type: 'quantitative', title: 'count' }
      : e.field(
          options.color,
          e.typeOf(options.color) === 'quantitative' ? { aggregate: options.aggregate ?? 'mean' } : {},
        );
  const base = { x, y };
  const rest = { ...options, color: undefined };
  if (!options.text) return finish(e, { type: 'rect' }, { ...base, color }, rest);
  const chart = finish(e, { type: 'rect' }, { ...base, color }, rest);
  const { mark, encoding, ...top } = chart.spec as unknown as {
    mark: unknown;
    encoding: Record<string, unknown>;
  } & Record<string, unknown>;
  const textColor = { ...color };
  delete textColor.title;
  return new Chart({
    ...top,
    layer: [
      { mark, encoding },
      {
        mark: { type: 'text', fontSize: 10 },
        encoding: { x: encoding.x, y: encoding.y, text: { ...textColor, format: '.2f' } },
      },
    ],
  } as unknown as TopLevelSpec);
}

/**
 * Any Vega-Lite v5 spec as a chart; with `data`, the frame's rows become the spec's inline data.
 * @example lepton.plot.vl({ mark: 'bar', encoding: { x: { field: 'a', type: 'nominal' }, y: { field: 'b', type: 'quantitative' } } }, df)
 */
export function vl(spec: Record<string, unknown> | TopLevelSpec, data?: ColumnTable): Chart {
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a guard for callers without type checking (JavaScript, notebook cells); the type says it cannot happen, the runtime may
  if (!spec || typeof spec !== 'object') throw badArgument('plot.vl: expected a Vega-Lite spec object.');
  if (!data) return new Chart(spec as TopLevelSpec);
  const e = new Encoder(data, 'vl');
  for (const name of data.columnNames()) e.field(name);
  return new Chart({ ...spec, data: { values: e.values() } } as TopLevelSpec);
}
