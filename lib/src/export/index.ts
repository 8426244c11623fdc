/**
 * Model export: `onnx` (ONNX, verified in onnxruntime-node) and `tfjs` (TensorFlow.js's own format; read back with
 * `lepton.load`), and `tflite` (TensorFlow Lite, float32/float16/dynamic/int8, judged by TFLite's own interpreter).
 * In the kernel this is `lepton.export`.
 * @packageDocumentation
 */
export { onnx, OnnxExport, type OnnxExportOptions } from './onnx.js';
export { tfjs, type TfjsExport } from './tfjs-format.js';
export { supportedLayers } from './convert/registry.js';
export { decodeModel } from '../onnx/decode.js';
export type {
  ModelProto,
  GraphProto,
  NodeProto,
  TensorProto,
  AttributeProto,
  ValueInfoProto,
  Dimension,
  OperatorSetIdProto,
  DataType,
  AttributeType,
} from '../onnx/format.js';
export { metaPathFor, readMeta, type OnnxModelMeta } from './meta.js';
export type { SpecDType, TensorSpec, TfjsTensorSpec } from '@lepton/server/wire';
export type { Verification } from './verify.js';
export { ExportError, UnsupportedLayerError, UnsupportedConfigError, type ExportErrorCode } from './errors.js';
export {
  modelRepository,
  configText,
  kserveManifest,
  STORAGE_URI_PLACEHOLDER,
  type ModelRepository,
  type ModelRepositoryOptions,
  type RepositorySource,
  type IoSpec,
  type TritonScheduling,
} from './model-repository.js';
export {
  tflite,
  TfliteExport,
  interpretExport,
  type TfliteExportOptions,
  type TfliteQuantization,
  type TfliteTensorSpec,
} from './tflite/tflite.js';
export { tfliteSupportedLayers } from './tflite/convert/registry.js';
export {
  runInterpreter,
  runInterpreterJobs,
  tflitePython,
  type InterpreterRun,
  type InterpreterOutput,
  type InterpreterTensor,
  type InterpreterFeed,
  type InterpreterJob,
} from './tflite/interpreter.js';
export { TfliteError, type TfliteErrorCode } from './tflite/errors.js';
export type { Normalization } from './tflite/metadata.js';
export type { Int8Result } from './tflite/int8.js';
export {
  pipeline,
  PipelineExport,
  pipelineGraph,
  pipelineOnnxBytes,
  PIPELINE_METADATA,
  type PipelineExportOptions,
  type PipelineGraph,
  type PipelineModel,
  type PipelineOptions,
} from './pipeline/pipeline.js';
export type { ColumnInput, ColumnType } from './pipeline/front.js';
export type { GraphValue } from './pipeline/compose.js';
export { columnFeeds, type ColumnFeed } from './pipeline/feeds.js';
