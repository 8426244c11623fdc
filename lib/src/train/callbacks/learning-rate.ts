import type * as tf from '@tensorflow/tfjs';
import { TrainError } from '../errors.js';
import type { Callback } from './callback.js';

/** The optimizer's learning rate, failing with a clear error for optimizers without a numeric one. */
function optimizerOf(model: tf.LayersModel, who: string): { learningRate: number; getClassName(): string } {
  const optimizer = model.optimizer as unknown as { learningRate?: unknown; getClassName(): string };
  if (typeof optimizer.learningRate !== 'number') {
    throw new TrainError(
      'LEPTON_TRAIN_BAD_LEARNING_RATE',
      `${who} needs an optimizer with a numeric learningRate; ${optimizer.getClassName()} has none.`,
    );
  }
  return optimizer as { learningRate: number; getClassName(): string };
}

/** The model optimizer's current learning rate (tfjs's optimizers with a `learningRate`). */
export function getLearningRate(model: tf.LayersModel, who: string): number {
  return optimizerOf(model, who).learningRate;
}

/** Sets the model optimizer's learning rate; `who` names the caller in the error for a non-positive rate. */
export function setLearningRate(model: tf.LayersModel, rate: number, who: string, when: string): void {
  const optimizer = optimizerOf(model, who);
  if (!(rate > 0 && Number.isFinite(rate))) {
    throw new TrainError(
      'LEPTON_TRAIN_BAD_LEARNING_RATE',
      `${who} gave ${rate} for ${when}: a learning rate must be a positive number.`,
    );
  }
  optimizer.learningRate = rate;
}

/**
 * Sets the learning rate before each epoch from the 0-based epoch and the current rate (Keras's
 * LearningRateScheduler). `lepton.fit`'s `learningRateSchedule` option adds this callback.
 * @param schedule the next rate, e.g. `(epoch, lr) => (epoch < 4 ? lr : lr * 0.8)`
 * @returns a callback for `lepton.fit`'s `callbacks`
 * @example await lepton.fit(model, data, { epochs: 10, callbacks: [lepton.callbacks.learningRateScheduler((e, lr) => lr * 0.9)] })
 */
export function learningRateScheduler(schedule: (epoch: number, learningRate: number) => number): Callback {
  let model: tf.LayersModel;
  const who = 'learningRateSchedule';
  return {
    setRun(run) {
      model = run.model;
    },
    onEpochBegin(epoch) {
      setLearningRate(model, schedule(epoch, getLearningRate(model, who)), who, `epoch ${epoch}`);
    },
  };
}
