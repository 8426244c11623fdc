/**
 * The result of `crossValidate`: every finished fold's scores, their mean ± std, and how it shows in a notebook
 * (a table of folds with a small chart of the first metric per fold).
 */
import type { TopLevelSpec } from 'vega-lite';
import { escapeHtml } from '../display/html.js';
import { displaySymbol, type MimeBundle } from '../display/mime.js';
import { formatSeconds } from '../display/units.js';
import { Chart } from '../plot/chart.js';

/** One finished fold. */
export interface FoldScore {
  /** The fold's number, from 0. */
  fold: number;
  /** Training rows. */
  trainRows: number;
  /** Test rows. */
  testRows: number;
  /** Each metric's value on the fold's test rows. */
  scores: Record<string, number>;
  /** Seconds the fold took (training and scoring). */
  seconds: number;
}

/** Whether the run finished, is running, or was interrupted (the finished folds are kept). */
export type CrossValidationStatus = 'running' | 'finished' | 'interrupted';

/** Mean and (population) standard deviation of a metric over the folds, as numpy's `mean()` and `std()`. */
export interface MetricSummary {
  /** Mean over the finished folds. */
  mean: number;
  /** Standard deviation over the finished folds (ddof 0). */
  std: number;
}

/** Cross-validation scores of one model: shown as a table of folds with mean ± std and a chart. */
export class CrossValidation {
  /** The finished folds, in order. */
  readonly folds: FoldScore[] = [];
  /** Running, finished or interrupted. */
  status: CrossValidationStatus = 'running';

  /**
   * @param name the model's name in tables and charts
   * @param metrics the metric names, in column order
   * @param planned how many folds the run has
   */
  constructor(
    readonly name: string,
    readonly metrics: string[],
    readonly planned: number,
  ) {}

  /** Mean and std of `metric` over the finished folds (NaN when none finished). */
  summary(metric: string = this.metrics[0]!): MetricSummary {
    const values = this.folds.map((f) => f.scores[metric]).filter((v) => v !== undefined);
    if (values.length === 0) return { mean: NaN, std: NaN };
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    return { mean, std: Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / values.length) };
  }

  /** Mean of `metric` over the finished folds. */
  mean(metric?: string): number {
    return this.summary(metric).mean;
  }

  /** One line: the model, the folds done, and each metric's mean ± std. */
  describe(): string {
    const parts = this.metrics.map((m) => {
      const s = this.summary(m);
      return `${m} ${fmt(s.mean)} ± ${fmt(s.std)}`;
    });
    const done =
      this.status === 'interrupted'
        ? `interrupted after ${this.folds.length} of ${this.planned} folds`
        : `${this.folds.length} of ${this.planned} folds`;
    return `${this.name}: ${parts.join(', ')} (${done})`;
  }

  /** The first metric per fold, with its mean as a rule. */
  chart(metric: string = this.metrics[0]!): Chart {
    const values = this.folds.map((f) => ({ fold: f.fold, [metric]: f.scores[metric]! }));
    return new Chart({
      width: 220,
      height: 120,
      data: { values },
      layer: [
        {
          mark: { type: 'line', point: true },
          encoding: {
            x: { field: 'fold', type: 'ordinal', title: 'fold' },
            y: { field: metric, type: 'quantitative', scale: { zero: false } },
          },
        },
        {
          mark: { type: 'rule', strokeDash: [4, 3], color: 'gray' },
          encoding: { y: { aggregate: 'mean', field: metric, type: 'quantitative' } },
        },
      ],
    } as unknown as TopLevelSpec);
  }

  /** The table of folds as HTML, with the chart beside it as SVG. */
  toHTML(): string {
    const head = `<tr><th>fold</th><th>train rows</th><th>test rows</th>${this.metrics.map((m) => `<th>${escapeHtml(m)}</th>`).join('')}<th>time</th></tr>`;
    const rows = this.folds.map(
      (f) =>
        `<tr><td>${f.fold}</td><td>${f.trainRows}</td><td>${f.testRows}</td>${this.metrics.map((m) => `<td>${fmt(f.scores[m]!)}</td>`).join('')}<td>${formatSeconds(f.seconds)}</td></tr>`,
    );
    const summary = `<tr><th colspan="3">mean ± std</th>${this.metrics
      .map((m) => {
        const s = this.summary(m);
        return `<th>${fmt(s.mean)} ± ${fmt(s.std)}</th>`;
      })
      .join('')}<th></th></tr>`;
    const status =
      this.status === 'running'
        ? `running: ${this.folds.length} of ${this.planned} folds done`
        : this.status === 'interrupted'
          ? `interrupted: ${this.folds.length} of ${this.planned} folds finished and kept`
          : `${this.folds.length} folds`;
    const chart =
      this.folds.length > 0
        ? `<div style="display:inline-block;vertical-align:top;margin-left:1em">${this.chart().toSVG()}</div>`
        : '';
    return `<div><p><b>Cross-validation of ${escapeHtml(this.name)}</b> (${status})</p><div style="display:inline-block;vertical-align:top"><table>${head}${rows.join('')}${summary}</table></div>${chart}</div>`;
  }

  /** As a notebook shows it: the table and chart, and the one-line summary as text. */
  [displaySymbol](): MimeBundle {
    return { 'text/html': this.toHTML(), 'text/plain': this.describe() };
  }

  /** The one-line summary. */
  toString(): string {
    return this.describe();
  }
}

function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  return Math.abs(v) >= 1000 || (Math.abs(v) < 0.001 && v !== 0) ? v.toExponential(3) : v.toFixed(4);
}
