/**
 * `lepton.compress.distill(teacher, student, data, opts)`: knowledge distillation with the two-term loss of Hinton,
 * Vinyals and Dean (2015), "Distilling the Knowledge in a Neural Network".
 *
 * For each sample, with `z` the student's logits, `v` the teacher's logits (both before the softmax), `y` the label
 * and `T` the temperature:
 *
 *     L = alpha · T² · KL(softmax(v / T) ‖ softmax(z / T)) + (1 − alpha) · CE(y, softmax(z))
 *
 * The logits are read through a logits view of each model (`logits.ts`): the student trains through `lepton.fit`
 * (live chart, Stop, interrupt) as a model that shares all its layers but outputs logits, so its weights change in
 * place and its own softmax output is untouched. The teacher's log-probabilities at T are computed once, up front.
 */
import * as tf from '@tensorflow/tfjs';
import { fit } from '../train/fit.js';
import { rememberHistory, type History } from '../train/history.js';
import { CompressError } from './errors.js';
import { checkCount, checkLabelledData, checkLayersModel, outputWidth, type LabelledData } from './keras-model.js';
import { logitsModel, logitsView, type LogitsView } from './logits.js';

/** Options of `compress.distill`. */
export interface DistillOptions {
  /**
   * Softening temperature T > 0 (default 4): the teacher's and the student's logits are divided by T in the soft
   * term, so the teacher's small probabilities ("dark knowledge") carry weight. Typically 2 to 10.
   */
  temperature?: number;
  /** Weight in [0, 1] of the soft (teacher) term; the cross-entropy with the labels gets 1 − alpha (default 0.7). */
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
  /** The student, trained in place (its output is still its softmax probabilities). */
  student: tf.LayersModel;
  /** The training History: `loss` is the distillation loss L, `acc` the student's accuracy on the labels. */
  history: History;
  /** The fraction of training samples on which student and teacher predict the same class after training. */
  agreement: number;
}

/** Options of `distillationLoss`: the same meaning and defaults as in `DistillOptions`. */
export interface DistillationLossOptions {
  /** Softening temperature T > 0 (default 4). */
  temperature?: number;
  /** Weight in [0, 1] of the soft term (default 0.7). */
  alpha?: number;
}

/**
 * The per-sample loss from the teacher's log-probabilities at T (`logP`), the labels as rows of class probabilities,
 * and the student's logits. Terms with weight 0 are left out, so alpha = 0 is exactly crossentropy training.
 */
function lossTerms(
  logP: tf.Tensor,
  labels: tf.Tensor,
  studentLogits: tf.Tensor,
  temperature: number,
  alpha: number,
): tf.Tensor {
  return tf.tidy(() => {
    const terms: tf.Tensor[] = [];
    if (alpha > 0) {
      // KL(p ‖ q) = Σ p·(log p − log q); p = exp(logP) is 0 where logP is very negative, never log(0).
      const logQ = tf.logSoftmax(tf.div(studentLogits, temperature));
      const kl = tf.sum(tf.mul(tf.exp(logP), tf.sub(logP, logQ)), -1);
      terms.push(tf.mul(kl, alpha * temperature * temperature));
    }
    if (alpha < 1) {
      const ce = tf.neg(tf.sum(tf.mul(labels, tf.logSoftmax(studentLogits)), -1));
      terms.push(tf.mul(ce, 1 - alpha));
    }
    return terms.length === 1 ? terms[0]! : tf.add(terms[0]!, terms[1]!);
  });
}

function oneHotOf(y: tf.Tensor, classes: number): tf.Tensor2D {
  return tf.tidy(() => {
    if (y.rank === 2 && y.shape[1] === classes) return y.toFloat() as tf.Tensor2D;
    const labels = y.reshape([-1]).toInt();
    return tf.oneHot(labels, classes).toFloat() as tf.Tensor2D;
  });
}

/**
 * The distillation loss of each sample, from logits (before any softmax):
 * `alpha · T² · KL(softmax(teacherLogits / T) ‖ softmax(studentLogits / T)) + (1 − alpha) · CE(labels, softmax(studentLogits))`.
 * This is what `distill` minimizes (averaged over each batch).
 * @param studentLogits the student's logits `[n, classes]`
 * @param teacherLogits the teacher's logits `[n, classes]`
 * @param labels class indices `[n]` (or `[n, 1]`), or one-hot rows `[n, classes]`
 * @param opts temperature and alpha
 * @returns the loss of each sample, `[n]`
 * @example const perSample = distillationLoss(studentLogits, teacherLogits, labels, { temperature: 4, alpha: 0.7 })
 */
