import type * as tf from '@tensorflow/tfjs';
import type { History } from '../history.js';
import type { TrainingStatus } from '../training-bundle.js';
import { TrainError } from '../errors.js';

/** Callbacks `fit` calls (the names and arguments of tfjs's callbacks); any may be async. */
export interface FitCallbacks {
  /** Once, before the first epoch. */
  onTrainBegin?(): void | Promise<void>;
  /** Before each epoch; `epoch` is 0-based. */
  onEpochBegin?(epoch: number): void | Promise<void>;
  /** After each batch; `epoch` and `batch` are 0-based as in tfjs. */
  onBatchEnd?(batch: number, logs: Record<string, number>, epoch: number): void | Promise<void>;
  /** After each epoch (with validation); return `false` to stop training. */
  // eslint-disable-next-line @typescript-eslint/no-invalid-void-type -- most callbacks return nothing; `void` lets a function without a return (or an async one) satisfy the type, `undefined` would not
  onEpochEnd?(epoch: number, logs: Record<string, number>): void | boolean | Promise<void | boolean>;
  /** Once training has ended (finished, stopped or interrupted; not after an error), with the run's History. */
  onTrainEnd?(history: History): void | Promise<void>;
}

/**
 * What a run tells its callbacks before training (Keras's `set_model` and `params`), and what they may ask of it.
 * Built-in callbacks (`lepton.callbacks.*`) use it; a callback of your own may too.
 */
export interface TrainingRun {
  /** The model being trained. */
  readonly model: tf.LayersModel;
  /** The run's History (its `bestEpoch` is set by the checkpoint and early-stopping callbacks). */
  readonly history: History;
  /** The epochs asked for. */
  readonly epochs: number;
  /** The names the epoch logs will have (`loss`, metrics, and their `val_` twins with validation data). */
  readonly logNames: readonly string[];
  /** `val_loss` with validation data, else `loss`: what monitoring callbacks watch by default. */
  readonly defaultMonitor: string;
  /** The 0-based epoch training starts at; a callback that resumes (a checkpoint) moves it forward. */
  initialEpoch: number;
  /**
   * Asks the run to stop after the current batch (Keras's `model.stop_training = true`), ending with status
   * `stopped` and `message`; the last request's message is the one shown.
   */
  stopTraining(message: string): void;
  /** Sets the message the run ends with when it finishes on its own (e.g. "restored the best weights"). */
  setEndMessage(message: string): void;
}

/**
 * A training callback: tfjs's hooks, plus the run's lifecycle. `lepton.callbacks.*` make these; pass them in
 * `lepton.fit`'s `callbacks`. All hooks are optional; they run in list order.
 */
export interface Callback extends FitCallbacks {
  /** Before any data is trained on: check options against the run (throw to refuse it), resume, remember the run. */
  setRun?(run: TrainingRun): void | Promise<void>;
  /** Training ended on its own or was stopped by a callback (not interrupted, not failed): a last change to the model. */
  onTrainFinishing?(stoppedByCallback: boolean): void | Promise<void>;
  /** The run's final status and message, once, however it ended (also on interrupt or failure). */
  onRunEnd?(status: TrainingStatus, message: string | null): void;
  /** Releases what the callback holds (tensors, files); called last, always. */
  dispose?(): void;
}

/** Whether lower or higher is better for `monitor`: `max` for accuracy-like names, else `min` (Keras's `auto`). */
export function monitorMode(monitor: string, mode?: 'min' | 'max'): 'min' | 'max' {
  return mode ?? (/acc|precision|recall|auc|f1/i.test(monitor) ? 'max' : 'min');
}

/** Whether `value` beats `best` by more than `minDelta` in `mode`'s direction (NaN never does). */
export function improved(value: number, best: number, mode: 'min' | 'max', minDelta = 0): boolean {
  return Number.isFinite(value) && (mode === 'min' ? value < best - minDelta : value > best + minDelta);
}

/** The worst possible value in `mode`'s direction, where a monitor starts. */
export function worst(mode: 'min' | 'max'): number {
  return mode === 'min' ? Infinity : -Infinity;
}

/** Fails before training when `monitor` is not among the run's logs, naming those it has. */
export function checkMonitor(monitor: string, run: TrainingRun): void {
  if (run.logNames.includes(monitor)) return;
  throw new TrainError(
    'LEPTON_TRAIN_BAD_MONITOR',
    `Cannot monitor '${monitor}': the logs of this run are ${run.logNames.join(', ')}${monitor.startsWith('val_') ? ' (val_* needs validation data)' : ''}.`,
  );
}
