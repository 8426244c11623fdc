import { test } from 'node:test';
import assert from 'node:assert/strict';
import { displaySymbol } from '../display/mime.js';
import { DataFrame } from '../data/frame.js';
import { ColumnNotFoundError } from '../data/errors.js';
import * as plot from './index.js';

/** A channel of the specs these tests read. */
interface Channel {
  field?: string;
  type?: string;
  title?: string;
  aggregate?: string;
  bin?: unknown;
}

/** The parts of a Vega-Lite spec these tests read (the library's TopLevelSpec is a union too wide to read). */
interface Spec {
  $schema?: string;
  title?: string;
  mark: { type: string; color?: string };
  encoding: { x: Channel; y: Channel; color: Channel; tooltip: Channel[] };
  data: { values: Record<string, unknown>[] };
  layer: Spec[];
}

const specOf = (chart: plot.Chart): Spec => chart.spec as Spec;

const df = DataFrame.from({
  species: ['a', 'b', 'a', 'c'],
  'mass (g)': [3.5, 4.25, 3.75, 5],
  'len.mm': [1, 2, 3, 4],
  day: [new Date('2024-01-01'), new Date('2024-01-02'), new Date('2024-01-03'), new Date('2024-01-04')],
});

test('scatter builds a v5 point spec with inferred field types, inline data of the used columns and tooltips', () => {
  const spec = specOf(plot.scatter(df, { x: 'mass (g)', y: 'len.mm', color: 'species', title: 'T' }));
  assert.equal(spec.$schema, 'https://vega.github.io/schema/vega-lite/v5.json');
  assert.equal(spec.mark.type, 'point');
  assert.deepEqual([spec.encoding.x.field, spec.encoding.x.type], ['mass (g)', 'quantitative']);
  assert.deepEqual(
    [spec.encoding.y.field, spec.encoding.y.title],
    ['len\\.mm', 'len.mm'],
    'dots are escaped so Vega-Lite does not read a nested field',
  );
  assert.equal(spec.encoding.color.type, 'nominal');
  assert.equal(spec.title, 'T');
  assert.deepEqual(Object.keys(spec.data.values[0]!).sort(), ['len.mm', 'mass (g)', 'species']);
  assert.equal(spec.encoding.tooltip.length, 3);
});

test('line charts of dates use a temporal axis with ISO dates in the data', () => {
  const spec = specOf(plot.line(df, { x: 'day', y: 'mass (g)' }));
  assert.equal(spec.encoding.x.type, 'temporal');
  assert.equal(spec.data.values[0]!.day, '2024-01-01T00:00:00.000Z');
});

test('bar, histogram, box and heatmap specs reduce the data the way they say', () => {
  const bar = specOf(plot.bar(df, { x: 'species', y: 'mass (g)', aggregate: 'mean' }));
  assert.deepEqual([bar.mark.type, bar.encoding.y.aggregate, bar.encoding.x.type], ['bar', 'mean', 'nominal']);
  assert.equal(specOf(plot.bar(df, { x: 'species' })).encoding.y.aggregate, 'count');
  const hist = specOf(plot.histogram(df, { x: 'mass (g)', bins: 10 }));
  assert.deepEqual([hist.encoding.x.bin, hist.encoding.y.aggregate], [{ maxbins: 10 }, 'count']);
  assert.throws(() => plot.histogram(df, { x: 'species' }), /x must be a numeric column/);
  assert.equal(specOf(plot.box(df, { x: 'species', y: 'mass (g)' })).mark.type, 'boxplot');
  const heat = specOf(plot.heatmap(df, { x: 'species', y: 'len.mm:O', color: 'mass (g)', text: true }));
  assert.equal(heat.layer.length, 2);
  assert.deepEqual([heat.layer[0]!.encoding.y.type, heat.layer[0]!.encoding.color.aggregate], ['ordinal', 'mean']);
});

test('a chart displays as Vega-Lite v5 JSON with an SVG rendered in Node and a text line', () => {
  const bundle = plot.scatter(df, { x: 'mass (g)', y: 'len.mm', color: 'species' })[displaySymbol]();
  const spec = bundle['application/vnd.vegalite.v5+json'] as Spec;
  assert.equal(spec.mark.type, 'point');
  const svg = String(bundle['image/svg+xml']);
  assert.match(svg, /^<svg [^>]*width="\d+" height="\d+"/);
  assert.match(svg, />mass \(g\)</, 'the x axis title is drawn');
  assert.match(svg, />species</, 'the legend is drawn');
  assert.equal((svg.match(/<path [^>]*class="[^"]*"|role="graphics-symbol"/g) ?? []).length > 0, true);
  assert.match(String(bundle['text/plain']), /<Chart point: 4 data rows/);
});

test('.spec can be customized and vl displays any spec', () => {
  const chart = plot.bar(df, { x: 'species' });
  specOf(chart).mark.color = 'red';
  assert.match(chart.toSVG(), /fill="red"/);
  const custom = plot.vl({ mark: 'tick', encoding: { x: { field: 'mass (g)', type: 'quantitative' } } }, df);
  assert.equal(specOf(custom).data.values.length, 4);
  assert.throws(() => plot.vl({ mark: 'nonsense' }).toSVG(), /invalid Vega-Lite spec|Invalid mark/);
});

test('unknown columns, missing channels and frames too large to embed are clear errors', () => {
  assert.throws(
    () => plot.scatter(df, { x: 'mass', y: 'len.mm' }),
    (e: unknown) => e instanceof ColumnNotFoundError && /plot\.scatter: unknown column "mass"/.test(e.message),
  );
  assert.throws(
    () => plot.line(df, { x: 'day' } as unknown as Parameters<typeof plot.line>[1]),
    /the y option is required/,
  );
  const big = DataFrame.from({ x: new Float64Array(30_000), y: new Float64Array(30_000) });
  assert.throws(
    () => plot.scatter(big, { x: 'x', y: 'y' }),
    /30,000 rows, more than the 20,000 a chart embeds.*sample/,
  );
  assert.equal(specOf(plot.scatter(big, { x: 'x', y: 'y', maxRows: 40_000 })).data.values.length, 30_000);
});
