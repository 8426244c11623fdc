import * as tf from '@tensorflow/tfjs';
import { ensureBackend } from '../backend/select.js';
import { fuseAdam } from '../backend/fused-adam.js';
import { fuseLstmLayers } from '../backend/fused-lstm.js';
import { fuseConvLayers } from '../backend/fused-conv.js';
import { fuseCrossentropy } from './fused-loss.js';
import {
  permutation,
  resolveData,
  seededRandom,
  splitTail,
  type BatchDataset,
  type ColumnChoice,
  type FitData,
} from './data.js';
import { History, historyOf, rememberHistory } from './history.js';
import { LiveTrainingView, type LiveViewOptions } from './live-view.js';
import { StopWatch, type StopReason } from './stop.js';
import { installModelDisplay } from './summary.js';
import { BatchPointSampler, type TrainingBundle } from './training-bundle.js';
import { checkLossAndMetrics, checkShapes, type LossOrMetric } from './validate.js';
import { isFitSource } from '../images/dataset.js';
import { rememberTrainedOn } from '../images/trained.js';
import { augmenter, type AugmenterSteps } from '../preprocess/augment.js';
import type { Callback, FitCallbacks, TrainingRun } from './callbacks/callback.js';
import { earlyStopping, type EarlyStoppingOptions } from './callbacks/early-stopping.js';
import { checkpointPath, modelCheckpoint, type CheckpointOptions } from './callbacks/model-checkpoint.js';
import { learningRateScheduler } from './callbacks/learning-rate.js';
import { liveViewCallback } from './callbacks/live-view.js';
import { TrainError } from './errors.js';

export type { FitCallbacks, EarlyStoppingOptions, CheckpointOptions };

/** What an augmentation hook is told about the batch it transforms. */
export interface AugmentContext {
  /** The epoch, 0-based. */
  epoch: number;
  /** The batch within the epoch, 0-based. */
  batch: number;
  /** Uniform random numbers in [0, 1), from the run's seed. */
  random: () => number;
}

/** Options of `lepton.fit`. */
export interface FitOptions extends ColumnChoice {
  /** Passes over the training data (default 1). */
  epochs?: number;
  /** Samples per gradient step (default 32). */
  batchSize?: number;
  /** A fraction of the data to hold out (taken from the end, before shuffling), or validation data. */
  validation?: number | FitData;
  /** Shuffle the samples every epoch (default true). */
  shuffle?: boolean;
  /** Seed of shuffling and of the `random` augmentation hooks get (default: random). */
  seed?: number;
  /** Your callbacks (`lepton.callbacks.*` or objects with tfjs's hook names), called in order. */
  callbacks?: FitCallbacks | Callback | (FitCallbacks | Callback)[];
  /** Stop when the monitored value stops improving: `true` for the defaults, or options (adds `callbacks.earlyStopping`). */
  earlyStopping?: boolean | EarlyStoppingOptions;
  /** Save the best weights to a folder (a path, or options); resumes from it when it exists (adds `callbacks.modelCheckpoint`). */
  checkpoint?: string | CheckpointOptions;
  /**
   * Transforms each training batch's features (inside a tidy); not applied to validation. A function, or the
   * steps of a `lepton.preprocess.augmenter` (e.g. `{ flip: true, rotate: 10, zoom: true, contrast: 0.2 }`),
   * seeded by `seed` unless the steps give their own.
   */
  augment?: ((x: tf.Tensor, context: AugmentContext) => tf.Tensor) | AugmenterSteps;
  /** Compiles the model with this loss (and `optimizer`, `metrics`) when given, or when the model is not compiled. */
  loss?: LossOrMetric;
  /** Optimizer name or instance for compiling (default `adam`). */
  optimizer?: string | tf.Optimizer;
  /** Metrics for compiling (default `['accuracy']` for crossentropy losses, else none). */
  metrics?: LossOrMetric[];
  /**
   * The learning rate of each epoch, from the 0-based epoch and the current rate (Keras's LearningRateScheduler),
   * e.g. `(epoch, lr) => (epoch < 4 ? lr : lr * 0.8)`. Works with tfjs's optimizers that have a `learningRate`
   * (adds `callbacks.learningRateScheduler`).
   */
  learningRateSchedule?: (epoch: number, learningRate: number) => number;
  /** The live chart: `false` hides it; options bound its update rate (default 4 updates/s). */
  live?: boolean | LiveViewOptions;
}

