/**
 * The training chart's data, read from the `application/vnd.lepton.training+json` bundle that `lepton.fit` emits:
 * one panel per metric, each with its per-batch line and its per-epoch training and validation points.
 */

/** The bundle's JSON (version 1), as `lepton.fit` writes it (types only: erased from the browser bundle). */
import type { TrainingBundle } from '@lepton/lib';

export type { TrainingBundle };

/** A point: x in epochs (batch points sit between epochs), y the metric's value. */
export interface Point {
  x: number;
  y: number;
}

/** One metric's panel. */
export interface MetricSeries {
  /** The metric's name, e.g. `loss` or `acc`. */
  metric: string;
  /** Per-batch values (x: epoch − 1 + batch / batches). */
  batches: Point[];
  /** Per-epoch training values (x: the epoch's end). */
  train: Point[];
  /** Per-epoch validation values (`val_<metric>`), empty without validation. */
  validation: Point[];
}

/** Whether lower is better for a metric (losses and errors), else higher is. */
export const lowerIsBetter = (metric: string): boolean => /loss|error|mse|mae/i.test(metric);

/** The panels of a bundle: one per training metric, `loss` first. */
export function metricSeries(bundle: TrainingBundle): MetricSeries[] {
  const names = bundle.metrics.filter((m) => !m.startsWith('val_'));
  const ordered = [...names.filter((m) => m === 'loss'), ...names.filter((m) => m !== 'loss')];
  const finite = (p: Point) => Number.isFinite(p.y);
  return ordered.map((metric) => ({
    metric,
    batches: bundle.batches.map((b) => ({ x: b.step, y: b.logs[metric] ?? NaN })).filter(finite),
    train: bundle.epochs.map((e) => ({ x: e.epoch, y: e.logs[metric] ?? NaN })).filter(finite),
    validation: bundle.epochs.map((e) => ({ x: e.epoch, y: e.logs[`val_${metric}`] ?? NaN })).filter(finite),
  }));
}

/**
 * The best epoch: the lowest validation loss, else the lowest training loss (the epoch whose weights
 * `restoreBestWeights` would keep). Null before the first epoch ends.
 */
export function bestEpoch(bundle: TrainingBundle): number | null {
  const key = bundle.epochs.some((e) => Number.isFinite(e.logs.val_loss)) ? 'val_loss' : 'loss';
  let best: { epoch: number; value: number } | null = null;
  for (const e of bundle.epochs) {
    const value = e.logs[key]; // an epoch may lack the key (no validation that epoch)
    if (value !== undefined && Number.isFinite(value) && (best === null || value < best.value))
      best = { epoch: e.epoch, value };
  }
  return best?.epoch ?? null;
}

/**
 * Thins a line to at most two points (its min and max) per horizontal pixel, in order, so that a chart of many
 * thousands of batches draws as fast as one of a few hundred and still shows every spike.
 */
export function decimate(points: Point[], xMin: number, xMax: number, pixels: number): Point[] {
  if (points.length <= pixels * 2 || xMax <= xMin) return points;
  const out: Point[] = [];
  let bucket = -1;
  let low: Point | null = null;
  let high: Point | null = null;
  const flush = () => {
    if (low && high) out.push(...(low.x <= high.x ? (low === high ? [low] : [low, high]) : [high, low]));
  };
  for (const p of points) {
    const b = Math.floor(((p.x - xMin) / (xMax - xMin)) * pixels);
    if (b !== bucket) {
      flush();
      bucket = b;
      low = high = p;
    } else {
      if (p.y < low!.y) low = p;
      if (p.y > high!.y) high = p;
    }
  }
  flush();
  return out;
}

/** About `count` round tick values covering [min, max]. */
export function ticks(min: number, max: number, count = 4): number[] {
  if (!(max > min)) return [min];
  const raw = (max - min) / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}
