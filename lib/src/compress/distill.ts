/**
 * `lepton.compress.distill(teacher, student, data, opts)`: knowledge distillation. The student learns from the
 * teacher's softened class probabilities blended with the true labels.
 *
 * This is the blended-target variant: the teacher's soft targets at temperature T are computed once, mixed with the
 * one-hot labels as `alpha·soft + (1 − alpha)·oneHot`, and the student trains on them with `lepton.fit` and
 * categorical crossentropy (so the live chart shows as usual). Unlike Hinton et al.'s loss, the student's own
 * outputs are not divided by T; the teacher's "dark knowledge" still reaches it through the soft targets.
 */
import * as tf from '@tensorflow/tfjs';
import { fit } from '../train/fit.js';
import type { History } from '../train/history.js';
import { CompressError } from './errors.js';
import { checkCount, checkLabelledData, checkLayersModel, lastActivation, outputWidth, type LabelledData } from './keras-model.js';

/** Options of `compress.distill`. */
export interface DistillOptions {
  /** Softening temperature T ≥ 1 of the teacher's probabilities (default 4). */
  temperature?: number;
  /** Weight of the teacher's soft targets in [0, 1]; the labels get 1 − alpha (default 0.7). */
  alpha?: number;
  /** Passes over the data (default 5). */
  epochs?: number;
  /** Samples per step (default 32). */
  batchSize?: number;
  /** Optimizer name or instance (default `adam`). */
  optimizer?: string | tf.Optimizer;
  /** Seed of shuffling (default: random). */
  seed?: number;
  /** Show the live training chart (default true). */
  live?: boolean;
}

/** What `distill` returns. */
export interface DistillResult {
  /** The student, trained in place. */
  student: tf.LayersModel;
  /** The student's training History. */
  history: History;
  /** The fraction of training samples on which student and teacher predict the same class after training. */
  agreement: number;
}

/**
 * The teacher's class probabilities at temperature `t`: softmax(logits / t). For a teacher ending in softmax, the
 * logits are recovered as log(p) (equal up to a per-row constant, which softmax ignores).
 */
export function softTargets(teacher: tf.LayersModel, x: tf.Tensor, t: number, batchSize = 256): tf.Tensor2D {
  const softmaxOut = lastActivation(teacher) === 'softmax';
  return tf.tidy(() => {
    const out = teacher.predict(x, { batchSize }) as tf.Tensor;
    const logits = softmaxOut ? tf.log(tf.maximum(out, 1e-12)) : out;
    return tf.softmax(tf.div(logits, t)) as tf.Tensor2D;
  });
}

function oneHotOf(y: tf.Tensor, classes: number): tf.Tensor2D {
  return tf.tidy(() => {
    if (y.rank === 2 && y.shape[1] === classes) return y.toFloat() as tf.Tensor2D;
    const labels = y.reshape([-1]).toInt();
    return tf.oneHot(labels, classes).toFloat() as tf.Tensor2D;
  });
}

function agreementOf(teacher: tf.LayersModel, student: tf.LayersModel, x: tf.Tensor): number {
  return tf.tidy(() => {
    const a = (teacher.predict(x, { batchSize: 256 }) as tf.Tensor).argMax(-1);
    const b = (student.predict(x, { batchSize: 256 }) as tf.Tensor).argMax(-1);
    return a.equal(b).toFloat().mean().dataSync()[0]!;
  });
}

/**
 * Distils a teacher classifier into a (smaller) student: the student trains on
 * `alpha · softmax(teacherLogits / T) + (1 − alpha) · oneHot(labels)` with categorical crossentropy (see the module
 * notes for how this differs from the two-term loss). Both models must output one probability per class (the
 * student should end in softmax).
 * @param teacher the trained model whose knowledge is distilled
 * @param student the model to train (changed in place)
 * @param data training `{ x, y }`: labels as class indices or one-hot rows
 * @param opts temperature, alpha, epochs, batch size
 * @returns the student, its History and its agreement with the teacher on the training data
 * @example const { student } = await lepton.compress.distill(model, small, { x, y }, { temperature: 4, alpha: 0.7, epochs: 3 })
 */
export async function distill(teacher: tf.LayersModel, student: tf.LayersModel, data: LabelledData, opts: DistillOptions = {}): Promise<DistillResult> {
  checkLayersModel(teacher, 'distill: the teacher');
  checkLayersModel(student, 'distill: the student');
  checkLabelledData(data, 'distill: data');
  const temperature = opts.temperature ?? 4;
  const alpha = opts.alpha ?? 0.7;
  const epochs = opts.epochs ?? 5;
  const batchSize = opts.batchSize ?? 32;
  if (!(typeof temperature === 'number' && Number.isFinite(temperature) && temperature > 0)) {
    throw new CompressError('LEPTON_COMPRESS_BAD_INPUT', `temperature must be a positive number, typically 2 to 10 (got ${String(temperature)}).`);
  }
  if (!(typeof alpha === 'number' && alpha >= 0 && alpha <= 1)) {
    throw new CompressError('LEPTON_COMPRESS_BAD_INPUT', `alpha must be in [0, 1]: the weight of the teacher's soft targets (got ${String(alpha)}).`);
  }
  checkCount(epochs, 'distill: epochs');
  checkCount(batchSize, 'distill: batchSize');
  const classes = outputWidth(teacher);
  if (classes < 2) throw new CompressError('LEPTON_COMPRESS_UNSUPPORTED', 'distill needs a classifier with one output per class (≥ 2 classes).');
  if (outputWidth(student) !== classes) {
    throw new CompressError('LEPTON_COMPRESS_BAD_INPUT', `The student outputs ${outputWidth(student)} values but the teacher ${classes}: both need one per class.`);
  }
  const target = tf.tidy(() => {
    const soft = softTargets(teacher, data.x, temperature, Math.max(batchSize, 256));
    return alpha === 1 ? soft : tf.add(tf.mul(soft, alpha), tf.mul(oneHotOf(data.y, classes), 1 - alpha));
  });
  try {
    const history = await fit(student, { x: data.x, y: target }, {
      epochs,
      batchSize,
      loss: 'categoricalCrossentropy',
      optimizer: opts.optimizer ?? 'adam',
      ...(opts.seed === undefined ? {} : { seed: opts.seed }),
      live: opts.live ?? true,
    });
    return { student, history, agreement: agreementOf(teacher, student, data.x) };
  } finally {
    target.dispose();
  }
}