/** An augment hook from augmenter steps: one seeded sequence for the run (the steps' seed, else the run's). */
function stepsAugment(steps: AugmenterSteps, seed: number | undefined): (x: tf.Tensor) => tf.Tensor {
  const run = augmenter({ ...steps, ...(steps.seed === undefined && seed !== undefined ? { seed } : {}) });
  return (x) => run(x);
}

let runCounter = 0;
let lastRun: History | undefined;

/** The History of the most recent `lepton.fit` (also after an interrupted cell, whose fit never returned). */
export function lastHistory(): History | undefined {
  return lastRun;
}

export { historyOf };

function compileIfAsked(model: tf.LayersModel, options: FitOptions): void {
  const compiled =
    (model as unknown as { optimizer_?: unknown }).optimizer_ !== undefined ||
    (model as unknown as { optimizer?: unknown }).optimizer !== undefined;
  checkLossAndMetrics(options.loss, options.metrics);
  if (options.loss === undefined) {
    if (!compiled)
      throw new TrainError(
        'LEPTON_TRAIN_NOT_COMPILED',
        "The model is not compiled: call model.compile({ optimizer: 'adam', loss: '...' }) first, or pass { loss } to lepton.fit.",
      );
    return;
  }
  const crossentropy = typeof options.loss === 'string' && /crossentropy/i.test(options.loss);
  model.compile({
    optimizer: options.optimizer ?? 'adam',
    loss: options.loss,
    metrics: options.metrics ?? (crossentropy ? ['accuracy'] : []),
  });
}

/** Reads a tfjs logs value (scalar tensor or number) as a number and disposes it. */
function scalars(result: tf.Scalar | tf.Scalar[] | number | number[]): number[] {
  const list = Array.isArray(result) ? result : [result];
  return list.map((v) => {
    if (typeof v === 'number') return v;
    const n = v.dataSync()[0]!;
    v.dispose();
    return n;
  });
}

const nextTick = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Trains a tfjs model the way Keras's `fit` does, showing a live chart in the cell: loss and metrics per batch and
 * per epoch (training and validation), progress with ETA and samples/s. Interrupting the cell or the chart's Stop
 * button ends training at the next batch boundary, keeping the weights trained so far and the history.
 *
 * Bad input fails before training with an error naming the problem: mismatched shapes (both named), NaN or
 * Infinity (where), unknown loss or metric names (the valid ones listed).
 * @param model a tf.Sequential or tf.LayersModel (compiled, or pass `loss` here)
 * @param data `{ x, y }` tensors, a DataFrame with `x`/`y` columns named in the options, or a tf.data dataset of `{ xs, ys }` batches
 * @param options epochs, batch size, validation, callbacks, early stopping, checkpoint, augmentation, seed
 * @returns the run's History, which displays as its chart
 * @example const history = await lepton.fit(model, { x, y }, { epochs: 5, batchSize: 64, validation: 0.1 })
 */
