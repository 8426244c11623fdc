import * as tf from '@tensorflow/tfjs';
import { dropoutSeed, glorotKernel, outputLayer, seeder, type Head } from './head.js';

/** Options of `lepton.models.cnn`. */
export interface CnnOptions extends Head {
  /** Image shape [height, width, channels], e.g. [28, 28, 1]. */
  inputShape: [number, number, number];
  /** Filters of each conv block (default [32, 64]); each block is conv 3×3 (relu) then 2×2 max pooling. */
  filters?: number[];
  /** Units of the dense layer before the output (default 128; 0 for none). */
  dense?: number;
  /** Dropout before the output (default 0.25). */
  dropout?: number;
  /** Conv padding (default 'same'). */
  padding?: 'same' | 'valid';
  /** Seed of the initial weights and of dropout, for repeatable runs (default: random). */
  seed?: number;
}

/**
 * A small convolutional network for images: conv/pool blocks, flatten, a dense layer with dropout, the output head.
 * @example const model = lepton.models.cnn({ inputShape: [28, 28, 1], filters: [16, 32], classes: 10 })
 */
export function cnn(options: CnnOptions): tf.Sequential {
  const model = tf.sequential({ name: options.name ?? 'cnn' });
  const seeded = seeder(options.seed);
  const init = () => glorotKernel(seeded);
  (options.filters ?? [32, 64]).forEach((filters, i) => {
    model.add(
      tf.layers.conv2d({
        filters,
        kernelSize: 3,
        activation: 'relu',
        padding: options.padding ?? 'same',
        ...init(),
        ...(i === 0 ? { inputShape: options.inputShape } : {}),
      }),
    );
    model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  });
  model.add(tf.layers.flatten(options.filters?.length === 0 ? { inputShape: options.inputShape } : {}));
  const dense = options.dense ?? 128;
  if (dense > 0) model.add(tf.layers.dense({ units: dense, activation: 'relu', ...init() }));
  if ((options.dropout ?? 0.25) > 0)
    model.add(tf.layers.dropout({ rate: options.dropout ?? 0.25, ...dropoutSeed(options.seed) }));
  model.add(outputLayer(options, init()));
  return model;
}
