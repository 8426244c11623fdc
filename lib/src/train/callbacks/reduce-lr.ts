import type * as tf from '@tensorflow/tfjs';
import { TrainError } from '../errors.js';
import { checkMonitor, improved, monitorMode, worst, type Callback } from './callback.js';
import { getLearningRate, setLearningRate } from './learning-rate.js';

/** Options of `reduceLROnPlateau`. */
export interface ReduceLROnPlateauOptions {
  /** What to watch (default `val_loss` with validation data, else `loss`). */
  monitor?: string;
  /** The rate is multiplied by this on a plateau, in (0, 1) (default 0.1). */
  factor?: number;
  /** Epochs without improvement before the rate is reduced (default 10). */
  patience?: number;
  /** Whether lower or higher is better (default: `max` for accuracy-like names, else `min`). */
  mode?: 'min' | 'max';
  /** The least change that counts as an improvement (default 1e-4). */
  minDelta?: number;
  /** Epochs to wait after a reduction before counting again (default 0). */
  cooldown?: number;
  /** The rate never goes below this (default 0). */
  minLearningRate?: number;
}

/** The callback `reduceLROnPlateau` makes. */
export interface ReduceLROnPlateauCallback extends Callback {
  /** The learning rate each epoch trained with, in order (read at the epoch's start). */
  readonly rates: number[];
}

/** A whole number ≥ 0, or the error naming the option. */
function wholeNumber(name: string, value: number): number {
  if (!(Number.isInteger(value) && value >= 0)) {
    throw new TrainError(
      'LEPTON_TRAIN_BAD_OPTION',
      `reduceLROnPlateau: ${name} must be a whole number ≥ 0 (got ${value}).`,
    );
  }
  return value;
}

/**
 * Lowers the learning rate when the monitored value stops improving (Keras's ReduceLROnPlateau): after `patience`
 * epochs without an improvement of more than `minDelta`, the rate is multiplied by `factor`, never below
 * `minLearningRate`, then `cooldown` epochs pass before counting again. The callback's `rates` lists the rate
 * each epoch trained with.
 * @param options monitor, factor, patience, mode, minDelta, cooldown, minLearningRate
 * @returns a callback for `lepton.fit`'s `callbacks`; its `rates` lists the rate each epoch trained with
 * @example await lepton.fit(model, data, { validation: 0.2, callbacks: [lepton.callbacks.reduceLROnPlateau({ factor: 0.5, patience: 2 })] })
 */
export function reduceLROnPlateau(options: ReduceLROnPlateauOptions = {}): ReduceLROnPlateauCallback {
  const factor = options.factor ?? 0.1;
  if (!(factor > 0 && factor < 1)) {
    throw new TrainError(
      'LEPTON_TRAIN_BAD_OPTION',
      `reduceLROnPlateau: factor must be between 0 and 1, exclusive (got ${factor}); the rate is multiplied by it.`,
    );
  }
  const patience = wholeNumber('patience', options.patience ?? 10);
  const cooldown = wholeNumber('cooldown', options.cooldown ?? 0);
  const minDelta = options.minDelta ?? 1e-4;
  const minRate = options.minLearningRate ?? 0;
  if (!(minRate >= 0 && Number.isFinite(minRate))) {
    throw new TrainError(
      'LEPTON_TRAIN_BAD_OPTION',
      `reduceLROnPlateau: minLearningRate must be a number ≥ 0 (got ${minRate}).`,
    );
  }
  const who = 'reduceLROnPlateau';
  let model: tf.LayersModel;
  let monitor = '';
  let mode: 'min' | 'max' = 'min';
  let best = Infinity;
  let wait = 0;
  let cooling = 0;
  const rates: number[] = [];
  return {
    rates,
    setRun(run) {
      model = run.model;
      monitor = options.monitor ?? run.defaultMonitor;
      mode = monitorMode(monitor, options.mode);
      best = worst(mode);
      checkMonitor(monitor, run);
      getLearningRate(model, who);
    },
    onEpochBegin() {
      rates.push(getLearningRate(model, who));
    },
    onEpochEnd(_epoch, logs) {
      const value = logs[monitor]!;
      if (cooling > 0) {
        cooling--;
        wait = 0;
      }
      if (improved(value, best, mode, minDelta)) {
        best = value;
        wait = 0;
      } else if (cooling === 0 && ++wait >= patience) {
        const rate = getLearningRate(model, who);
        if (rate > minRate) {
          setLearningRate(model, Math.max(rate * factor, minRate), who, 'a plateau');
          cooling = cooldown;
          wait = 0;
        }
      }
    },
  };
}
