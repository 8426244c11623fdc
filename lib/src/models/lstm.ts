import * as tf from '@tensorflow/tfjs';
import { dropoutSeed, glorotKernel, outputLayer, seeder, type Head } from './head.js';
import { textInput, type VectorizerShape } from './text-input.js';
import { badArgument } from '../data/errors.js';

/** Options of `lepton.models.lstm`. */
export interface LstmOptions extends Head {
  /** Sequence length (time steps). For token ids give `vocabulary` too (or a `vectorizer`). */
  steps?: number;
  /** A fitted `int`-mode vectorizer with a `sequenceLength`: the model reads its token ids (`steps` and `vocabulary` from it). */
  vectorizer?: VectorizerShape;
  /** Features per step (default 1; ignored with `vocabulary`). */
  features?: number;
  /** With token ids as input: the vocabulary size, and an embedding of `embedding` dims (default 32) comes first. */
  vocabulary?: number;
  /** Dimensions of the embedding used with `vocabulary` (default 32). */
  embedding?: number;
  /** Units of each LSTM layer (default [64]). */
  units?: number[];
  /** Bidirectional LSTMs (default false). */
  bidirectional?: boolean;
  /** Dropout between layers (default 0). */
  dropout?: number;
  /** Seed of the initial weights and of dropout: the same seed builds the same model. */
  seed?: number;
}

/**
 * A recurrent model for sequences: an optional embedding, stacked LSTMs (the last returns its final state), the head.
 * @example const model = lepton.models.lstm({ steps: 50, vocabulary: 5000, units: [64], classes: 2, binary: true })
 * @example const model = lepton.models.lstm({ vectorizer, classes: 2 })
 */
export function lstm(options: LstmOptions): tf.Sequential {
  if (options.vectorizer || options.vocabulary) options = { ...options, ...textInput(options, 'lstm') };
  if (!Number.isInteger(options.steps) || options.steps! < 1)
    throw badArgument(
      `lstm: steps must be a whole number ≥ 1 (time steps), got ${JSON.stringify(options.steps)}; or pass { vectorizer }.`,
    );
  const steps = options.steps!;
  const model = tf.sequential({ name: options.name ?? 'lstm' });
  // tfjs's own initializers (uniform ±0.05 embeddings, Glorot kernels, orthogonal recurrent weights), given seeds.
  const seeded = seeder(options.seed);
  if (options.vocabulary) {
    const embeddingsInitializer = seeded((seed) =>
      tf.initializers.randomUniform({ minval: -0.05, maxval: 0.05, seed }),
    );
    // Token ids are int32, as the vectorizer gives them (and as an exported model's input takes them).
    model.add(tf.layers.inputLayer({ inputShape: [steps], dtype: 'int32' }));
    model.add(
      tf.layers.embedding({
        inputDim: options.vocabulary,
        outputDim: options.embedding ?? 32,
        ...(embeddingsInitializer ? { embeddingsInitializer } : {}),
      }),
    );
  }
  const layers = options.units ?? [64];
  layers.forEach((units, i) => {
    const returnSequences = i < layers.length - 1;
    const first = i === 0 && !options.vocabulary ? { inputShape: [steps, options.features ?? 1] } : {};
    const recurrentInitializer = seeded((seed) => tf.initializers.orthogonal({ seed }));
    const init = { ...glorotKernel(seeded), ...(recurrentInitializer ? { recurrentInitializer } : {}) };
    // A bidirectional layer copies the cell's configuration for its backward half: with a seed both halves start from
    // the same weights (they still learn apart, reading the sequence in opposite orders).
    const cell = tf.layers.lstm({ units, returnSequences, ...init, ...(options.bidirectional ? {} : first) });
    model.add(options.bidirectional ? tf.layers.bidirectional({ layer: cell, ...first }) : cell);
    if (options.dropout) model.add(tf.layers.dropout({ rate: options.dropout, ...dropoutSeed(options.seed) }));
  });
  model.add(outputLayer(options, glorotKernel(seeded)));
  return model;
}
