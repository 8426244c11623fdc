/**
 * The gradient-boosting family (`lepton.models.gradientBoosting`): histogram-based boosted trees on unscaled
 * inputs, with early stopping on a held-out share so the number of trees tunes itself, tuned over leaves,
 * learning rate, leaf size, L2 and row subsampling.
 */
import type * as tf from '@tensorflow/tfjs';
import { tfjs } from '../../core/tfjs.js';
import { onnx } from '../../export/onnx.js';
import { gradientBoosting } from '../../models/gradient-boosting/index.js';
import type { GradientBoosting } from '../../models/gradient-boosting/index.js';
import { float, int } from '../../tune/space.js';
import type { Family, FamilyContext, FamilyModel } from './family.js';

/** A gradient-boosting model with the family-model protocol. */
class GbmModel implements FamilyModel {
  constructor(
    private readonly model: GradientBoosting,
    private readonly context: FamilyContext,
  ) {}
  // eslint-disable-next-line @typescript-eslint/require-await -- the interface is async for the families that train over epochs; async keeps this one's throws as rejections, like theirs
  async fit(x: tf.Tensor2D, y: tf.Tensor1D): Promise<void> {
    this.model.fit(x, y);
  }
  predict(x: tf.Tensor2D): tf.Tensor1D {
    return this.model.predict(x) as tf.Tensor1D;
  }
  predictProba(x: tf.Tensor2D): tf.Tensor2D {
    const proba = this.model.predictProba(x);
    const missing = this.context.classes - proba.shape[1];
    if (missing <= 0) return proba;
    // A fold whose training rows lack the last classes gives fewer columns: those classes get probability 0.
    const t = tfjs();
    const padded = t.tidy(() =>
      t.pad(proba, [
        [0, 0],
        [0, missing],
      ]),
    );
    proba.dispose();
    return padded;
  }
  async deployable(): Promise<Uint8Array> {
    // One ai.onnx.ml TreeEnsemble node, verified against Lepton's own predictions by the export.
    return (await onnx(this.model)).data;
  }
  dispose(): void {}
}

/** Histogram-based gradient-boosted trees. */
export const gbmFamily: Family = {
  name: 'gbm',
  scale: false,
  space: () => ({
    leaves: int(8, 128, { log: true }),
    learningRate: float(0.02, 0.3, { log: true }),
    minLeaf: int(5, 100, { log: true }),
    l2: float(1e-3, 10, { log: true }),
    subsample: float(0.5, 1),
  }),
  defaults: () => ({ leaves: 31, learningRate: 0.1, minLeaf: 20, l2: 1e-3, subsample: 1 }),
  create: (params, context) =>
    new GbmModel(
      gradientBoosting({
        task: context.task,
        trees: 500,
        earlyStopping: { rounds: 20, validation: 0.1 },
        leaves: params.leaves as number,
        learningRate: params.learningRate as number,
        minLeaf: Math.min(params.minLeaf as number, Math.max(1, Math.floor(context.rows / 10))),
        l2: params.l2 as number,
        subsample: params.subsample as number,
        seed: context.seed,
        // Past the search's deadline no tree is added; the trial is then not scored (see runTrial).
        ...(Number.isFinite(context.deadline) ? { deadline: context.deadline } : {}),
      }),
      context,
    ),
};
