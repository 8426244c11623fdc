import type * as tf from '@tensorflow/tfjs';
import { displaySymbol, type MimeBundle } from '../display/mime.js';
import {
  trainingMimeBundle,
  type BatchPoint,
  type EpochPoint,
  type TrainingBundle,
  type TrainingStatus,
} from './training-bundle.js';

/**
 * What `lepton.fit` recorded: per-epoch and per-batch logs, how the run ended, and the final live-view state.
 * Displays as the run's chart.
 */
export class History {
  /** How the run ended (`running` while it runs). */
  status: TrainingStatus = 'running';
  /** Why the run ended early or failed, and what was kept; null when it finished normally. */
  message: string | null = null;
  /** The epoch whose weights the model holds when `restoreBestWeights` or a checkpoint restored them. */
  bestEpoch: number | null = null;

  /**
   * @param runId the run's id (the live display and the Stop comm use it)
   * @param bundle the live view's state, kept current by `fit`
   */
  constructor(
    readonly runId: string,
    private readonly bundle: () => TrainingBundle,
  ) {}

  /** Per-epoch logs (training means and `val_*` validation values), in order. */
  get epochs(): EpochPoint[] {
    return this.bundle().epochs;
  }

  /** Per-batch logs (older ones thinned beyond a few hundred points; `toJSON().batchesDropped` counts them). */
  get batches(): BatchPoint[] {
    return this.bundle().batches;
  }

  /** Keras-style: each metric's per-epoch values, e.g. `history.history.val_loss`. */
  get history(): Record<string, number[]> {
    const out: Record<string, number[]> = {};
    for (const e of this.epochs) for (const [k, v] of Object.entries(e.logs)) (out[k] ??= []).push(v);
    return out;
  }

  /** The last epoch's logs (empty before the first epoch ends). */
  get last(): Record<string, number> {
    return this.epochs.at(-1)?.logs ?? {};
  }

  /** The run's final state in the training view's schema. */
  toJSON(): TrainingBundle {
    return this.bundle();
  }

  /** The chart of the run (with the training view and text fallbacks). */
  [displaySymbol](): MimeBundle {
    return trainingMimeBundle(this.bundle());
  }
}

const lastHistoryKey = Symbol.for('lepton.lastHistory');

/** The History of the last `lepton.fit` of `model`, if any. */
export function historyOf(model: tf.LayersModel): History | undefined {
  return (model as unknown as Record<symbol, History | undefined>)[lastHistoryKey];
}

/** Keeps `history` with `model`, for `historyOf` and the model's card. */
export function rememberHistory(model: tf.LayersModel, history: History): void {
  (model as unknown as Record<symbol, History>)[lastHistoryKey] = history;
}
