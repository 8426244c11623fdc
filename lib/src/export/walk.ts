/**
 * Walks a tfjs LayersModel (Sequential or functional, nested models included) from its outputs back to its
 * inputs and converts each layer call with the converter table, onto an `OnnxGraph`.
 */
import type * as tf from '@tensorflow/tfjs';
import { OnnxGraph } from '../onnx/graph.js';
import { DataType } from '../onnx/format.js';
import { converters, supportedLayers } from './convert/registry.js';
import { weightsOf, type LayerCall, type Shape } from './convert/context.js';
import { outputNames, requireBuiltModel, walkLayers } from './layer-walk.js';
import { ExportError, UnsupportedLayerError } from './errors.js';
import type { SpecDType, TfjsTensorSpec } from '@lepton/server/wire';

type SymbolicTensor = tf.SymbolicTensor;

/** What converting a model gives: the graph and the specs of its inputs and outputs. */
export interface ConvertedModel {
  /** The ONNX graph. */
  graph: OnnxGraph;
  /** The graph inputs, in the model's input order. */
  inputs: TfjsTensorSpec[];
  /** The graph outputs, in the model's output order. */
  outputs: TfjsTensorSpec[];
}

const elemTypes: Record<string, { type: DataType; dtype: SpecDType }> = {
  float32: { type: DataType.FLOAT, dtype: 'float32' },
  int32: { type: DataType.INT32, dtype: 'int32' },
};

function elemType(dtype: string, what: string): { type: DataType; dtype: SpecDType } {
  const e = elemTypes[dtype];
  if (!e)
    throw new ExportError(
      'LEPTON_BAD_MODEL',
      `${what} has dtype ${dtype}; ONNX export supports float32 and int32 inputs and outputs.`,
    );
  return e;
}

class Walker {
  readonly graph: OnnxGraph;
  readonly indexRanges = new Map<string, number>();
  private readonly graphInputs = new Set<string>();

  constructor(name: string) {
    this.graph = new OnnxGraph(name);
  }

  /** Converts `model` with its inputs bound to `inputNames`; returns the value names of its outputs. */
  run(model: tf.LayersModel, inputNames: string[]): string[] {
    return walkLayers(model, inputNames, ({ layer, inputs, inputTensors, outputTensors }) =>
      this.call(layer, inputs, inputTensors, outputTensors),
    );
  }

  /** Marks `names` as the graph's inputs (for index-range bookkeeping). */
  setGraphInputs(names: string[]): void {
    for (const n of names) this.graphInputs.add(n);
  }

  private call(
    layer: tf.layers.Layer,
    inputs: string[],
    inputTensors: SymbolicTensor[],
    outputTensors: SymbolicTensor[],
  ): string[] {
    const className = layer.getClassName();
    const convert = converters[className];
    if (!convert) throw new UnsupportedLayerError(className, layer.name, supportedLayers);
    const call: LayerCall = {
      layer,
      className,
      config: layer.getConfig(),
      inputs,
      inputShapes: inputTensors.map((t) => t.shape as Shape),
      outputShapes: outputTensors.map((t) => t.shape as Shape),
      weights: weightsOf(layer),
    };
    if (className === 'Embedding' && this.graphInputs.has(inputs[0]!))
      this.indexRanges.set(inputs[0]!, call.config['inputDim'] as number);
    const outputs = convert(call, this.graph);
    if (outputs.length !== outputTensors.length) {
      throw new ExportError(
        'LEPTON_BAD_MODEL',
        `converter for ${className} made ${outputs.length} outputs, the layer has ${outputTensors.length}`,
      );
    }
    outputs.forEach((name, k) => {
      const t = outputTensors[k]!;
      if (name !== inputs[0] && t.dtype in elemTypes) this.graph.addValueInfo(name, elemTypes[t.dtype]!.type, t.shape);
    });
    return outputs;
  }
}

/** Converts a tfjs LayersModel to an ONNX graph whose inputs and outputs keep tfjs's names' order and shapes. */
export function convertModel(model: tf.LayersModel): ConvertedModel {
  requireBuiltModel(model);
  const walker = new Walker(model.name);
  const g = walker.graph;
  const inputs: TfjsTensorSpec[] = model.inputs.map((t) => {
    const { type, dtype } = elemType(t.dtype, `input ${t.sourceLayer.name}`);
    const name = g.addInput(t.sourceLayer.name, type, t.shape);
    return { name, shape: [...t.shape], dtype };
  });
  walker.setGraphInputs(inputs.map((i) => i.name));
  const values = walker.run(
    model,
    inputs.map((i) => i.name),
  );
  const names = outputNames(model);
  const outputs: TfjsTensorSpec[] = model.outputs.map((t, i) => {
    const { type, dtype } = elemType(t.dtype, `output ${names[i]}`);
    const name = g.alias(values[i]!, g.has(names[i]!) ? `${names[i]}_output` : names[i]!);
    g.addOutput(name, type, t.shape);
    return { name, shape: [...t.shape], dtype };
  });
  for (const input of inputs) {
    const range = walker.indexRanges.get(input.name);
    if (range !== undefined) input.indexRange = range;
  }
  return { graph: g, inputs, outputs };
}
