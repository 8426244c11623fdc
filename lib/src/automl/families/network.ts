/**
 * A tfjs model as a family model, shared by the linear and MLP families: trained with `lepton.fit` (seeded, no
 * live chart), regression targets standardised while training and the scaling folded back into the output
 * layer afterwards — so the deployed ONNX graph predicts in the target's own units.
 */
import * as tf from '@tensorflow/tfjs';
import { fit } from '../../train/fit.js';
import type { FamilyContext, FamilyModel } from './family.js';

/** How a network trains. */
export interface NetworkTraining {
  /** Passes over the training rows. */
  epochs: number;
  /** Rows per gradient step. */
  batchSize: number;
  /** Adam's learning rate. */
  learningRate: number;
}

/** A compiled-on-fit tfjs model with the family-model protocol. */
export class NetworkModel implements FamilyModel {
  constructor(
    private readonly model: tf.LayersModel,
    private readonly context: FamilyContext,
    private readonly training: NetworkTraining,
  ) {}

  async fit(x: tf.Tensor2D, y: tf.Tensor1D): Promise<void> {
    const { task } = this.context;
    const single = this.outputs() === 1;
    let target: tf.Tensor;
    let mean = 0;
    let std = 1;
    if (task === 'regression') {
      [mean, std] = tf.tidy(() => {
        const m = tf.moments(y);
        return [m.mean.dataSync()[0]!, Math.sqrt(m.variance.dataSync()[0]!) || 1];
      });
      target = tf.tidy(() => y.sub(mean).div(std).reshape([-1, 1]));
    } else target = single ? tf.tidy(() => y.toFloat().reshape([-1, 1])) : y;
    const loss =
      task === 'regression' ? 'meanSquaredError' : single ? 'binaryCrossentropy' : 'sparseCategoricalCrossentropy';
    this.model.compile({ optimizer: tf.train.adam(this.training.learningRate), loss });
    try {
      // Past the search's deadline the epoch loop stops; the trial is then not scored (see runTrial).
      const deadline = this.context.deadline;
      await fit(
        this.model,
        { x, y: target },
        {
          epochs: this.training.epochs,
          batchSize: this.training.batchSize,
          seed: this.context.seed,
          live: false,
          callbacks: { onEpochEnd: () => (Date.now() > deadline ? false : undefined) },
        },
      );
    } finally {
      if (target !== y) target.dispose();
    }
    if (task === 'regression') this.unscaleOutput(mean, std);
  }

  predict(x: tf.Tensor2D): tf.Tensor1D {
    return tf.tidy(() => {
      const out = this.model.predict(x) as tf.Tensor2D;
      if (this.context.task === 'regression') return out.reshape<tf.Tensor1D>([-1]);
      return (out.shape[1] === 1 ? out.reshape([-1]).greaterEqual(0.5).toInt() : out.argMax(1).toInt()) as tf.Tensor1D;
    });
  }

  predictProba(x: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      const out = this.model.predict(x) as tf.Tensor2D;
      return out.shape[1] === 1 ? (tf.concat([tf.onesLike(out).sub(out), out], 1) as tf.Tensor2D) : out;
    });
  }

  deployable(): tf.LayersModel {
    return this.model;
  }

  dispose(): void {
    this.model.dispose();
  }

  private outputs(): number {
    return (this.model.outputs[0]!.shape.at(-1) as number | null) ?? 1;
  }

  /** Makes the last (linear) layer output `value · std + mean`, undoing the standardisation of the training target. */
  private unscaleOutput(mean: number, std: number): void {
    const layer = this.model.layers.at(-1)!;
    const [kernel, bias] = layer.getWeights();
    if (!kernel || !bias) return;
    const scaled = tf.tidy(() => [kernel.mul(std), bias.mul(std).add(mean)]);
    layer.setWeights(scaled);
    tf.dispose(scaled);
  }
}
