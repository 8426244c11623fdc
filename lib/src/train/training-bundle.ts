/**
 * The live training display's data: the JSON sent as `application/vnd.lepton.training+json`, and its two fallbacks
 * (`application/vnd.vegalite.v5+json` and `text/plain`) made from the same state.
 *
 * ## Schema of `application/vnd.lepton.training+json` (version 1)
 *
 * ```jsonc
 * {
 *   "version": 1,
 *   "runId": "run-1a2b3c",              // addresses the Stop button: comm target "lepton.training", {action: "stop", runId}
 *   "status": "running",                // "running" | "finished" | "stopped" | "interrupted" | "failed"
 *   "message": null,                    // a sentence once the run ends early or fails (why, and what was kept)
 *   "model": { "name": "sequential_1", "params": 7914 },
 *   "backend": "wasm",
 *   "metrics": ["loss", "acc"],         // names as the batch and epoch logs use them (validation adds "val_" entries)
 *   "progress": {
 *     "epoch": 2, "epochs": 5,          // epoch is 1-based: the one running (or the last one run)
 *     "batch": 17, "batches": 94,       // batches done in this epoch, of how many
 *     "samples": 9024,                  // samples seen since the run began
 *     "elapsedS": 3.1, "etaS": 6.2,     // ETA: null until one batch is timed
 *     "samplesPerS": 2911.0
 *   },
 *   "batches": [ { "step": 1.18, "epoch": 2, "batch": 17, "logs": { "loss": 0.41, "acc": 0.88 } } ],
 *   "epochs":  [ { "epoch": 1, "seconds": 2.0, "logs": { "loss": 0.52, "acc": 0.84, "val_loss": 0.44, "val_acc": 0.87 } } ],
 *   "batchesDropped": 0                 // per-batch points thinned out to keep the bundle small (see maxBatchPoints)
 * }
 * ```
 * `step` is the position in epochs (epoch − 1 + batch / batches), the x axis shared by batch and epoch points.
 * The bundle is replaced whole on every update (`update_display_data` with the run's display id).
 */
import { formatSeconds } from '../display/units.js';
import { TRAINING_MIME } from '../contract/mime.js';

/** The MIME type of the live training display. */
export const trainingMimeType = TRAINING_MIME;

export type { TrainingStatus, BatchPoint, EpochPoint, TrainingProgress, TrainingBundle } from '../contract/bundles.js';
import type { BatchPoint, TrainingBundle, TrainingStatus } from '../contract/bundles.js';

/** The most per-batch points a bundle carries; older ones are thinned (every other one dropped) beyond it. */
export const maxBatchPoints = 600;

/**
 * Records per-batch points within `maxBatchPoints`, evenly spread over the whole run however long it is: every
 * `stride`-th batch is kept, and when the points pass the cap every other one goes and the stride doubles.
 * `batchesDropped` counts the batches not kept.
 */
export class BatchPointSampler {
  private stride = 1;
  private seen = 0;

  /** @param bundle the run's state, whose `batches` and `batchesDropped` this keeps */
  constructor(private readonly bundle: Pick<TrainingBundle, 'batches' | 'batchesDropped'>) {}

  /** Records one batch's point (kept when it falls on the stride). */
  add(point: BatchPoint): void {
    const points = this.bundle.batches;
    if (this.seen++ % this.stride !== 0) {
      this.bundle.batchesDropped++;
      return;
    }
    points.push(point);
    if (points.length <= maxBatchPoints) return;
    const kept = points.filter((_, i) => i % 2 === 0);
    this.bundle.batchesDropped += points.length - kept.length;
    points.splice(0, points.length, ...kept);
    this.stride *= 2;
  }
}

const fmt = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(1) : v.toPrecision(4));

