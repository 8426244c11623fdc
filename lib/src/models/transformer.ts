import * as tf from '@tensorflow/tfjs';
import { outputLayer, type Head } from './head.js';

/** Options of `lepton.models.transformer`. */
export interface TransformerOptions extends Head {
  /** Sequence length. */
  steps: number;
  /** Vocabulary size of the token ids the model reads. */
  vocabulary: number;
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
}

/** Multi-head self-attention with a residual connection and layer normalization, as a tfjs layer. */
class SelfAttention extends tf.layers.Layer {
  static readonly className = 'LeptonSelfAttention';
  private readonly heads: number;
  private readonly dModel: number;
  private wq!: tf.LayerVariable;
  private wk!: tf.LayerVariable;
  private wv!: tf.LayerVariable;
  private wo!: tf.LayerVariable;

  constructor(args: { heads: number; dModel: number; name?: string }) {
    super(args.name ? { name: args.name } : {});
    this.heads = args.heads;
    this.dModel = args.dModel;
  }

  override build(): void {
    const init = tf.initializers.glorotUniform({});
    const shape = [this.dModel, this.dModel];
    this.wq = this.addWeight('wq', shape, 'float32', init);
    this.wk = this.addWeight('wk', shape, 'float32', init);
    this.wv = this.addWeight('wv', shape, 'float32', init);
    this.wo = this.addWeight('wo', shape, 'float32', init);
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
        tf.matMul(x.reshape([-1, this.dModel]), w.read()).reshape([batch, steps, this.heads, dHead]).transpose([0, 2, 1, 3]);
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

  constructor(private readonly args: { steps: number; dModel: number; name?: string }) {
    super(args.name ? { name: args.name } : {});
  }

  override build(): void {
    this.table = this.addWeight('positions', [this.args.steps, this.args.dModel], 'float32', tf.initializers.randomNormal({ stddev: 0.02 }));
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
 * A small transformer encoder for token sequences: token and position embeddings, `layers` blocks of multi-head
 * self-attention and feed-forward (each with a residual and layer norm), mean pooling over steps, the head.
 * @example const model = lepton.models.transformer({ steps: 64, vocabulary: 8000, classes: 4 })
 */
export function transformer(options: TransformerOptions): tf.LayersModel {
  const dModel = options.dModel ?? 32;
  const heads = options.heads ?? 2;
  if (dModel % heads !== 0) throw new Error(`dModel (${dModel}) must be divisible by heads (${heads}).`);
  const dropout = options.dropout ?? 0.1;
  const input = tf.input({ shape: [options.steps], dtype: 'int32' });
  let x = tf.layers.embedding({ inputDim: options.vocabulary, outputDim: dModel }).apply(input) as tf.SymbolicTensor;
  x = new PositionEmbedding({ steps: options.steps, dModel }).apply(x) as tf.SymbolicTensor;
  for (let i = 0; i < (options.layers ?? 2); i++) {
    let attended = new SelfAttention({ heads, dModel }).apply(x) as tf.SymbolicTensor;
    if (dropout) attended = tf.layers.dropout({ rate: dropout }).apply(attended) as tf.SymbolicTensor;
    x = tf.layers.layerNormalization().apply(tf.layers.add().apply([x, attended])) as tf.SymbolicTensor;
    let ff = tf.layers.dense({ units: options.feedForward ?? 2 * dModel, activation: 'relu' }).apply(x) as tf.SymbolicTensor;
    ff = tf.layers.dense({ units: dModel }).apply(ff) as tf.SymbolicTensor;
    if (dropout) ff = tf.layers.dropout({ rate: dropout }).apply(ff) as tf.SymbolicTensor;
    x = tf.layers.layerNormalization().apply(tf.layers.add().apply([x, ff])) as tf.SymbolicTensor;
  }
  const pooled = tf.layers.globalAveragePooling1d().apply(x) as tf.SymbolicTensor;
  const output = outputLayer(options).apply(pooled) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: output, name: options.name ?? 'transformer' });
}
