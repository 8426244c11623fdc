import * as tf from '@tensorflow/tfjs';
import { checkMonitor, improved, monitorMode, worst, type Callback, type TrainingRun } from './callback.js';

/** Early stopping: stop once the monitored value has not improved for `patience` epochs. */
export interface EarlyStoppingOptions {
  /** What to watch (default `val_loss` with validation data, else `loss`). */
  monitor?: string;
  /** Epochs without improvement before stopping (default 3). */
  patience?: number;
  /** The least change that counts as an improvement (default 0). */
  minDelta?: number;
  /** Whether lower or higher is better (default: `max` for accuracy-like names, else `min`). */
  mode?: 'min' | 'max';
  /** Put back the best epoch's weights when training ends, early or not (default true). */
  restoreBestWeights?: boolean;
}

/**
 * Stops training once the monitored value has not improved for `patience` epochs (Keras's EarlyStopping). With
 * `restoreBestWeights` (the default) the model ends on its best epoch's weights, whether training stopped early
 * or ran to the end (as Keras 3 does). `lepton.fit`'s `earlyStopping` option adds this callback.
 * @param options monitor, patience, minDelta, mode, restoreBestWeights
 * @returns a callback for `lepton.fit`'s `callbacks`
 * @example await lepton.fit(model, data, { validation: 0.2, callbacks: [lepton.callbacks.earlyStopping({ patience: 5 })] })
 */
export function earlyStopping(options: EarlyStoppingOptions = {}): Callback {
  let run: TrainingRun;
  let monitor = '';
  let mode: 'min' | 'max' = 'min';
  let best = Infinity;
  let wait = 0;
  let bestWeights: tf.Tensor[] | undefined;
  const restore = options.restoreBestWeights !== false;
  return {
    setRun(given) {
      run = given;
      monitor = options.monitor ?? run.defaultMonitor;
      mode = monitorMode(monitor, options.mode);
      best = worst(mode);
      checkMonitor(monitor, run);
    },
    onEpochEnd(epoch, logs) {
      const value = logs[monitor]!;
      if (improved(value, best, mode, options.minDelta)) {
        best = value;
        wait = 0;
        if (restore) {
          tf.dispose(bestWeights ?? []);
          bestWeights = run.model.getWeights().map((w) => w.clone());
          run.history.bestEpoch = epoch + 1;
        }
      } else if (++wait >= (options.patience ?? 3)) {
        run.stopTraining(
          `Early stopping after epoch ${epoch + 1}: ${monitor} did not improve for ${wait} epochs (best ${best.toPrecision(4)}${
            bestWeights ? `, at epoch ${run.history.bestEpoch}, whose weights the model now holds` : ''
          }).`,
        );
        if (bestWeights) run.model.setWeights(bestWeights);
      }
    },
    onTrainFinishing(stoppedByCallback) {
      // As Keras 3: with restoreBestWeights, a run that ends without stopping early also ends on its best epoch.
      const lastEpoch = run.history.epochs.at(-1)?.epoch;
      if (stoppedByCallback || !bestWeights || run.history.bestEpoch === null || run.history.bestEpoch === lastEpoch)
        return;
      run.model.setWeights(bestWeights);
      run.setEndMessage(
        `Restored the weights of epoch ${run.history.bestEpoch}, the best by ${monitor} (${best.toPrecision(4)}).`,
      );
    },
    dispose() {
      tf.dispose(bestWeights ?? []);
      bestWeights = undefined;
    },
  };
}
