import type { Callback, TrainingRun } from './callback.js';

/**
 * Stops training at the first batch whose loss is NaN or infinite (Keras's TerminateOnNaN), so a diverging run
 * ends at once instead of training on garbage; the run ends `stopped`, its message naming the batch.
 * @returns a callback for `lepton.fit`'s `callbacks`
 * @example await lepton.fit(model, data, { callbacks: [lepton.callbacks.terminateOnNaN()] })
 */
export function terminateOnNaN(): Callback {
  let run: TrainingRun;
  return {
    setRun(given) {
      run = given;
    },
    onBatchEnd(batch, logs, epoch) {
      const loss = logs.loss;
      if (loss === undefined || Number.isFinite(loss)) return;
      run.stopTraining(
        `Stopped at epoch ${epoch + 1}, batch ${batch + 1}: the loss became ${loss} (terminateOnNaN). ` +
          'Lower the learning rate, or check the data for NaN and Infinity (lepton.check(frame) finds them).',
      );
    },
  };
}
