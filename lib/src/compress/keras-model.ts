/**
 * Helpers over tfjs LayersModels shared by `prune` and `distill`: checking the arguments, copying a model, the
 * labelled data they fine-tune on, and the loss that suits the labels.
 */
import * as tf from '@tensorflow/tfjs';
import { CompressError } from './errors.js';

/** Labelled training data as tensors: features batch first, labels as class indices `[n]` or one-hot `[n, classes]`. */
export interface LabelledData {
  /** Features, batch first. */
  x: tf.Tensor;
  /** Class indices `[n]` (or `[n, 1]`), or one-hot rows `[n, classes]`. */
  y: tf.Tensor;
}

/** Throws unless `model` is a tfjs LayersModel; `what` names it in the message. */
export function checkLayersModel(model: unknown, what: string): asserts model is tf.LayersModel {
  if (!(model instanceof tf.LayersModel)) {
    throw new CompressError(
      'LEPTON_COMPRESS_BAD_INPUT',
      `${what} must be a tf.Sequential or tf.LayersModel (built with tf.sequential, tf.model or lepton.models).`,
    );
  }
}

/** Throws unless `data` is `{ x, y }` tensors with the same number of rows; `what` names it. */
export function checkLabelledData(data: unknown, what: string): asserts data is LabelledData {
  const d = data as Partial<LabelledData> | undefined;
  if (!d || !(d.x instanceof tf.Tensor) || !(d.y instanceof tf.Tensor)) {
    throw new CompressError(
      'LEPTON_COMPRESS_BAD_INPUT',
      `${what} must be { x, y } tensors (features and labels), e.g. { x: trainImages, y: trainLabels }.`,
    );
  }
  if (d.x.shape[0] !== d.y.shape[0] || d.x.shape[0] === 0) {
    throw new CompressError(
      'LEPTON_COMPRESS_BAD_INPUT',
      `${what}: x has ${d.x.shape[0]} rows and y ${d.y.shape[0]}; they must match and not be empty.`,
    );
  }
}

/** Throws unless `value` is a whole number ≥ 1. */
export function checkCount(value: unknown, name: string): void {
  if (!(typeof value === 'number' && Number.isInteger(value) && value >= 1)) {
    throw new CompressError('LEPTON_COMPRESS_BAD_INPUT', `${name} must be a whole number ≥ 1 (got ${String(value)}).`);
  }
}

/** A copy of `model` (same architecture and weights, not compiled) that training leaves the original untouched by. */
export async function copyModel(model: tf.LayersModel): Promise<tf.LayersModel> {
  const topology = model.toJSON(null, false) as tf.io.ModelJSON['modelTopology'];
  const copy = await tf.models.modelFromJSON({ modelTopology: topology });
  copy.setWeights(model.getWeights());
  return copy;
}

/** The number of outputs of the model's (single) output: classes for a softmax classifier. */
export function outputWidth(model: tf.LayersModel): number {
  const shape = model.outputs[0]!.shape;
  return shape[shape.length - 1] ?? 1;
}

/** The loss that fits labels `y` for a model with `width` outputs: sparse or one-hot categorical, or binary crossentropy. */
export function lossFor(y: tf.Tensor, width: number): string {
  if (width === 1) return 'binaryCrossentropy';
  return y.rank >= 2 && y.shape[y.rank - 1] === width ? 'categoricalCrossentropy' : 'sparseCategoricalCrossentropy';
}

/** The activation of the model's last layer (`softmax`, `linear`, ...), when it has one. */
export function lastActivation(model: tf.LayersModel): string | undefined {
  const config = model.layers[model.layers.length - 1]!.getConfig() as { activation?: unknown };
  return typeof config.activation === 'string' ? config.activation : undefined;
}
