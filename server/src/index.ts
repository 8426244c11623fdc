/**
 * `@lepton/server`: the Lepton model server (ONNX models over the Open Inference Protocol v2, with a management
 * API, monitoring and a model registry on disk), and what the library and the CLI need to drive it.
 * @packageDocumentation
 */
export { ServerClient, ServerClientError, type AllMetrics, type DeploymentMetrics, type Stopping } from './client.js';
export {
  ensureServer,
  findServer,
  stopServer,
  readServerFile,
  isAlive,
  isLeptonServer,
  defaultPort,
  DEFAULT_PORT,
  type EnsureOptions,
  type RunningServer,
  type ServerInfo,
} from './process.js';
export { leptonHome, homePaths, type HomePaths } from './home.js';
export { buildApp, type AppOptions } from './app.js';
export {
  Service,
  type DeploymentInfo,
  type Removal,
  type DeploymentSummary,
  type Readiness,
  type ServiceOptions,
} from './service.js';
export { hostCheck, identityProof } from './guard.js';
export { errors, ServerError, type ErrorBody, type ServerErrorCode } from './errors.js';
export { errorCatalogue, type CatalogueEntry } from './catalogue.js';
export type {
  AlertRules,
  BatchingOptions,
  Datatype,
  DeployMeta,
  MissingValues,
  ModelMeta,
  TensorSpec,
} from './meta.js';
export type { RawInputSpec } from './preprocess/raw.js';
export type { ImageFit, ImageSpec } from './preprocess/image.js';
export type { TextSpec } from './preprocess/text-input.js';
export type { TransformJSON } from './preprocess/format.js';
export { DEFAULT_BATCHING } from './meta.js';
export type {
  DeploymentStatus,
  InferRequest,
  InferResponse,
  RequestedOutput,
  ResponseParameters,
} from './deployment.js';
export type { RequestTensor, ResponseTensor } from './tensors.js';
export type { LogEntry, LogHealth } from './logs.js';
export type { MetricsSnapshot, LatencySummary, AlertState, ErrorRecord } from './monitor.js';
