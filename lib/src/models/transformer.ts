import * as tf from '@tensorflow/tfjs';
import { dropoutSeed, glorotKernel, outputLayer, seeder, type Head } from './head.js';
import { textInput, type TextInputOptions } from './text-input.js';
import { ModelError } from './errors.js';

/** Options of `lepton.models.transformer`: `vectorizer`, or `steps` (sequence length) and `vocabulary` (size). */
export interface TransformerOptions extends Head, TextInputOptions {
  /** Model width (default 32). */
  dModel?: number;
  /** Attention heads (default 2); must divide dModel. */
  heads?: number;
  /** Encoder blocks (default 2). */
  layers?: number;
  /** Width of each block's feed-forward layer (default 2 × dModel). */
  feedForward?: number;
  /** Dropout (default 0.1). */
  dropout?: number;
  /** Seed of the initial weights and of dropout: the same seed builds the same model. */
  seed?: number;
}

/**
 * Multi-head scaled dot-product self-attention, as a tfjs layer: softmax(q·kᵀ / √dHead)·v per head, the heads
 * joined and projected. The residual connection and layer normalization around it are layers of the model (see
 * `transformer`), so the ONNX exporter converts them as it converts any `Add` and `LayerNormalization`.
 */
class SelfAttention extends tf.layers.Layer {
  static readonly className = 'LeptonSelfAttention';
  private readonly heads: number;
  private readonly dModel: number;
  private wq!: tf.LayerVariable;
  private wk!: tf.LayerVariable;
  private wv!: tf.LayerVariable;
  private wo!: tf.LayerVariable;
  /** Seeds of wq, wk, wv and wo (a seeded initializer gives the same values for every weight of one shape). */
  private readonly seeds: readonly (number | undefined)[];

  constructor(args: { heads: number; dModel: number; name?: string; seeds?: readonly (number | undefined)[] }) {
    super(args.name ? { name: args.name } : {});
    this.heads = args.heads;
    this.dModel = args.dModel;
    this.seeds = args.seeds ?? [];
  }

  override build(): void {
    const shape = [this.dModel, this.dModel];
    const weight = (name: string, k: number) => {
      const seed = this.seeds[k];
      return this.addWeight(name, shape, 'float32', tf.initializers.glorotUniform(seed === undefined ? {} : { seed }));
    };
    this.wq = weight('wq', 0);
    this.wk = weight('wk', 1);
    this.wv = weight('wv', 2);
    this.wo = weight('wo', 3);
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor3D;
      const [batch, steps] = x.shape;
      const dHead = this.dModel / this.heads;
      const project = (w: tf.LayerVariable) =>
        tf
          .matMul(x.reshape([-1, this.dModel]), w.read())
          .reshape([batch, steps, this.heads, dHead])
          .transpose([0, 2, 1, 3]);
      const q = project(this.wq);
      const k = project(this.wk);
      const v = project(this.wv);
      const scores = tf.matMul(q, k, false, true).div(Math.sqrt(dHead));
      const attended = tf.matMul(tf.softmax(scores), v).transpose([0, 2, 1, 3]).reshape([-1, this.dModel]);
      return tf.matMul(attended, this.wo.read()).reshape([batch, steps, this.dModel]);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), heads: this.heads, dModel: this.dModel };
  }
}
tf.serialization.registerClass(SelfAttention);

/** Learned position embeddings added to the token embeddings. */
class PositionEmbedding extends tf.layers.Layer {
  static readonly className = 'LeptonPositionEmbedding';
  private table!: tf.LayerVariable;

  constructor(private readonly args: { steps: number; dModel: number; name?: string; seed?: number | undefined }) {
    super(args.name ? { name: args.name } : {});
  }

  override build(): void {
    const init = tf.initializers.randomNormal({
      stddev: 0.02,
      ...(this.args.seed === undefined ? {} : { seed: this.args.seed }),
    });
    this.table = this.addWeight('positions', [this.args.steps, this.args.dModel], 'float32', init);
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => (Array.isArray(inputs) ? inputs[0]! : inputs).add(this.table.read()));
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), steps: this.args.steps, dModel: this.args.dModel };
  }
}
tf.serialization.registerClass(PositionEmbedding);

/**
 * A small transformer encoder for token sequences: token and position embeddings, `layers` post-norm blocks —
 * x = LayerNorm(x + Dropout(SelfAttention(x))), then x = LayerNorm(x + Dropout(FeedForward(x))) — mean pooling
 * over steps, the head. Sequence length and vocabulary size come from `vectorizer`, or `steps` and `vocabulary`.
 * @example const model = lepton.models.transformer({ vectorizer, classes: 2 })
 * @example const model = lepton.models.transformer({ steps: 64, vocabulary: 8000, classes: 4 })
 */
export function transformer(options: TransformerOptions): tf.LayersModel {
  const { steps, vocabulary } = textInput(options, 'transformer');
  const dModel = options.dModel ?? 32;
  const heads = options.heads ?? 2;
  if (dModel % heads !== 0)
    throw new ModelError('LEPTON_MODEL_BAD_OPTION', `dModel (${dModel}) must be divisible by heads (${heads}).`);
  const dropout = options.dropout ?? 0.1;
  const seeded = seeder(options.seed);
  const glorot = () => glorotKernel(seeded);
  const nextSeed = () => seeded((seed) => seed);
  const input = tf.input({ shape: [steps], dtype: 'int32' });
  const embeddingsInitializer = seeded((seed) => tf.initializers.randomUniform({ minval: -0.05, maxval: 0.05, seed }));
  let x = tf.layers
    .embedding({ inputDim: vocabulary, outputDim: dModel, ...(embeddingsInitializer ? { embeddingsInitializer } : {}) })
    .apply(input) as tf.SymbolicTensor;
  x = new PositionEmbedding({ steps, dModel, seed: nextSeed() }).apply(x) as tf.SymbolicTensor;
  for (let i = 0; i < (options.layers ?? 2); i++) {
    let attended = new SelfAttention({ heads, dModel, seeds: [nextSeed(), nextSeed(), nextSeed(), nextSeed()] }).apply(
      x,
    ) as tf.SymbolicTensor;
    if (dropout)
      attended = tf.layers
        .dropout({ rate: dropout, ...dropoutSeed(options.seed) })
        .apply(attended) as tf.SymbolicTensor;
    x = tf.layers.layerNormalization().apply(tf.layers.add().apply([x, attended])) as tf.SymbolicTensor;
    let ff = tf.layers
      .dense({ units: options.feedForward ?? 2 * dModel, activation: 'relu', ...glorot() })
      .apply(x) as tf.SymbolicTensor;
    ff = tf.layers.dense({ units: dModel, ...glorot() }).apply(ff) as tf.SymbolicTensor;
    if (dropout) ff = tf.layers.dropout({ rate: dropout, ...dropoutSeed(options.seed) }).apply(ff) as tf.SymbolicTensor;
    x = tf.layers.layerNormalization().apply(tf.layers.add().apply([x, ff])) as tf.SymbolicTensor;
  }
  const pooled = tf.layers.globalAveragePooling1d().apply(x) as tf.SymbolicTensor;
  const output = outputLayer(options, glorot()).apply(pooled) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: output, name: options.name ?? 'transformer' });
}