export function distillationLoss(
  studentLogits: tf.Tensor2D,
  teacherLogits: tf.Tensor2D,
  labels: tf.Tensor,
  opts: DistillationLossOptions = {},
): tf.Tensor1D {
  const { temperature, alpha } = checkLossOptions(opts);
  const classes = studentLogits.shape[1];
  if (teacherLogits.shape[1] !== classes || teacherLogits.shape[0] !== studentLogits.shape[0]) {
    throw new CompressError(
      'LEPTON_COMPRESS_BAD_INPUT',
      `The student's logits have shape [${studentLogits.shape.join(', ')}] and the teacher's [${teacherLogits.shape.join(', ')}]: they must match.`,
    );
  }
  return tf.tidy(() => {
    const logP = tf.logSoftmax(tf.div(teacherLogits, temperature));
    return lossTerms(logP, oneHotOf(labels, classes), studentLogits, temperature, alpha) as tf.Tensor1D;
  });
}

function checkLossOptions(opts: DistillationLossOptions): { temperature: number; alpha: number } {
  const temperature = opts.temperature ?? 4;
  const alpha = opts.alpha ?? 0.7;
  if (!(typeof temperature === 'number' && Number.isFinite(temperature) && temperature > 0)) {
    throw new CompressError(
      'LEPTON_COMPRESS_BAD_INPUT',
      `temperature must be a positive number, typically 2 to 10 (got ${String(temperature)}).`,
    );
  }
  if (!(typeof alpha === 'number' && alpha >= 0 && alpha <= 1)) {
    throw new CompressError(
      'LEPTON_COMPRESS_BAD_INPUT',
      `alpha must be in [0, 1]: the weight of the teacher's soft term (got ${String(alpha)}).`,
    );
  }
  return { temperature, alpha };
}

/** The teacher's log-probabilities at temperature `t`, log softmax(logits / t), from its logits view. */
function teacherLogProbs(view: LogitsView, name: string, x: tf.Tensor, t: number, batchSize: number): tf.Tensor2D {
  const logits = logitsModel(view, `${name}_logits`);
  return tf.tidy(() => tf.logSoftmax(tf.div(logits.predict(x, { batchSize }) as tf.Tensor, t)) as tf.Tensor2D);
}

/**
 * The teacher's class probabilities at temperature `t`: softmax(logits / t), with the logits taken before the
 * teacher's softmax (its last layer: a softmax Dense, a softmax activation layer, or a linear layer).
 * @param teacher a classifier with one output per class
 * @param x the inputs
 * @param t the temperature (> 0; 1 gives the teacher's own probabilities)
 * @param batchSize samples per prediction step
 * @returns `[n, classes]` probabilities, rows summing to 1
 */
export function softTargets(teacher: tf.LayersModel, x: tf.Tensor, t: number, batchSize = 256): tf.Tensor2D {
  const view = logitsView(teacher, 'softTargets: the teacher');
  return tf.tidy(() => tf.exp(teacherLogProbs(view, teacher.name, x, t, batchSize)));
}

function agreementOf(teacher: tf.LayersModel, student: tf.LayersModel, x: tf.Tensor): number {
  return tf.tidy(() => {
    const a = (teacher.predict(x, { batchSize: 256 }) as tf.Tensor).argMax(-1);
    const b = (student.predict(x, { batchSize: 256 }) as tf.Tensor).argMax(-1);
    return a.equal(b).toFloat().mean().dataSync()[0]!;
  });
}

