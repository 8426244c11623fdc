/**
 * How a gradient-boosting model shows itself in a notebook: its shape (task, trees, depth, leaves, iterations) and
 * its top feature importances as a bar chart, in HTML with an SVG chart, and as text.
 */
import type { TopLevelSpec } from 'vega-lite';
import { escapeHtml } from '../../display/html.js';
import type { MimeBundle } from '../../display/mime.js';
import { Chart } from '../../plot/chart.js';
import type { GbmFeatureImportance } from './model.js';

/** What the display shows. */
export interface GbmSummaryView {
  /** `classification` or `regression`, or null before fit. */
  task: string | null;
  /** Classes (classification). */
  classes: readonly unknown[];
  /** Trees, iterations, deepest tree, mean leaves per tree. */
  shape: { trees: number; iterations: number; depth: number; leaves: number } | null;
  /** Feature importances by gain, largest first. */
  importances: GbmFeatureImportance[];
  /** The settings that shape the trees. */
  settings: Record<string, unknown>;
}

/** Features shown in the chart. */
const TOP = 10;

/** A bar chart of the top feature importances (share of total gain). */
export function importanceChart(importances: readonly GbmFeatureImportance[]): Chart {
  const total = importances.reduce((s, f) => s + f.importance, 0) || 1;
  const top = importances.slice(0, TOP).map((f) => ({ feature: f.feature, share: f.importance / total }));
  const spec = {
    title: `Top feature importances (share of split gain)`,
    width: 360,
    height: Math.max(40, 20 * top.length),
    data: { values: top },
    mark: { type: 'bar', tooltip: true },
    encoding: {
      y: { field: 'feature', type: 'nominal', sort: top.map((f) => f.feature), title: null },
      x: { field: 'share', type: 'quantitative', axis: { format: '%' }, title: 'share of gain' },
    },
  };
  return new Chart(spec as unknown as TopLevelSpec);
}

/** The text lines of the summary. */
export function summaryText(view: GbmSummaryView): string {
  if (!view.shape) return `GradientBoosting (not fitted; ${settingsText(view.settings)})`;
  const s = view.shape;
  const head = `GradientBoosting ${view.task}${view.classes.length ? ` (${view.classes.length} classes)` : ''}: ${s.trees} trees (${s.iterations} iterations), depth ≤ ${s.depth}, ${s.leaves.toFixed(1)} leaves per tree`;
  const total = view.importances.reduce((a, f) => a + f.importance, 0) || 1;
  const lines = view.importances
    .slice(0, TOP)
    .map((f) => `  ${f.feature}: ${((100 * f.importance) / total).toFixed(1)}%`);
  return [head, settingsText(view.settings), 'Top feature importances (share of gain):', ...lines].join('\n');
}

function settingsText(settings: Record<string, unknown>): string {
  return (
    Object.entries(settings)
      .filter(([, v]) => v !== undefined)
      // eslint-disable-next-line @typescript-eslint/no-base-to-string -- settings are numbers, strings and booleans here (objects took the JSON branch)
      .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
      .join(', ')
  );
}

/** The display bundle: HTML (a table of the shape and the chart as SVG) and text. */
export function summaryBundle(view: GbmSummaryView): MimeBundle {
  const text = summaryText(view);
  if (!view.shape)
    return {
      'text/plain': text,
      'text/html': `<div><b>GradientBoosting</b> (not fitted) <code>${escapeHtml(settingsText(view.settings))}</code></div>`,
    };
  const s = view.shape;
  const rows: [string, string][] = [
    ['task', `${view.task}${view.classes.length ? ` (${view.classes.map(String).join(', ')})` : ''}`],
    ['trees', `${s.trees} (${s.iterations} iterations)`],
    ['max depth', String(s.depth)],
    ['leaves per tree', s.leaves.toFixed(1)],
    ['settings', settingsText(view.settings)],
  ];
  const table = rows
    .map(
      ([k, v]) =>
        `<tr><th style="text-align:left;padding:2px 8px">${escapeHtml(k)}</th><td style="padding:2px 8px">${escapeHtml(v)}</td></tr>`,
    )
    .join('');
  const chart = view.importances.length ? importanceChart(view.importances).toSVG() : '';
  return {
    'text/plain': text,
    'text/html': `<div><b>GradientBoosting</b><table style="border-collapse:collapse;font-size:12px">${table}</table>${chart}</div>`,
  };
}
