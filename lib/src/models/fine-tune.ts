import * as tf from '@tensorflow/tfjs';
import { glorotKernel, outputLayer, seeder, type Head } from './head.js';
import { ModelError } from './errors.js';

/** Options of `lepton.models.fineTune`. */
export interface FineTuneOptions extends Head {
  /**
   * Which layers of the body stop training: `'body'` (all, default), `'none'`, the first `n` layers, or layer
   * names. The new head always trains; unfreeze later with `layer.trainable = true` and fit again (with a small
   * learning rate) to fine-tune the rest.
   */
  freeze?: 'body' | 'none' | number | string[];
  /** Seed of the new head's initial weights. */
  seed?: number;
}

/**
 * A model for a new task from one you have: keeps its body (every layer up to the output layer, with its trained
 * weights, shared), freezes the layers `freeze` names, and puts a new output head on top (`classes`, or
 * regression `outputs`). Compile it anew (`lepton.fit` with `loss`) before training.
 * @example const tuned = lepton.models.fineTune(model, { classes: 3, freeze: 'body' })
 */
export function fineTune(model: tf.LayersModel, options: FineTuneOptions): tf.LayersModel {
  if (!(model instanceof tf.LayersModel))
    throw new ModelError(
      'LEPTON_MODEL_CANNOT_FINE_TUNE',
      'fineTune takes a tf.LayersModel (a tf.sequential, tf.model or lepton.models model).',
    );
  const head = model.layers.at(-1);
  if (!head || model.layers.length < 2)
    throw new ModelError(
      'LEPTON_MODEL_CANNOT_FINE_TUNE',
      `fineTune needs a model with a body and an output layer; "${model.name}" has ${model.layers.length} layer(s).`,
    );
  const bodyOut = head.input;
  if (Array.isArray(bodyOut))
    throw new ModelError(
      'LEPTON_MODEL_CANNOT_FINE_TUNE',
      `The output layer "${head.name}" takes several inputs: fineTune replaces a head with one input.`,
    );
  const body = model.layers.slice(0, -1);
  const freeze = options.freeze ?? 'body';
  const frozen = new Set<tf.layers.Layer>(
    freeze === 'body'
      ? body
      : freeze === 'none'
        ? []
        : typeof freeze === 'number'
          ? body.slice(0, freeze)
          : freeze.map((name) => {
              const layer = body.find((l) => l.name === name);
              if (!layer)
                throw new ModelError(
                  'LEPTON_MODEL_BAD_OPTION',
                  `freeze names "${name}", which is not a layer of the body (layers: ${body.map((l) => l.name).join(', ')}).`,
                );
              return layer;
            }),
  );
  for (const layer of body) layer.trainable = !frozen.has(layer);
  // The head sees the body's features flattened, whatever their rank (a conv body may end on a feature map).
  const features =
    bodyOut.shape.length > 2
      ? (tf.layers.flatten({ name: 'finetune_flatten' }).apply(bodyOut) as tf.SymbolicTensor)
      : bodyOut;
  const output = outputLayer({ ...options, name: undefined }, glorotKernel(seeder(options.seed))).apply(
    features,
  ) as tf.SymbolicTensor;
  return tf.model({ inputs: model.inputs, outputs: output, name: options.name ?? `${model.name}_finetuned` });
}
