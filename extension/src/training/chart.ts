/**
 * One metric's chart, drawn as SVG: the per-batch line, per-epoch training and validation points joined by lines,
 * the best epoch marked. The SVG elements are kept and their attributes updated, so a live chart redraws in place.
 */
import { MAX_CHART_POINTS } from '../settings/settings.js';
import { decimate, lowerIsBetter, ticks, type MetricSeries, type Point } from './series.js';

const SVG = 'http://www.w3.org/2000/svg';
const WIDTH = 420;
const HEIGHT = 170;
const MARGIN = { left: 46, right: 10, top: 18, bottom: 24 };

function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attributes: Record<string, string | number> = {},
  parent?: Element,
): SVGElementTagNameMap[K] {
  const element = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, String(value));
  parent?.appendChild(element);
  return element;
}

const format = (v: number) => (Math.abs(v) >= 1000 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toPrecision(2));

/** A live chart of one metric. */
export class MetricChart {
  /** The chart's root element. */
  readonly node: SVGSVGElement;
  private readonly title: SVGTextElement;
  private readonly axes: SVGGElement;
  private readonly batchLine: SVGPathElement;
  private readonly trainLine: SVGPathElement;
  private readonly validationLine: SVGPathElement;
  private readonly dots: SVGGElement;
  private readonly best: SVGGElement;
  private readonly legend: SVGGElement;
  private drawn = 0;

  constructor(readonly metric: string) {
    this.node = svg('svg', { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, class: 'jp-LeptonChart', role: 'img' });
    this.title = svg('text', { x: MARGIN.left, y: 12, class: 'jp-LeptonChart-title' }, this.node);
    this.axes = svg('g', { class: 'jp-LeptonChart-axes' }, this.node);
    this.best = svg('g', { class: 'jp-LeptonChart-best' }, this.node);
    this.batchLine = svg('path', { class: 'jp-LeptonChart-batch', fill: 'none' }, this.node);
    this.trainLine = svg('path', { class: 'jp-LeptonChart-train', fill: 'none' }, this.node);
    this.validationLine = svg('path', { class: 'jp-LeptonChart-validation', fill: 'none' }, this.node);
    this.dots = svg('g', { class: 'jp-LeptonChart-dots' }, this.node);
    this.legend = svg('g', { class: 'jp-LeptonChart-legend' }, this.node);
  }

  /** How many points the chart draws now (batch, training and validation points). */
  get points(): number {
    return this.drawn;
  }

