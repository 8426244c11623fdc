/**
 * What Lepton's tools accept as "a model" wherever they need its ONNX file (`lepton.deploy`, `compress.quantize`,
 * `compress.report`, `export.pipeline`), resolved in one place and one order:
 *
 * 1. a `Uint8Array`: the `.onnx` file's bytes, as they are;
 * 2. an object holding them in a `Uint8Array` field `data` (`OnnxExport`, `QuantizedModel`, `PipelineExport`, a
 *    pipeline graph): those bytes;
 * 3. what `lepton.export.onnx` exports (a tfjs LayersModel, a fitted `lepton.models.gradientBoosting`): exported
 *    to fp32 ONNX, checked against the model in onnxruntime unless the caller turns verification off.
 *
 * Anything else resolves to `undefined`, and the caller throws its own error naming what it takes.
 */
import type * as tf from '@tensorflow/tfjs';
import { GradientBoosting } from '../models/gradient-boosting/model.js';
import { onnx } from './onnx.js';

/** ONNX model bytes, or anything holding them in `data` (what `lepton.export.onnx` and `lepton.compress.quantize` return). */
export type OnnxSource =
  | Uint8Array
  | {
      /** The `.onnx` file's bytes. */
      readonly data: Uint8Array;
    };

/** A model whose ONNX file a tool can get: a tfjs model, a fitted `lepton.models.gradientBoosting`, or ONNX bytes. */
export type ModelSource = tf.LayersModel | GradientBoosting | OnnxSource;

/** How `resolveOnnx` exports models that are not ONNX yet. */
export interface ResolveOptions {
  /**
   * Check the export against the model in onnxruntime (default true). Compression turns it off: it measures the
   * result itself, and the exporter's own tests cover the conversion.
   */
  verify?: boolean;
}

// Duck-typed rather than `instanceof`: a model built by another copy of tfjs (a notebook's own import) still counts.
function isLayersModel(m: unknown): m is tf.LayersModel {
  return (
    typeof m === 'object' &&
    m !== null &&
    typeof (m as tf.LayersModel).predict === 'function' &&
    Array.isArray((m as tf.LayersModel).layers)
  );
}

/**
 * The ONNX file's bytes of `model`, in the order this module documents; `undefined` for anything else. Export
 * errors (`ExportError`) propagate.
 */
export async function resolveOnnx(model: unknown, opts: ResolveOptions = {}): Promise<Uint8Array | undefined> {
  if (model instanceof Uint8Array) return model;
  if (typeof model !== 'object' || model === null) return undefined;
  if ('data' in model && model.data instanceof Uint8Array) return model.data;
  if (isLayersModel(model) || model instanceof GradientBoosting) {
    return (await onnx(model, undefined, opts.verify === false ? { verify: false } : {})).data;
  }
  return undefined;
}
