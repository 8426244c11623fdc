/**
 * The traversal every exporter shares: a tfjs LayersModel (Sequential or functional, nested models included) walked
 * from its outputs back to its inputs, each layer call visited once, after the calls it reads. What a visit makes
 * (an ONNX value name, a TFLite tensor index) is the exporter's business; the walk only threads it through.
 */
import type * as tf from '@tensorflow/tfjs';
import { ExportError } from './errors.js';

/** One layer call as the walk meets it: the layer, what its inputs became, and tfjs's symbolic tensors. */
export interface LayerVisit<V> {
  /** The layer (never a nested model: those are walked into). */
  layer: tf.layers.Layer;
  /** What the visits of the call's inputs made, in the call's input order. */
  inputs: V[];
  /** tfjs's symbolic inputs of the call. */
  inputTensors: tf.SymbolicTensor[];
  /** tfjs's symbolic outputs of the call. */
  outputTensors: tf.SymbolicTensor[];
}

/** Whether a layer is itself a model (a Sequential or functional model used as a layer). */
export function isModel(layer: tf.layers.Layer): layer is tf.LayersModel {
  return (
    'inputs' in layer &&
    Array.isArray(layer.inputs) &&
    'outputs' in layer &&
    Array.isArray(layer.outputs) &&
    'layers' in layer
  );
}

/**
 * Visits every layer call `model`'s outputs depend on, with the model's inputs bound to `inputs`; returns what
 * the model's outputs became. `visit` returns one value per output of the call.
 */
export function walkLayers<V>(model: tf.LayersModel, inputs: readonly V[], visit: (call: LayerVisit<V>) => V[]): V[] {
  const values = new Map<number, V>();
  model.inputs.forEach((t, i) => values.set(t.id, inputs[i]!));
  const visiting = new Set<number>();
  const valueOf = (t: tf.SymbolicTensor): V => {
    if (values.has(t.id)) return values.get(t.id)!;
    const layer = t.sourceLayer;
    const node = layer.inboundNodes[t.nodeIndex];
    if (!node || layer.getClassName() === 'InputLayer') {
      throw new ExportError(
        'LEPTON_BAD_MODEL',
        `tensor ${t.name} comes from ${layer.name}, which is not an input of the model being exported.`,
      );
    }
    if (visiting.has(t.id)) throw new ExportError('LEPTON_BAD_MODEL', `the model has a cycle at ${layer.name}`);
    visiting.add(t.id);
    const callInputs = node.inputTensors.map(valueOf);
    const outputs = isModel(layer)
      ? walkLayers(layer, callInputs, visit)
      : visit({ layer, inputs: callInputs, inputTensors: node.inputTensors, outputTensors: node.outputTensors });
    node.outputTensors.forEach((out, k) => values.set(out.id, outputs[k]!));
    return outputs[t.tensorIndex]!;
  };
  return model.outputs.map(valueOf);
}

/** Distinct, readable names for the model's outputs. */
export function outputNames(model: tf.LayersModel): string[] {
  const names = model.outputs.map((t) => {
    const layer = t.sourceLayer.name;
    return t.tensorIndex > 0 ? `${layer}_${t.tensorIndex}` : layer;
  });
  return names.map((n, i) => (names.indexOf(n) === i ? n : `${n}_${i}`));
}

/** A model check both exporters make first: a built LayersModel with inputs. */
export function requireBuiltModel(model: tf.LayersModel): void {
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- plain-JS callers can pass nothing
  if (!model || !Array.isArray(model.inputs) || !Array.isArray(model.outputs) || model.inputs.length === 0) {
    throw new ExportError(
      'LEPTON_BAD_MODEL',
      'expected a built tfjs LayersModel (tf.sequential with an inputShape, or tf.model); got ' +
        // eslint-disable-next-line @typescript-eslint/no-base-to-string -- names whatever a plain-JS caller passed instead
        String(model),
    );
  }
}
