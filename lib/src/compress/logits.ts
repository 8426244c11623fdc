/**
 * Logits views of classifiers, for `distill`: a model that shares every layer (and so every weight) of a classifier
 * but outputs the pre-softmax logits. Training the view trains the classifier in place, whose softmax output stays.
 */
import * as tf from '@tensorflow/tfjs';
import { CompressError } from './errors.js';

/**
 * A Dense layer's linear part, `x·kernel + bias`, over the very variables of that layer: its weights are the Dense
 * layer's own (not copies), so gradients taken through this layer update the Dense layer.
 */
class DenseLogits extends tf.layers.Layer {
  /** The tfjs class name (this layer is never serialized: the view only lives for one `distill`). */
  static readonly className = 'LeptonDenseLogits';
  private readonly dense: tf.layers.Layer;
  private readonly kernel: tf.LayerVariable;
  private readonly bias: tf.LayerVariable | undefined;

  constructor(dense: tf.layers.Layer) {
    super({ name: `${dense.name}_logits` });
    this.dense = dense;
    // A built Dense holds [kernel, bias] (bias only with useBias), in that order, trainable or frozen.
    const [kernel, bias] = dense.weights;
    this.kernel = kernel!;
    this.bias = bias;
  }

  // The weights (and regularization losses) are reported as the Dense layer's, so that a model built on this
  // layer trains them, counts them once, and honours `dense.trainable`.
  override get trainableWeights(): tf.LayerVariable[] {
    return this.dense.trainableWeights;
  }

  override get nonTrainableWeights(): tf.LayerVariable[] {
    return this.dense.nonTrainableWeights;
  }

  override get losses(): tf.layers.Layer['losses'] {
    return this.dense.losses;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return this.dense.computeOutputShape(inputShape);
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0]! : inputs;
      const product = tf.matMul(x, this.kernel.read());
      return this.bias ? tf.add(product, this.bias.read()) : product;
    });
  }
}

/** How a classifier's logits were found: `softmax-dense` and `softmax-layer` end in softmax, `linear` outputs logits. */
export type LogitsSource = 'softmax-dense' | 'softmax-layer' | 'linear';

/** A classifier's logits view: the symbolic logits over the classifier's own inputs, and where they come from. */
export interface LogitsView {
  /** The classifier's inputs. */
  inputs: tf.SymbolicTensor[];
  /** The logits `[batch, classes]`, computed by the classifier's layers. */
  logits: tf.SymbolicTensor;
  /** Which kind of output the logits were taken from. */
  source: LogitsSource;
}

/**
 * The logits of a classifier with a single `[batch, classes]` output, before its softmax: the input of a final
 * softmax activation layer, the linear part of a final softmax Dense layer, or the output itself when the last layer
 * is linear. Throws a `CompressError` naming the last layer when none of these applies. `what` names the model.
 */
export function logitsView(model: tf.LayersModel, what: string): LogitsView {
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a guard for callers without type checking (JavaScript, notebook cells); the type says it cannot happen, the runtime may
  if (!model.outputs?.length || !model.inputs?.length) {
    throw new CompressError(
      'LEPTON_COMPRESS_BAD_INPUT',
      `${what} has no inputs or outputs yet: give its first layer an inputShape (or call it on data once) so it is built.`,
    );
  }
  if (model.outputs.length !== 1 || model.outputs[0]!.shape.length !== 2) {
    throw new CompressError(
      'LEPTON_COMPRESS_UNSUPPORTED',
      `${what} must have a single output of shape [batch, classes] (it has ${model.outputs.length} output(s), the first of shape [${model.outputs[0]!.shape.join(', ')}]).`,
    );
  }
  const last = model.layers[model.layers.length - 1]!;
  const className = last.getClassName();
  const config = last.getConfig() as { activation?: unknown; axis?: unknown };
  const activation = typeof config.activation === 'string' ? config.activation : undefined;
  const inputs = model.inputs;
  if (activation === 'linear') return { inputs, logits: model.outputs[0]!, source: 'linear' };
  const lastInput = (): tf.SymbolicTensor => {
    let input: tf.SymbolicTensor | tf.SymbolicTensor[];
    try {
      input = last.input;
    } catch (error) {
      // tfjs refuses `input` for a layer called more than once (shared layers): its logits are ambiguous.
      throw new CompressError(
        'LEPTON_COMPRESS_UNSUPPORTED',
        `${what}: cannot find the logits, its last layer '${last.name}' is used more than once (${(error as Error).message}).`,
        { cause: error },
      );
    }
    if (Array.isArray(input))
      throw new CompressError(
        'LEPTON_COMPRESS_UNSUPPORTED',
        `${what}: cannot find the logits, its last layer '${last.name}' takes ${input.length} inputs.`,
      );
    return input;
  };
  const softmaxLayer =
    (className === 'Activation' && activation === 'softmax') ||
    (className === 'Softmax' && (config.axis === undefined || config.axis === -1 || config.axis === 1));
  if (softmaxLayer) return { inputs, logits: lastInput(), source: 'softmax-layer' };
  if (className === 'Dense' && activation === 'softmax') {
    const logits = new DenseLogits(last).apply(lastInput()) as tf.SymbolicTensor;
    return { inputs, logits, source: 'softmax-dense' };
  }
  throw new CompressError(
    'LEPTON_COMPRESS_UNSUPPORTED',
    `${what}: cannot find logits before the softmax: its last layer '${last.name}' is a ${className}${activation ? ` with activation '${activation}'` : ''}. ` +
      'distill needs a classifier ending in a softmax Dense layer (as lepton.models build), a softmax activation layer, or a linear layer whose outputs are the logits.',
  );
}

/** The model computing `view`'s logits; it shares the classifier's layers, so never dispose it (that would free them). */
export function logitsModel(view: LogitsView, name: string): tf.LayersModel {
  return tf.model({ inputs: view.inputs, outputs: view.logits, name });
}
