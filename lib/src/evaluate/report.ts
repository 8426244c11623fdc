import { displaySymbol, type MimeBundle } from '../display/mime.js';
import type { ClassScores, ConfusionMatrix } from '../metrics/index.js';
import type { Mistake } from '../images/mistakes.js';
import type { Spec } from './charts.js';

/** The metrics of a classification evaluation. */
export interface ClassificationMetrics {
  /** Marks a classification report. */
  task: 'classification';
  /** Test samples evaluated. */
  samples: number;
  /** The class names, in class-index order (`options.classNames`, else `'0'`, `'1'`, …). */
  classNames: string[];
  /** The share of samples whose predicted class (the most probable) is the true one, in [0, 1]. */
  accuracy: number;
  /** Precision, recall, F1 and support of each class, in class-index order, with its name and one-vs-rest ROC AUC. */
  perClass: (ClassScores & {
    /** The class name. */
    name: string;
    /** One-vs-rest ROC AUC; null when the test labels hold none or only this class. */
    auc: number | null;
  })[];
  /** Unweighted means of the per-class scores (`support` is the total). */
  macro: ClassScores;
  /** Means of the per-class scores weighted by support (`support` is the total). */
  weighted: ClassScores;
  /** ROC AUC: binary, or one-vs-rest macro average; null when a class is missing from the test labels. */
  auc: number | null;
  /** Cross-entropy of the true classes under the predicted probabilities (lower is better). */
  logLoss: number;
  /** Counts of (true, predicted) class pairs; labels are class indices. */
  confusion: ConfusionMatrix;
}

/** The metrics of a regression evaluation. */
export interface RegressionMetrics {
  /** Marks a regression report. */
  task: 'regression';
  /** Test samples evaluated. */
  samples: number;
  /** Mean squared error, in squared label units. */
  mse: number;
  /** Root mean squared error, in label units. */
  rmse: number;
  /** Mean absolute error, in label units. */
  mae: number;
  /** Coefficient of determination R² (1 is perfect; 0 is no better than predicting the mean). */
  r2: number;
  /** A baseline scored on the same data (on forecasting windows, the naive forecast by default). */
  baseline?: BaselineMetrics;
}

/** A baseline's errors on the test data of a regression, beside the model's. */
export interface BaselineMetrics {
  /** The baseline's name (`naive`, `seasonal naive (7)`, …). */
  name: string;
  /** Mean squared error. */
  mse: number;
  /** Root mean squared error. */
  rmse: number;
  /** Mean absolute error. */
  mae: number;
  /** Coefficient of determination R². */
  r2: number;
  /** The model's MAE over the baseline's on the same data: below 1 the model beats the baseline. */
  relativeMae: number;
}

const f = (v: number | null, digits = 4) => (v === null || !Number.isFinite(v) ? '–' : v.toFixed(digits));

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Says whether the model beat its baseline. */
function verdict(b: BaselineMetrics): string {
  return b.relativeMae < 1 ? `beats the ${b.name} baseline` : `does NOT beat the ${b.name} baseline`;
}

/** What `lepton.evaluate` found: metrics, and a display with tables and plots. */
export class EvaluationReport {
  /**
   * @param metrics the numbers
   * @param chart the plots as one Vega-Lite spec
   * @param svg the plots pre-rendered as SVG (for the HTML view)
   * @param mistakes on an image dataset, the worst mistakes and their grid's HTML
   */
  constructor(
    readonly metrics: ClassificationMetrics | RegressionMetrics,
    readonly chart: Spec,
    private readonly svg: string,
    private readonly mistakes?: { mistakes: Mistake[]; html: string },
  ) {}

  /** On an image dataset: the wrong predictions made with the highest probability, most confident first. */
  get worstMistakes(): Mistake[] {
    return this.mistakes?.mistakes ?? [];
  }

  /** Accuracy of a classification (null for a regression). */
  get accuracy(): number | null {
    return this.metrics.task === 'classification' ? this.metrics.accuracy : null;
  }

