import type { LiveTrainingView } from '../live-view.js';
import type { Callback } from './callback.js';

/**
 * The live chart as a callback: shown when training begins, updated after batches (at its bounded rate) and at
 * every epoch end, and given the final status. `fit` puts it last, after your callbacks.
 */
export function liveViewCallback(view: LiveTrainingView): Callback {
  return {
    onTrainBegin: () => view.refresh(true),
    onBatchEnd: () => view.refresh(),
    onEpochEnd: () => view.refresh(true),
    onRunEnd: (status, message) => view.finish(status, message),
  };
}
