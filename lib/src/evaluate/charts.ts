import * as vega from 'vega';
import * as vegaLite from 'vega-lite';
import type { ConfusionMatrix, RocCurve } from '../metrics/index.js';

/** A Vega-Lite spec as plain JSON. */
export type Spec = Record<string, unknown>;

/** A confusion-matrix heatmap with counts written in the cells (rows: true class, columns: predicted). */
export function confusionChart(cm: ConfusionMatrix, names: string[]): Spec {
  const values = cm.matrix.flatMap((row, i) =>
    row.map((count, j) => ({ actual: names[i], predicted: names[j], count })),
  );
  const max = Math.max(1, ...cm.matrix.flat());
  return {
    title: 'Confusion matrix',
    data: { values },
    width: Math.min(360, 36 * names.length + 40),
    height: Math.min(360, 36 * names.length + 40),
    encoding: {
      x: { field: 'predicted', type: 'ordinal', sort: names, title: 'predicted' },
      y: { field: 'actual', type: 'ordinal', sort: names, title: 'actual' },
    },
    layer: [
      {
        mark: 'rect',
        encoding: { color: { field: 'count', type: 'quantitative', scale: { scheme: 'blues' }, legend: null } },
      },
      {
        mark: { type: 'text', fontSize: 10 },
        encoding: {
          text: { field: 'count', type: 'quantitative' },
          color: { condition: { test: `datum.count > ${max / 2}`, value: 'white' }, value: 'black' },
        },
      },
    ],
  };
}

/**
 * The points of a ROC curve worth drawing: its corners (scikit-learn's `drop_intermediate`), then at most `max`
 * of them evenly spaced, so charts of thousands of test samples stay small.
 */
export function curvePoints(curve: RocCurve, max = 150): { fpr: number; tpr: number }[] {
  const points = curve.fpr.map((fpr, i) => ({ fpr, tpr: curve.tpr[i]! }));
  const corners = points.filter((p, i) => {
    const prev = points[i - 1];
    const next = points[i + 1];
    if (!prev || !next) return true;
    return !((prev.fpr === p.fpr && p.fpr === next.fpr) || (prev.tpr === p.tpr && p.tpr === next.tpr));
  });
  if (corners.length <= max) return corners;
  const step = (corners.length - 1) / (max - 1);
  return Array.from({ length: max }, (_, k) => corners[Math.round(k * step)]!);
}

/** ROC curves (one per class for one-vs-rest) with the chance diagonal. */
export function rocChart(curves: { name: string; curve: RocCurve; auc: number }[]): Spec {
  const round = (v: number) => Math.round(v * 1e4) / 1e4;
  const values = curves.flatMap(({ name, curve, auc }) =>
    curvePoints(curve).map((p, i) => ({
      series: `${name} (AUC ${auc.toFixed(3)})`,
      fpr: round(p.fpr),
      tpr: round(p.tpr),
      order: i,
    })),
  );
  return {
    title: 'ROC curve',
    width: 260,
    height: 260,
    layer: [
      {
        data: { values },
        mark: { type: 'line', interpolate: 'step-after' },
        encoding: {
          x: { field: 'fpr', type: 'quantitative', title: 'false positive rate', scale: { domain: [0, 1] } },
          y: { field: 'tpr', type: 'quantitative', title: 'true positive rate', scale: { domain: [0, 1] } },
          color: { field: 'series', type: 'nominal', title: null },
          order: { field: 'order', type: 'quantitative' },
        },
      },
      {
        data: {
          values: [
            { fpr: 0, tpr: 0 },
            { fpr: 1, tpr: 1 },
          ],
        },
        mark: { type: 'line', strokeDash: [4, 4], color: 'gray' },
        encoding: { x: { field: 'fpr', type: 'quantitative' }, y: { field: 'tpr', type: 'quantitative' } },
      },
    ],
  };
}

/** Residuals (actual − predicted) against predictions, with the zero line. */
export function residualChart(actual: number[], predicted: number[]): Spec {
  const step = Math.max(1, Math.ceil(actual.length / 2000));
  const values = predicted
    .filter((_, i) => i % step === 0)
    .map((p, k) => ({ predicted: p, residual: actual[k * step]! - p }));
  return {
    title: 'Residuals',
    width: 320,
    height: 220,
    layer: [
      {
        data: { values },
        mark: { type: 'point', opacity: 0.6, filled: true, size: 18 },
        encoding: {
          x: { field: 'predicted', type: 'quantitative', scale: { zero: false } },
          y: { field: 'residual', type: 'quantitative' },
        },
      },
      {
        data: { values: [{ y: 0 }] },
        mark: { type: 'rule', color: 'gray', strokeDash: [4, 4] },
        encoding: { y: { field: 'y', type: 'quantitative' } },
      },
    ],
  };
}

/** Charts side by side, as one Vega-Lite v5 spec. */
export function concat(specs: Spec[]): Spec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    hconcat: specs,
    config: { view: { stroke: null } },
  };
}

/** Renders a Vega-Lite spec to an SVG string (for HTML output, which front ends show without a Vega renderer). */
export async function toSvg(spec: Spec): Promise<string> {
  const view = new vega.View(vega.parse(vegaLite.compile(spec as unknown as vegaLite.TopLevelSpec).spec), {
    renderer: 'none',
  });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
