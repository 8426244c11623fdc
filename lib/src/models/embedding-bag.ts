import * as tf from '@tensorflow/tfjs';
import { dropoutSeed, glorotKernel, outputLayer, seeder, type Head } from './head.js';
import { textInput, type TextInputOptions } from './text-input.js';

/** Options of `lepton.models.embeddingBag`. */
export interface EmbeddingBagOptions extends Head, TextInputOptions {
  /** Dimensions of each token's embedding (default 32). */
  embedding?: number;
  /** Units of the dense layers between the pooled embedding and the head (default [] — none). */
  hidden?: number[];
  /** Dropout after the pooling and each hidden layer (default 0). */
  dropout?: number;
  /** Seed of the initial weights and of dropout: the same seed builds the same model. */
  seed?: number;
}

/**
 * A bag-of-words text classifier: token embeddings averaged over the text (padding included, as ONNX graphs carry
 * no masks), optional dense layers, the head. Fast to train and a strong baseline for short texts.
 * @example const model = lepton.models.embeddingBag({ vectorizer, classes: 2 })
 */
export function embeddingBag(options: EmbeddingBagOptions): tf.Sequential {
  const { steps, vocabulary } = textInput(options, 'embeddingBag');
  const model = tf.sequential({ name: options.name ?? 'embedding_bag' });
  const seeded = seeder(options.seed);
  const embeddingsInitializer = seeded((seed) => tf.initializers.randomUniform({ minval: -0.05, maxval: 0.05, seed }));
  // Token ids are int32, as the vectorizer gives them (and as an exported model's input takes them).
  model.add(tf.layers.inputLayer({ inputShape: [steps], dtype: 'int32' }));
  model.add(
    tf.layers.embedding({
      inputDim: vocabulary,
      outputDim: options.embedding ?? 32,
      ...(embeddingsInitializer ? { embeddingsInitializer } : {}),
    }),
  );
  model.add(tf.layers.globalAveragePooling1d({}));
  const drop = () => {
    if (options.dropout) model.add(tf.layers.dropout({ rate: options.dropout, ...dropoutSeed(options.seed) }));
  };
  drop();
  for (const units of options.hidden ?? []) {
    model.add(tf.layers.dense({ units, activation: 'relu', ...glorotKernel(seeded) }));
    drop();
  }
  model.add(outputLayer(options, glorotKernel(seeded)));
  return model;
}
