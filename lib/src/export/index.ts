/**
 * Model export: `onnx` (ONNX, verified in onnxruntime-node) and `tfjs` (TensorFlow.js's own format; read back with
 * `lepton.load`). In the kernel this is `lepton.export`.
 * @packageDocumentation
 */
export { onnx, OnnxExport, type OnnxExportOptions } from './onnx.js';
export { tfjs, type TfjsExport } from './tfjs-format.js';
export { supportedLayers } from './convert/registry.js';
export { decodeModel } from './onnx-decode.js';
export type { ModelProto, GraphProto, NodeProto, TensorProto, AttributeProto, ValueInfoProto, Dimension, OperatorSetIdProto, DataType, AttributeType } from './onnx-format.js';
export { metaPathFor, readMeta, type OnnxModelMeta } from './meta.js';
export type { TensorSpec, SpecDType } from './tensor-spec.js';
export type { Verification } from './verify.js';
export { ExportError, UnsupportedLayerError, UnsupportedConfigError, type ExportErrorCode } from './errors.js';
export { modelRepository, configText, type ModelRepository, type ModelRepositoryOptions, type RepositorySource, type IoSpec } from './model-repository.js';
