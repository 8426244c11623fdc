/**
 * What a model was trained on, remembered by `lepton.fit` when it trains on an image dataset: the class names
 * and the image preprocessing. `lepton.evaluate` labels its report with the names, and `lepton.deploy` records
 * both with the version, so the server decodes image files as in training and answers with labels.
 */
import type * as TF from '@tensorflow/tfjs';
import type { TrainedOn } from './dataset.js';

const trained = new WeakMap<TF.LayersModel, TrainedOn>();

/** Remembers what `model` was trained on. */
export function rememberTrainedOn(model: TF.LayersModel, what: TrainedOn): void {
  trained.set(model, what);
}

/** What `model` was trained on by `lepton.fit`, if it trained on an image dataset. */
export function trainedOn(model: unknown): TrainedOn | undefined {
  return typeof model === 'object' && model !== null ? trained.get(model as TF.LayersModel) : undefined;
}
