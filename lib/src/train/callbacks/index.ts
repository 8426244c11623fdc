/**
 * Training callbacks for `lepton.fit`, as Keras's: pass them in `callbacks` (`lepton.callbacks.earlyStopping()`,
 * `reduceLROnPlateau()`, `terminateOnNaN()`, `csvLogger(path)`, `modelCheckpoint(path)`, `learningRateScheduler(fn)`).
 * @module
 */
export { earlyStopping, type EarlyStoppingOptions } from './early-stopping.js';
export { modelCheckpoint, type CheckpointOptions } from './model-checkpoint.js';
export { learningRateScheduler } from './learning-rate.js';
export { reduceLROnPlateau, type ReduceLROnPlateauOptions, type ReduceLROnPlateauCallback } from './reduce-lr.js';
export { terminateOnNaN } from './terminate-on-nan.js';
export { csvLogger, type CsvLoggerOptions } from './csv-logger.js';
export type { Callback, FitCallbacks, TrainingRun } from './callback.js';
