/**
 * Model compression: `quantize` (int8 QDQ ONNX, static or dynamic), `prune` (magnitude), `distill` and `report` (size, accuracy and onnxruntime
 * speed of variants side by side). In the kernel this is `lepton.compress`.
 * @packageDocumentation
 */
export { quantize, type QuantizeOptions } from './quantize.js';
export { QuantizedModel, type QuantizationInfo } from './quantized-model.js';
export { report, CompressionReport, type ReportOptions, type VariantRow } from './report.js';
export type { NotApplicable } from './trees.js';
export type { TfliteRow } from './tflite-variants.js';
export { CompressError, type CompressErrorCode } from './errors.js';
export type { WeightType } from '../onnx/quant-math.js';
export type { ModelSource, OnnxSource } from '../export/model-source.js';
export { prune, PruneResult, type PruneOptions, type PruneFineTune, type LayerSparsity } from './prune.js';
export { distill, softTargets, type DistillOptions, type DistillResult } from './distill.js';
export type { LabelledData } from './keras-model.js';
