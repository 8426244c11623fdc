import * as tf from '@tensorflow/tfjs';
import { dropoutSeed, glorotKernel, outputLayer, seeder, type Head } from './head.js';

/** Options of `lepton.models.mlp`. */
export interface MlpOptions extends Head {
  /** Features per sample. */
  inputs: number;
  /** Units of each hidden layer (default [128, 64]). */
  hidden?: number[];
  /** Hidden activation (default relu). */
  activation?: 'relu' | 'tanh' | 'elu' | 'selu' | 'sigmoid';
  /** Dropout after each hidden layer (default 0). */
  dropout?: number;
  /** Batch normalization after each hidden layer (default false). */
  batchNorm?: boolean;
  /** Seed of the initial weights and of dropout: the same seed builds the same model. */
  seed?: number;
}

/**
 * A multi-layer perceptron: dense hidden layers (with optional batch norm and dropout), then the output head.
 * @example const model = lepton.models.mlp({ inputs: 784, hidden: [128, 64], classes: 10 })
 */
export function mlp(options: MlpOptions): tf.Sequential {
  const model = tf.sequential({ name: options.name ?? 'mlp' });
  const seeded = seeder(options.seed);
  const init = () => glorotKernel(seeded);
  (options.hidden ?? [128, 64]).forEach((units, i) => {
    model.add(
      tf.layers.dense({
        units,
        activation: options.activation ?? 'relu',
        ...init(),
        ...(i === 0 ? { inputShape: [options.inputs] } : {}),
      }),
    );
    if (options.batchNorm) model.add(tf.layers.batchNormalization());
    if (options.dropout) model.add(tf.layers.dropout({ rate: options.dropout, ...dropoutSeed(options.seed) }));
  });
  if ((options.hidden ?? [128, 64]).length === 0) model.add(tf.layers.inputLayer({ inputShape: [options.inputs] }));
  model.add(outputLayer(options, init()));
  return model;
}