export async function fit(model: tf.LayersModel, data: FitData, options: FitOptions = {}): Promise<History> {
  installModelDisplay();
  if (!(model instanceof tf.LayersModel))
    throw new TrainError(
      'LEPTON_TRAIN_BAD_MODEL',
      'lepton.fit takes a tf.Sequential or tf.LayersModel (built with tf.sequential, tf.model or lepton.models).',
    );
  const backendName = await ensureBackend();
  compileIfAsked(model, options);
  // Adam's update as one SIMD pass per variable on wasm (same numbers, same state): ~110 fewer kernels per step.
  fuseAdam(model);
  // Categorical crossentropy and accuracy as one pass each (same numbers): ~45 kernels per step fewer.
  fuseCrossentropy(model);
  // An LSTM's steps as one operation and its backward pass as one more (same numbers): ~30 kernels per step fewer.
  fuseLstmLayers(model);
  // A ReLU convolution's conv, bias and ReLU as one kernel forward (last bits aside, the same numbers): ~4 kernels fewer.
  fuseConvLayers(model);
  const epochs = options.epochs ?? 1;
  const batchSize = options.batchSize ?? 32;
  if (!(Number.isInteger(epochs) && epochs >= 1))
    throw new TrainError('LEPTON_TRAIN_BAD_OPTION', `epochs must be a whole number ≥ 1 (got ${epochs}).`);
  if (!(Number.isInteger(batchSize) && batchSize >= 1))
    throw new TrainError('LEPTON_TRAIN_BAD_OPTION', `batchSize must be a whole number ≥ 1 (got ${batchSize}).`);

  // Resolve and check all data before any training step.
  const owned: tf.Tensor[] = [];
  // An image dataset gives its tensors (or, larger than memory, a stream of batches); they are this run's to dispose.
  const own = async (source: FitData | number) => {
    if (!isFitSource(source)) return source;
    const given = await source.fitData(batchSize, options.shuffle !== false, options.seed);
    if ('x' in given) owned.push(given.x as tf.Tensor, given.y as tf.Tensor);
    return given;
  };
  if (isFitSource(data)) rememberTrainedOn(model, data.trainedOn);
  data = (await own(data)) as FitData;
  if (options.validation !== undefined) options = { ...options, validation: await own(options.validation) };
  const augment = typeof options.augment === 'object' ? stepsAugment(options.augment, options.seed) : options.augment;
  const resolved = resolveData(data, options, 'training data');
  let train: { x: tf.Tensor; y: tf.Tensor } | undefined;
  let dataset: BatchDataset | undefined;
  let validation: { x: tf.Tensor; y: tf.Tensor } | BatchDataset | undefined;
  if (resolved.kind === 'tensors') {
    owned.push(...resolved.owned);
    checkShapes(model, resolved.x, resolved.y);
    if (typeof options.validation === 'number') {
      const split = splitTail(resolved.x, resolved.y, options.validation);
      owned.push(...split.train, ...split.validation);
      train = { x: split.train[0], y: split.train[1] };
      validation = { x: split.validation[0], y: split.validation[1] };
    } else train = { x: resolved.x, y: resolved.y };
  } else {
    dataset = resolved.dataset;
    if (typeof options.validation === 'number')
      throw new TrainError(
        'LEPTON_TRAIN_BAD_OPTION',
        'validation as a fraction needs tensors or a DataFrame; with a dataset, pass validation data instead.',
      );
  }
  if (options.validation !== undefined && typeof options.validation !== 'number') {
    const v = resolveData(options.validation, options, 'validation data');
    if (v.kind === 'tensors') {
      owned.push(...v.owned);
      checkShapes(model, v.x, v.y, 'validation data');
      validation = { x: v.x, y: v.y };
    } else validation = v.dataset;
  }

  const metricNames = model.metricsNames;
  const logNames = validation ? [...metricNames, ...metricNames.map((m) => `val_${m}`)] : metricNames;
  const n = train?.x.shape[0] ?? 0;
  const runId = `run-${process.pid.toString(36)}-${(++runCounter).toString(36)}-${Date.now().toString(36)}`;
  const state: TrainingBundle = {
    version: 1,
    runId,
    status: 'running',
    message: null,
    model: { name: model.name, params: model.countParams() },
    backend: backendName,
    metrics: metricNames,
    progress: {
      epoch: 0,
      epochs,
      batch: 0,
      batches: train ? Math.ceil(n / batchSize) : 0,
      samples: 0,
      elapsedS: 0,
      etaS: null,
      samplesPerS: null,
    },
    batches: [],
    epochs: [],
    batchesDropped: 0,
  };
  const live = options.live === false ? { show: false } : options.live === true ? {} : (options.live ?? {});
  const view = new LiveTrainingView(state, live);
  const sampler = new BatchPointSampler(state);
  const history = new History(runId, () => state);
  lastRun = history;
  rememberHistory(model, history);

  const run: TrainingRun & { stopRequest: string | null; endMessage: string | null } = {
    model,
    history,
    epochs,
    logNames,
    defaultMonitor: validation ? 'val_loss' : 'loss',
    initialEpoch: 0,
    stopRequest: null,
    endMessage: null,
    stopTraining: (message) => {
      run.stopRequest = message;
    },
    setEndMessage: (message) => {
      run.endMessage = message;
    },
  };
  const callbacks = runCallbacks(options, view);
  for (const c of callbacks) await c.setRun?.(run);

  const random = seededRandom(options.seed ?? Math.floor(Math.random() * 2 ** 32));
  const started = Date.now();
  let seen = 0;
  let finished = false;

  const where = () =>
    `epoch ${state.progress.epoch}/${epochs}, batch ${state.progress.batch}/${state.progress.batches || '?'}`;
  const finalize = (status: TrainingBundle['status'], message: string | null) => {
    if (finished) return;
    finished = true;
    history.status = status;
    history.message = message;
    state.progress.elapsedS = (Date.now() - started) / 1000;
    for (const c of callbacks) c.onRunEnd?.(status, message);
  };
  const stopMessage = (reason: StopReason) =>
    `${reason === 'interrupted' ? 'Interrupted' : 'Stopped'} at ${where()}: the model keeps the weights trained so far, and the history is kept (${
      reason === 'interrupted' ? 'lepton.lastHistory()' : 'returned by lepton.fit'
    }).`;
  // After an interrupt the kernel clears the cell's timers, so the loop may never resume: say so right away.
  const stop = new StopWatch(runId, (reason) => {
    if (reason === 'interrupted') finalize('interrupted', stopMessage(reason));
  });
  /** Whether the loop must leave after this batch: a Stop, an interrupt, or a callback's request. */
  const stopping = () => stop.reason !== null || run.stopRequest !== null;

  const updateProgress = () => {
    const elapsed = (Date.now() - started) / 1000;
    state.progress.elapsedS = elapsed;
    state.progress.samples = seen;
    state.progress.samplesPerS = elapsed > 0 && seen > 0 ? seen / elapsed : null;
    const perEpoch = train ? n : state.progress.batches * batchSize;
    const remaining =
      perEpoch * (epochs - state.progress.epoch) + Math.max(0, perEpoch - state.progress.batch * batchSize);
    state.progress.etaS = state.progress.samplesPerS && perEpoch > 0 ? remaining / state.progress.samplesPerS : null;
  };

  const runBatch = async (
    xb: tf.Tensor,
    yb: tf.Tensor,
    epoch: number,
    batch: number,
  ): Promise<Record<string, number>> => {
    const x = augment ? tf.tidy(() => augment(xb, { epoch, batch, random })) : xb;
    try {
      const values = scalars(await model.trainOnBatch(x, yb));
      return Object.fromEntries(metricNames.map((name, i) => [name, values[i]!]));
    } finally {
      if (x !== xb) x.dispose();
    }
  };

  const evaluate = async (): Promise<Record<string, number>> => {
    if (!validation) return {};
    let values: number[];
    if ('x' in validation)
      values = scalars(model.evaluate(validation.x, validation.y, { batchSize: Math.max(batchSize, 256) }));
    else
      values = scalars(
        // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment -- tfjs-layers types the argument with its own stub class of tf.data's Dataset, which real datasets are not made from
        await model.evaluateDataset(validation, {}),
      );
    return Object.fromEntries(metricNames.map((name, i) => [`val_${name}`, values[i]!]));
  };

  /** The batches of one epoch, as tensors this loop disposes after each step. */
  async function* batchesOf(epoch: number): AsyncGenerator<{ x: tf.Tensor; y: tf.Tensor; size: number }> {
    if (train) {
      const order = options.shuffle === false ? null : permutation(n, random);
      for (let start = 0; start < n; start += batchSize) {
        const size = Math.min(batchSize, n - start);
        const [x, y] = tf.tidy(() => {
          if (!order) return [train.x.slice(start, size), train.y.slice(start, size)];
          const idx = tf.tensor1d(order.subarray(start, start + size), 'int32');
          return [tf.gather(train.x, idx), tf.gather(train.y, idx)];
        });
        yield { x, y, size };
      }
      return;
    }
    const iterator = await dataset!.iterator();
    for (let batch = 0; ; batch++) {
      const next = await iterator.next();
      if (next.done) return;
      const { xs, ys } = next.value;
      if (epoch === run.initialEpoch && batch === 0) {
        try {
          checkShapes(model, xs, ys, 'dataset batch');
        } catch (error) {
          tf.dispose([xs, ys]);
          throw error;
        }
      }
      yield { x: xs, y: ys, size: xs.shape[0] };
    }
  }

  /** Trains one epoch; its logs (averaged over samples, with validation), or null when the run stopped inside it. */
  const trainEpoch = async (epoch: number): Promise<Record<string, number> | null> => {
    const sums: Record<string, number> = {};
    let epochSamples = 0;
    let batch = 0;
    for await (const { x, y, size } of batchesOf(epoch)) {
      let logs: Record<string, number>;
      try {
        logs = await runBatch(x, y, epoch, batch);
      } finally {
        tf.dispose([x, y]);
      }
      for (const [k, v] of Object.entries(logs)) sums[k] = (sums[k] ?? 0) + v * size;
      epochSamples += size;
      seen += size;
      state.progress.batch = batch + 1;
      const batches = state.progress.batches || batch + 1;
      sampler.add({ step: epoch + (batch + 1) / batches, epoch: epoch + 1, batch: batch + 1, logs });
      updateProgress();
      for (const c of callbacks) await c.onBatchEnd?.(batch, logs, epoch);
      await nextTick();
      batch++;
      if (stopping()) break;
    }
    // A dataset's length is known once it has been read through.
    if (!state.progress.batches) state.progress.batches = state.progress.batch;
    if (stopping()) return null;
    const logs: Record<string, number> = {};
    for (const [k, v] of Object.entries(sums)) logs[k] = v / Math.max(1, epochSamples);
    Object.assign(logs, await evaluate());
    return logs;
  };

  try {
    for (const c of callbacks) await c.onTrainBegin?.();
    let stoppedByCallback = false;
    for (let epoch = run.initialEpoch; epoch < epochs && !stopping(); epoch++) {
      const epochStart = Date.now();
      state.progress.epoch = epoch + 1;
      state.progress.batch = 0;
      for (const c of callbacks) await c.onEpochBegin?.(epoch);
      const logs = await trainEpoch(epoch);
      if (logs === null) break;
      state.epochs.push({ epoch: epoch + 1, seconds: (Date.now() - epochStart) / 1000, logs });
      updateProgress();
      for (const c of callbacks) if ((await c.onEpochEnd?.(epoch, logs)) === false) stoppedByCallback = true;
      if (stoppedByCallback && run.stopRequest === null)
        run.stopTraining(`A callback stopped training after epoch ${epoch + 1}.`);
    }
    if (stop.reason === null) {
      for (const c of callbacks) await c.onTrainFinishing?.(run.stopRequest !== null);
    }
    if (stop.reason !== null) finalize(stop.reason, stopMessage(stop.reason));
    else if (run.stopRequest !== null) finalize('stopped', run.stopRequest);
    else {
      const nothingLeft =
        run.initialEpoch >= epochs && options.checkpoint
          ? `The checkpoint in ${checkpointPath(options.checkpoint)} already reached epoch ${run.initialEpoch}: nothing left to train.`
          : null;
      finalize('finished', run.endMessage ?? nothingLeft);
    }
    for (const c of callbacks) await c.onTrainEnd?.(history);
    return history;
  } catch (error) {
    finalize('failed', `Training failed at ${where()}: ${(error as Error).message}`);
    throw error;
  } finally {
    stop.dispose();
    for (const c of callbacks) c.dispose?.();
    tf.dispose(owned);
  }
}

/**
 * The run's callbacks in the order they are called: the learning-rate schedule (before your `onEpochBegin`), the
 * checkpoint (resumes before your `onTrainBegin`), yours, early stopping (after your `onEpochEnd`, so a restore
 * of the best weights comes last), then the live view.
 */
function runCallbacks(options: FitOptions, view: LiveTrainingView): Callback[] {
  const given =
    options.callbacks === undefined ? [] : Array.isArray(options.callbacks) ? options.callbacks : [options.callbacks];
  const list: Callback[] = [];
  if (options.learningRateSchedule) list.push(learningRateScheduler(options.learningRateSchedule));
  if (options.checkpoint) list.push(modelCheckpoint(options.checkpoint));
  list.push(...given);
  if (options.earlyStopping) list.push(earlyStopping(options.earlyStopping === true ? {} : options.earlyStopping));
  list.push(liveViewCallback(view));
  return list;
}
