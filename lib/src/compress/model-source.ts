/**
 * What compression tools accept as a model: a tfjs LayersModel (exported to fp32 ONNX first), an `OnnxExport`, a
 * `QuantizedModel`, or `.onnx` bytes; all become ONNX bytes plus their input and output specs.
 */
import type * as tf from '@tensorflow/tfjs';
import { onnx, OnnxExport } from '../export/onnx.js';
import type { GraphProto, ValueInfoProto } from '../export/onnx-format.js';
import type { TensorSpec } from '../export/tensor-spec.js';
import { CompressError } from './errors.js';

/** Anything holding ONNX bytes (a `QuantizedModel`). */
export interface OnnxBytesHolder {
  /** The model file's bytes. */
  readonly bytes: Uint8Array;
}

/** A model compression tools accept. */
export type ModelSource = tf.LayersModel | OnnxExport | OnnxBytesHolder | Uint8Array;

function isLayersModel(m: unknown): m is tf.LayersModel {
  return typeof m === 'object' && m !== null && typeof (m as tf.LayersModel).predict === 'function' && Array.isArray((m as tf.LayersModel).layers);
}

/** The ONNX bytes of `model` (tfjs models are exported to fp32 ONNX, unverified: the exporter's own tests cover it). */
export async function onnxBytesOf(model: ModelSource): Promise<Uint8Array> {
  if (model instanceof Uint8Array) return model;
  if (model instanceof OnnxExport) return model.data;
  if (isLayersModel(model)) return (await onnx(model, undefined, { verify: false })).data;
  if (typeof model === 'object' && model !== null && (model as OnnxBytesHolder).bytes instanceof Uint8Array) return (model as OnnxBytesHolder).bytes;
  throw new CompressError('LEPTON_COMPRESS_BAD_INPUT', 'Expected a tfjs LayersModel, the result of lepton.export.onnx, a compressed model, or .onnx bytes.');
}

function specOf(v: ValueInfoProto): TensorSpec {
  return {
    name: v.name,
    shape: v.shape.map((d) => ('dimValue' in d ? d.dimValue : null)),
    dtype: v.elemType === 6 ? 'int32' : 'float32',
  };
}

/** The input and output specs a graph declares. */
export function specsOf(graph: GraphProto): { inputs: TensorSpec[]; outputs: TensorSpec[] } {
  return { inputs: graph.input.map(specOf), outputs: graph.output.map(specOf) };
}
