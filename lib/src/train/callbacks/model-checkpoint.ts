import { loadCheckpoint, saveCheckpoint } from '../checkpoint.js';
import { checkMonitor, improved, monitorMode, worst, type Callback } from './callback.js';

/** Checkpointing: the best weights are saved to `path` (atomically), and a later `fit` resumes from them. */
export interface CheckpointOptions {
  /** A folder: model.json and a weights file go in it. */
  path: string;
  /** What decides "best" (default as for early stopping). */
  monitor?: string;
  /** Whether lower or higher is better (default as for early stopping). */
  mode?: 'min' | 'max';
  /** Load the checkpoint found at `path` and continue after its epoch (default true). */
  resume?: boolean;
}

/**
 * Saves the model to a folder whenever the monitored value improves (Keras's ModelCheckpoint with
 * `save_best_only`), atomically, and resumes from that folder: a later run loads the saved weights and continues
 * after the saved epoch. `lepton.fit`'s `checkpoint` option adds this callback.
 * @param options the folder (a path, or options with monitor, mode, resume)
 * @returns a callback for `lepton.fit`'s `callbacks`
 * @example await lepton.fit(model, data, { epochs: 20, callbacks: [lepton.callbacks.modelCheckpoint('ckpt/mnist')] })
 */
export function modelCheckpoint(options: string | CheckpointOptions): Callback {
  const {
    path,
    monitor: asked,
    mode: askedMode,
    resume = true,
  } = typeof options === 'string' ? { path: options } : options;
  let save: (epoch: number, logs: Record<string, number>) => Promise<void>;
  let load: () => void;
  return {
    setRun(run) {
      const monitor = asked ?? run.defaultMonitor;
      const mode = monitorMode(monitor, askedMode);
      checkMonitor(monitor, run);
      let best = worst(mode);
      // Resuming changes the model, so it waits for training to begin (as Keras's BackupAndRestore): every
      // callback has checked its options by then.
      load = () => {
        if (!resume) return;
        const meta = loadCheckpoint(run.model, path);
        if (!meta) return;
        run.initialEpoch = Math.min(meta.epoch, run.epochs);
        if (meta.monitor === monitor && Number.isFinite(meta.value)) best = meta.value;
        run.history.bestEpoch = meta.epoch;
      };
      save = async (epoch, logs) => {
        if (!improved(logs[monitor]!, best, mode)) return;
        best = logs[monitor]!;
        run.history.bestEpoch = epoch + 1;
        await saveCheckpoint(run.model, path, { epoch: epoch + 1, monitor, value: best });
      };
    },
    onTrainBegin() {
      load();
    },
    async onEpochEnd(epoch, logs) {
      await save(epoch, logs);
    },
  };
}

/** Where a checkpoint callback saves (for the message of a run that had nothing left to train). */
export function checkpointPath(options: string | CheckpointOptions): string {
  return typeof options === 'string' ? options : options.path;
}