/**
 * Distils a teacher classifier into a (smaller) student with the standard two-term loss (Hinton et al. 2015):
 *
 *     L = alpha · T² · KL(softmax(teacherLogits / T) ‖ softmax(studentLogits / T)) + (1 − alpha) · CE(labels, softmax(studentLogits))
 *
 * The soft term teaches the student the teacher's whole output distribution softened at temperature T; its
 * gradients with respect to the logits shrink as 1/T², hence the T² factor, which keeps the two terms' balance
 * (set by alpha) the same whatever T. Defaults: T = 4, alpha = 0.7, 5 epochs, batches of 32, adam.
 *
 * Both models must be classifiers with one output per class whose logits can be found: the last layer is a softmax
 * Dense layer (as `lepton.models` build), a softmax activation layer, or a linear layer (its outputs are the logits).
 * Training runs through `lepton.fit` (live chart, Stop, interrupt keep the weights trained so far) on a model that
 * shares the student's layers and outputs its logits: the student's weights change in place, its softmax output and
 * its compile state stay as they were. The chart shows `loss` (L) and `acc` (the student's accuracy on the labels).
 * @param teacher the trained model whose knowledge is distilled (left unchanged)
 * @param student the model to train (changed in place)
 * @param data training `{ x, y }`: labels as class indices or one-hot rows
 * @param opts temperature, alpha, epochs, batch size, optimizer, seed, live chart
 * @returns the student, its History and its agreement with the teacher on the training data
 * @example const { student } = await lepton.compress.distill(model, small, { x, y }, { temperature: 4, alpha: 0.7, epochs: 3 })
 */
export async function distill(
  teacher: tf.LayersModel,
  student: tf.LayersModel,
  data: LabelledData,
  opts: DistillOptions = {},
): Promise<DistillResult> {
  checkLayersModel(teacher, 'distill: the teacher');
  checkLayersModel(student, 'distill: the student');
  checkLabelledData(data, 'distill: data');
  const { temperature, alpha } = checkLossOptions(opts);
  const epochs = opts.epochs ?? 5;
  const batchSize = opts.batchSize ?? 32;
  checkCount(epochs, 'distill: epochs');
  checkCount(batchSize, 'distill: batchSize');
  const teacherView = logitsView(teacher, 'distill: the teacher');
  const classes = outputWidth(teacher);
  if (classes < 2)
    throw new CompressError(
      'LEPTON_COMPRESS_UNSUPPORTED',
      'distill needs a classifier with one output per class (≥ 2 classes).',
    );
  if (outputWidth(student) !== classes) {
    throw new CompressError(
      'LEPTON_COMPRESS_BAD_INPUT',
      `The student outputs ${outputWidth(student)} values but the teacher ${classes}: both need one per class.`,
    );
  }
  const studentView = logitsView(student, 'distill: the student');

  // fit checks that y is as wide as the model's output, and each sample needs two targets (the teacher's
  // log-probabilities at T and the label row), so the trainer outputs the student's logits twice, side by side,
  // against y = [logP | oneHot]; the loss reads the first copy.
  const both = tf.layers.concatenate({ axis: -1 }).apply([studentView.logits, studentView.logits]) as tf.SymbolicTensor;
  const trainer = tf.model({ inputs: studentView.inputs, outputs: both, name: student.name });
  const split = (t: tf.Tensor): [tf.Tensor, tf.Tensor] => [
    t.slice([0, 0], [-1, classes]),
    t.slice([0, classes], [-1, classes]),
  ];
  const loss = (yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor =>
    tf.tidy(() => {
      const [logP, labels] = split(yTrue);
      return lossTerms(logP, labels, split(yPred)[0], temperature, alpha);
    });
  const acc = (yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor =>
    tf.tidy(() => tf.equal(tf.argMax(split(yPred)[0], -1), tf.argMax(split(yTrue)[1], -1)).toFloat());

  const target = tf.tidy(() =>
    tf.concat(
      [
        teacherLogProbs(teacherView, teacher.name, data.x, temperature, Math.max(batchSize, 256)),
        oneHotOf(data.y, classes),
      ],
      1,
    ),
  );
  const ownsOptimizer = !(opts.optimizer instanceof tf.Optimizer);
  try {
    const history = await fit(
      trainer,
      { x: data.x, y: target },
      {
        epochs,
        batchSize,
        loss,
        metrics: [acc],
        optimizer: opts.optimizer ?? 'adam',
        ...(opts.seed === undefined ? {} : { seed: opts.seed }),
        live: opts.live ?? true,
      },
    );
    rememberHistory(student, history);
    return { student, history, agreement: agreementOf(teacher, student, data.x) };
  } finally {
    target.dispose();
    // The trainer is not disposed (it shares the student's layers); an optimizer made here from a name is freed.
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- tfjs types the optimizer as always set, but it is set by compile, and fit can throw before compiling
    if (ownsOptimizer && trainer.optimizer) trainer.optimizer.dispose();
  }
}
