/**
 * Converts a tfjs LayersModel into a float32 `TfliteGraph` with the exporters' shared traversal (`layer-walk.ts`)
 * and the TFLite converter table.
 */
import type * as tf from '@tensorflow/tfjs';
import { ExportError, UnsupportedLayerError } from '../errors.js';
import { outputNames, requireBuiltModel, walkLayers } from '../layer-walk.js';
import { weightsOf } from '../convert/context.js';
import type { Shape } from '../convert/context.js';
import type { TfjsTensorSpec } from '@lepton/server/wire';
import { tfliteConverters, tfliteSupportedLayers } from './convert/registry.js';
import type { TfliteCall } from './convert/context.js';
import { TfliteGraph, type TfliteDType } from './graph.js';

/** A converted model: the float graph and the specs of its inputs and outputs (tfjs's names, order and shapes). */
export interface TfliteConverted {
  /** The float32 graph. */
  graph: TfliteGraph;
  /** The model's inputs. */
  inputs: TfjsTensorSpec[];
  /** The model's outputs. */
  outputs: TfjsTensorSpec[];
}

function dtypeOf(dtype: string, what: string): TfliteDType & ('float32' | 'int32') {
  if (dtype === 'float32' || dtype === 'int32') return dtype;
  throw new ExportError(
    'LEPTON_BAD_MODEL',
    `${what} has dtype ${dtype}; TFLite export supports float32 and int32 inputs and outputs.`,
  );
}

/** Converts `model` to a float32 TFLite graph. Unsupported layers throw `UnsupportedLayerError` naming the supported ones. */
export function convertToTflite(model: tf.LayersModel): TfliteConverted {
  requireBuiltModel(model);
  const g = new TfliteGraph(model.name);
  const inputs: TfjsTensorSpec[] = model.inputs.map((t) => {
    const dtype = dtypeOf(t.dtype, `input ${t.sourceLayer.name}`);
    g.addInput(t.sourceLayer.name, t.shape, dtype);
    return { name: t.sourceLayer.name, shape: [...t.shape], dtype };
  });
  const values = walkLayers(model, g.inputs, ({ layer, inputs: tensors, inputTensors, outputTensors }) => {
    const className = layer.getClassName();
    const convert = tfliteConverters[className];
    if (!convert) throw new UnsupportedLayerError(className, layer.name, tfliteSupportedLayers, 'TFLite');
    const call: TfliteCall = {
      layer,
      className,
      config: layer.getConfig(),
      inputs: tensors.map((i) => g.tensor(i).name),
      tensors,
      inputShapes: inputTensors.map((t) => t.shape as Shape),
      outputShapes: outputTensors.map((t) => t.shape as Shape),
      weights: weightsOf(layer),
    };
    const outputs = convert(call, g);
    if (outputs.length !== outputTensors.length) {
      throw new ExportError(
        'LEPTON_BAD_MODEL',
        `TFLite converter for ${className} made ${outputs.length} outputs, the layer has ${outputTensors.length}`,
      );
    }
    return outputs;
  });
  const names = outputNames(model);
  const outputs: TfjsTensorSpec[] = model.outputs.map((t, i) => {
    const dtype = dtypeOf(t.dtype, `output ${names[i]}`);
    const index = values[i]!;
    const tensor = g.tensor(index);
    // Outputs carry the model's output names, as users and TFLite's signature runner see them.
    if (!g.inputs.includes(index) && !g.outputs.includes(index)) tensor.name = g.uniqueName(names[i]!);
    g.addOutput(index);
    return { name: tensor.name, shape: [...t.shape], dtype };
  });
  return { graph: g, inputs, outputs };
}