/** A one-screen text view: a progress bar with ETA and speed, then the latest epoch's logs. */
export function trainingText(bundle: TrainingBundle): string {
  const p = bundle.progress;
  const width = 30;
  const done = p.batches > 0 ? p.batch / p.batches : 0;
  const filled = Math.round(done * width);
  const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
  const speed = p.samplesPerS === null ? '' : ` · ${Math.round(p.samplesPerS)} samples/s`;
  const eta = bundle.status === 'running' && p.etaS !== null ? ` · ETA ${formatSeconds(p.etaS)}` : '';
  const last = bundle.batches.at(-1);
  const lines = [
    `${bundle.status === 'running' ? 'Training' : statusWord(bundle.status)} ${bundle.model.name} on ${bundle.backend} — epoch ${p.epoch}/${p.epochs} ${bar} ${p.batch}/${p.batches} · ${formatSeconds(p.elapsedS)}${eta}${speed}`,
  ];
  if (last)
    lines.push(
      `  batch: ${Object.entries(last.logs)
        .map(([k, v]) => `${k} ${fmt(v)}`)
        .join(' · ')}`,
    );
  for (const e of bundle.epochs.slice(-3)) {
    lines.push(
      `  epoch ${e.epoch}: ${Object.entries(e.logs)
        .map(([k, v]) => `${k} ${fmt(v)}`)
        .join(' · ')} (${formatSeconds(e.seconds)})`,
    );
  }
  if (bundle.message) lines.push(bundle.message);
  return lines.join('\n');
}

function statusWord(status: TrainingStatus): string {
  return { running: 'Training', finished: 'Trained', stopped: 'Stopped', interrupted: 'Interrupted', failed: 'Failed' }[
    status
  ];
}

/**
 * A Vega-Lite v5 chart of the run: one panel per metric (loss first), batch values as a faint line, epoch means
 * (training and validation) as points joined by lines, against the position in epochs.
 */
export function trainingChart(bundle: TrainingBundle): Record<string, unknown> {
  const values: { step: number; metric: string; series: string; value: number }[] = [];
  for (const b of bundle.batches) {
    for (const [k, v] of Object.entries(b.logs))
      if (Number.isFinite(v)) values.push({ step: b.step, metric: k, series: 'train (batch)', value: v });
  }
  for (const e of bundle.epochs) {
    for (const [k, v] of Object.entries(e.logs)) {
      if (!Number.isFinite(v)) continue;
      const validation = k.startsWith('val_');
      values.push({
        step: e.epoch,
        metric: validation ? k.slice(4) : k,
        series: validation ? 'validation (epoch)' : 'train (epoch)',
        value: v,
      });
    }
  }
  const p = bundle.progress;
  const speed = p.samplesPerS === null ? '' : ` · ${Math.round(p.samplesPerS)} samples/s`;
  const eta = bundle.status === 'running' && p.etaS !== null ? ` · ETA ${formatSeconds(p.etaS)}` : '';
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: {
      text: `${statusWord(bundle.status)} ${bundle.model.name} — epoch ${p.epoch}/${p.epochs}, batch ${p.batch}/${p.batches}${eta}${speed}`,
      anchor: 'start',
    },
    data: { values },
    facet: { column: { field: 'metric', type: 'nominal', title: null, sort: bundle.metrics } },
    resolve: { scale: { y: 'independent' } },
    spec: {
      width: 240,
      height: 160,
      encoding: {
        x: { field: 'step', type: 'quantitative', title: 'epoch', scale: { domainMin: 0 } },
        y: { field: 'value', type: 'quantitative', title: null, scale: { zero: false } },
        color: {
          field: 'series',
          type: 'nominal',
          title: null,
          scale: {
            domain: ['train (batch)', 'train (epoch)', 'validation (epoch)'],
            range: ['#9ecae9', '#1f77b4', '#ff7f0e'],
          },
        },
      },
      layer: [
        {
          transform: [{ filter: "datum.series === 'train (batch)'" }],
          mark: { type: 'line', strokeWidth: 1, opacity: 0.7 },
        },
        {
          transform: [{ filter: "datum.series !== 'train (batch)'" }],
          mark: { type: 'line', point: true, strokeWidth: 2 },
        },
      ],
    },
  };
}

/** The full MIME bundle of a training state: the Lepton view with its two fallbacks. */
export function trainingMimeBundle(bundle: TrainingBundle): Record<string, unknown> {
  return {
    [trainingMimeType]: bundle,
    'application/vnd.vegalite.v5+json': trainingChart(bundle),
    'text/plain': trainingText(bundle),
  };
}