  /** A text report: the headline numbers, then the per-class table (classification). */
  toString(): string {
    const m = this.metrics;
    if (m.task === 'regression') {
      const head = `Regression on ${m.samples} samples: MSE ${f(m.mse)} · RMSE ${f(m.rmse)} · MAE ${f(m.mae)} · R² ${f(m.r2)}`;
      const b = m.baseline;
      return b
        ? `${head}\n${b.name} baseline: MSE ${f(b.mse)} · RMSE ${f(b.rmse)} · MAE ${f(b.mae)} · R² ${f(b.r2)} — model MAE / baseline MAE ${f(b.relativeMae, 3)} (${verdict(b)})`
        : head;
    }
    const width = Math.max(8, ...m.classNames.map((n) => n.length));
    const row = (name: string, c: ClassScores, auc: number | null | undefined) =>
      `${name.padEnd(width)}  ${f(c.precision).padStart(9)}  ${f(c.recall).padStart(9)}  ${f(c.f1).padStart(9)}  ${String(c.support).padStart(7)}${auc === undefined ? '' : `  ${f(auc).padStart(7)}`}`;
    return [
      `Classification on ${m.samples} samples: accuracy ${f(m.accuracy)} · ROC AUC ${f(m.auc)} · log loss ${f(m.logLoss)}`,
      `${''.padEnd(width)}  ${'precision'.padStart(9)}  ${'recall'.padStart(9)}  ${'f1'.padStart(9)}  ${'support'.padStart(7)}  ${'auc'.padStart(7)}`,
      ...m.perClass.map((c) => row(c.name, c, c.auc)),
      row('macro', m.macro, undefined),
      row('weighted', m.weighted, undefined),
    ].join('\n');
  }

  /** HTML tables with the plots as SVG, the plots as Vega-Lite, the metrics as JSON, and text. */
  [displaySymbol](): MimeBundle {
    const m = this.metrics;
    let tables: string;
    if (m.task === 'regression') {
      const b = m.baseline;
      const row = (name: string, r: { mse: number; rmse: number; mae: number; r2: number }) =>
        `<tr><td>${escapeHtml(name)}</td><td>${m.samples}</td><td>${f(r.mse)}</td><td>${f(r.rmse)}</td><td>${f(r.mae)}</td><td>${f(r.r2)}</td></tr>`;
      tables =
        `<table><tr><th></th><th>samples</th><th>MSE</th><th>RMSE</th><th>MAE</th><th>R²</th></tr>${row('model', m)}${b ? row(`${b.name} baseline`, b) : ''}</table>` +
        (b ? `<p>Model MAE / ${escapeHtml(b.name)} MAE: <b>${f(b.relativeMae, 3)}</b> (${verdict(b)})</p>` : '');
    } else {
      const row = (name: string, c: ClassScores, auc: number | null | undefined, bold = false) =>
        `<tr${bold ? ' style="font-weight:bold"' : ''}><td>${escapeHtml(name)}</td><td>${f(c.precision)}</td><td>${f(c.recall)}</td><td>${f(c.f1)}</td><td>${c.support}</td><td>${auc === undefined ? '' : f(auc)}</td></tr>`;
      tables =
        `<p><b>Accuracy ${f(m.accuracy)}</b> · ROC AUC ${f(m.auc)} · log loss ${f(m.logLoss)} · ${m.samples} samples</p>` +
        `<table><tr><th>class</th><th>precision</th><th>recall</th><th>f1</th><th>support</th><th>AUC</th></tr>` +
        m.perClass.map((c) => row(c.name, c, c.auc)).join('') +
        row('macro avg', m.macro, undefined, true) +
        row('weighted avg', m.weighted, undefined, true) +
        '</table>';
    }
    return {
      'text/html': `<div class="lepton-evaluation">${tables}<div>${this.svg}</div>${this.mistakes?.html ?? ''}</div>`,
      'application/vnd.vegalite.v5+json': this.chart,
      'application/json': m,
      'text/plain': this.toString(),
    };
  }
}
