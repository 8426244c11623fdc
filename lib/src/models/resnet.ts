import * as tf from '@tensorflow/tfjs';
import { glorotKernel, outputLayer, seeder, type Head } from './head.js';
import { ModelError } from './errors.js';

/** Options of `lepton.models.resnet`. */
export interface ResnetOptions extends Head {
  /** Image shape [height, width, channels], e.g. [32, 32, 3]. */
  inputShape: [number, number, number];
  /** Residual blocks in each stage (default [2, 2, 2]); every stage after the first halves the resolution. */
  blocks?: number[];
  /** Filters of each stage (default 16, 32, 64, … doubling). */
  filters?: number[];
  /** Seed of the initial weights, for repeatable runs (default: random). */
  seed?: number;
}

/**
 * A small residual network (ResNet v1 for small images, as in He et al. 2016 for CIFAR-10): a 3×3 conv stem, then
 * stages of residual blocks — conv 3×3, batch norm, relu, conv 3×3, batch norm, added to the block's input (a 1×1
 * conv with batch norm when the shape changes), relu — then global average pooling and the output head.
 * Exportable to ONNX like every built-in model.
 * @example const model = lepton.models.resnet({ inputShape: [32, 32, 3], classes: 10, blocks: [1, 1, 1] })
 */
export function resnet(options: ResnetOptions): tf.LayersModel {
  const blocks = options.blocks ?? [2, 2, 2];
  if (blocks.length === 0 || !blocks.every((b) => Number.isInteger(b) && b >= 1))
    throw new ModelError(
      'LEPTON_MODEL_BAD_OPTION',
      `blocks must list whole numbers ≥ 1, one per stage (got ${JSON.stringify(blocks)}).`,
    );
  const filters = options.filters ?? blocks.map((_, i) => 16 * 2 ** i);
  if (filters.length !== blocks.length)
    throw new ModelError(
      'LEPTON_MODEL_BAD_OPTION',
      `filters has ${filters.length} entries for ${blocks.length} stages (blocks); give one per stage.`,
    );
  const seeded = seeder(options.seed);
  const conv = (units: number, kernelSize: number, strides: number, name: string) =>
    tf.layers.conv2d({
      filters: units,
      kernelSize,
      strides,
      padding: 'same',
      useBias: false,
      name,
      ...glorotKernel(seeded),
    });
  const norm = (name: string) => tf.layers.batchNormalization({ name });
  const relu = (name: string) => tf.layers.activation({ activation: 'relu', name });

  const input = tf.input({ shape: options.inputShape, name: 'image' });
  let x = relu('stem_relu').apply(
    norm('stem_bn').apply(conv(filters[0]!, 3, 1, 'stem_conv').apply(input)),
  ) as tf.SymbolicTensor;
  blocks.forEach((count, stage) => {
    for (let b = 0; b < count; b++) {
      const name = `s${stage + 1}b${b + 1}`;
      const strides = stage > 0 && b === 0 ? 2 : 1;
      const units = filters[stage]!;
      let y = relu(`${name}_relu1`).apply(
        norm(`${name}_bn1`).apply(conv(units, 3, strides, `${name}_conv1`).apply(x)),
      ) as tf.SymbolicTensor;
      y = norm(`${name}_bn2`).apply(conv(units, 3, 1, `${name}_conv2`).apply(y)) as tf.SymbolicTensor;
      const channels = x.shape[3];
      const shortcut =
        strides === 1 && channels === units
          ? x
          : (norm(`${name}_bn_short`).apply(conv(units, 1, strides, `${name}_short`).apply(x)) as tf.SymbolicTensor);
      x = relu(`${name}_relu2`).apply(tf.layers.add({ name: `${name}_add` }).apply([y, shortcut])) as tf.SymbolicTensor;
    }
  });
  const pooled = tf.layers.globalAveragePooling2d({ name: 'pool' }).apply(x) as tf.SymbolicTensor;
  const output = outputLayer(options, glorotKernel(seeded)).apply(pooled) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: output, name: options.name ?? 'resnet' });
}