  /**
   * Draws `series` over epochs 0..`epochs`, marking `bestEpoch` when it is known.
   * @param series the metric's batch, training and validation points
   * @param epochs the run's planned epoch count (the x axis's end)
   * @param bestEpoch the best epoch, or null
   * @param maxPoints the most per-batch points to draw (the user's "Chart point cap" setting)
   */
  update(series: MetricSeries, epochs: number, bestEpoch: number | null, maxPoints = MAX_CHART_POINTS.default): void {
    const all = [...series.batches, ...series.train, ...series.validation];
    const xMax = Math.max(1, epochs, ...all.map((p) => p.x));
    let [yMin, yMax] = all.length ? [Math.min(...all.map((p) => p.y)), Math.max(...all.map((p) => p.y))] : [0, 1];
    if (yMax - yMin < 1e-9) [yMin, yMax] = [yMin - 0.5, yMax + 0.5];
    const pad = (yMax - yMin) * 0.05;
    [yMin, yMax] = [yMin - pad, yMax + pad];
    const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
    const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
    const sx = (x: number) => MARGIN.left + (x / xMax) * plotWidth;
    const sy = (y: number) => MARGIN.top + (1 - (y - yMin) / (yMax - yMin)) * plotHeight;
    const path = (points: Point[]) =>
      points.map((p, i) => `${i ? 'L' : 'M'}${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`).join('');

    const last = series.validation.at(-1) ?? series.train.at(-1) ?? series.batches.at(-1);
    const direction = lowerIsBetter(series.metric) ? 'lower is better' : 'higher is better';
    this.title.textContent = `${series.metric}${last ? ` · ${format(last.y)}` : ''} (${direction})`;
    this.node.setAttribute(
      'aria-label',
      `${series.metric} over ${epochs} epochs: ${series.batches.length} batch points, ${series.train.length} epoch points`,
    );

    this.axes.replaceChildren();
    svg(
      'line',
      { x1: MARGIN.left, y1: HEIGHT - MARGIN.bottom, x2: WIDTH - MARGIN.right, y2: HEIGHT - MARGIN.bottom },
      this.axes,
    );
    for (const t of ticks(yMin, yMax, 4)) {
      svg(
        'line',
        { x1: MARGIN.left, x2: WIDTH - MARGIN.right, y1: sy(t), y2: sy(t), class: 'jp-LeptonChart-grid' },
        this.axes,
      );
      svg('text', { x: MARGIN.left - 4, y: sy(t) + 3, 'text-anchor': 'end' }, this.axes).textContent = format(t);
    }
    const xTicks = xMax <= 12 ? Array.from({ length: Math.floor(xMax) + 1 }, (_, i) => i) : ticks(0, xMax, 6);
    for (const t of xTicks)
      svg('text', { x: sx(t), y: HEIGHT - 8, 'text-anchor': 'middle' }, this.axes).textContent = String(t);
    svg(
      'text',
      { x: MARGIN.left - 4, y: HEIGHT - 8, 'text-anchor': 'end', class: 'jp-LeptonChart-unit' },
      this.axes,
    ).textContent = 'epoch';

    // decimate keeps up to two points (a stretch's min and max) per bucket.
    const batches = decimate(series.batches, 0, xMax, Math.max(1, Math.floor(maxPoints / 2)));
    this.batchLine.setAttribute('d', path(batches));
    this.trainLine.setAttribute('d', path(series.train));
    this.validationLine.setAttribute('d', path(series.validation));
    this.dots.replaceChildren();
    for (const [points, kind] of [
      [series.train, 'train'],
      [series.validation, 'validation'],
    ] as const) {
      for (const p of points)
        svg('circle', { cx: sx(p.x), cy: sy(p.y), r: 2.5, class: `jp-LeptonChart-${kind}Dot` }, this.dots);
    }
    this.best.replaceChildren();
    if (bestEpoch !== null) {
      svg('line', { x1: sx(bestEpoch), x2: sx(bestEpoch), y1: MARGIN.top, y2: HEIGHT - MARGIN.bottom }, this.best);
      // The label goes where the curves are not: below them when they run high at that epoch.
      const atBest = [...series.validation, ...series.train].find((p) => p.x === bestEpoch);
      const high = atBest !== undefined && sy(atBest.y) < MARGIN.top + plotHeight / 2;
      const right = sx(bestEpoch) > WIDTH - 90;
      svg(
        'text',
        {
          x: sx(bestEpoch) + (right ? -3 : 3),
          y: high ? HEIGHT - MARGIN.bottom - 4 : MARGIN.top + 9,
          'text-anchor': right ? 'end' : 'start',
        },
        this.best,
      ).textContent = `best (epoch ${bestEpoch})`;
    }
    this.legend.replaceChildren();
    const entries: [string, string][] = [
      ['batch', 'jp-LeptonChart-batch'],
      ['train', 'jp-LeptonChart-train'],
      ...(series.validation.length ? [['validation', 'jp-LeptonChart-validation'] as [string, string]] : []),
    ];
    let x = WIDTH - MARGIN.right;
    for (const [label, kind] of entries.reverse()) {
      const text = svg('text', { x, y: 12, 'text-anchor': 'end' }, this.legend);
      text.textContent = label;
      x -= label.length * 5 + 4;
      svg('line', { x1: x - 12, x2: x, y1: 9, y2: 9, class: kind }, this.legend);
      x -= 20;
    }
    this.drawn = batches.length + series.train.length + series.validation.length;
  }
}
