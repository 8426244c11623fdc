/**
 * Lepton: dataframes, charts, training, compression and deployment for TypeScript notebooks.
 * In the Lepton kernel this namespace is preloaded as `lepton`.
 * @packageDocumentation
 */
// Before any tensor is made: integer tensors cast to float on cpu must survive the move to the wasm backend.
import './backend/cpu-cast.js';
export * as comm from './comm/index.js';
export { display, displaySymbol, type Display, type Displayable, type MimeBundle } from './display/index.js';
export type { DisplayOptions } from './display/index.js';
export { signal, input } from './runtime.js';
export { version } from './version.js';
export { backend, type BackendName, type BackendReport } from './backend/select.js';
export type { BackendAvailability } from './backend/select.js';
export { BackendError, type BackendErrorCode } from './backend/errors.js';
export { fit, lastHistory, historyOf, type FitOptions, type FitCallbacks } from './train/fit.js';
export type { AugmentContext, CheckpointOptions, EarlyStoppingOptions } from './train/fit.js';
export * as callbacks from './train/callbacks/index.js';
export { TrainError, type TrainErrorCode } from './train/errors.js';
export type { FitData, TensorData, TensorSource, BatchDataset } from './train/data.js';
export type { LossOrMetric } from './train/validate.js';
export type { LiveViewOptions } from './train/live-view.js';
export { History } from './train/history.js';
export type {
  TrainingBundle,
  TrainingStatus,
  TrainingProgress,
  BatchPoint,
  EpochPoint,
} from './train/training-bundle.js';
export { summary, type ModelSummary } from './train/summary.js';
export type { ModelSummaryJson, LayerSummary } from './train/summary.js';
export * as read from './read.js';
export * as datasets from './datasets/datasets.js';
export * as plot from './plot/index.js';
export * as preprocess from './preprocess/index.js';
export { DataFrame } from './data/frame.js';
export type { FrameInput, Row, SampleOptions } from './data/frame.js';
export type { ColumnKind } from './data/columns.js';
export type { AggregateSpec, Reduction } from './data/aggregate.js';
export type { Random } from './core/random.js';
export type { FrameColumns, ValueCountsOptions } from './data/stats.js';
export type { ToTensorOptions } from './data/tensor.js';
export { displayLimits } from './data/format.js';
export type { DisplayLimits } from './data/format.js';
export { LeptonError } from './core/errors.js';
export { OnnxError, type OnnxErrorCode } from './onnx/errors.js';
export { DataError, ColumnNotFoundError, TypeMismatchError, ParseError, EmptyDataError } from './data/errors.js';
export type { DataErrorCode } from './data/errors.js';
export { trainTestSplit } from './preprocess/split.js';
export * as metrics from './metrics/index.js';
export { evaluate, type EvaluateOptions } from './evaluate/evaluate.js';
export type { EvaluationReport } from './evaluate/report.js';
export type { ClassificationMetrics, RegressionMetrics } from './evaluate/report.js';
export type { BaselineMetrics } from './evaluate/report.js';
export type { Spec } from './evaluate/charts.js';
export * as models from './models/index.js';
export * as export from './export/index.js';
export * as compress from './compress/index.js';
export { load } from './export/tfjs-format.js';
export {
  deploy,
  deployments,
  Deployment,
  DeploymentLogs,
  DeployError,
  DEPLOYMENT_MIME,
  type DeployOptions,
  type DeployErrorCode,
  type DeploymentCardData,
  type LogsOptions,
  type RedeployOptions,
  type Deployable,
  type PredictInputs,
} from './deploy/index.js';
export type { OnnxSource, PredictInput, FlatTensor, ServerOptions, Records } from './deploy/index.js';
export { check, type DataQualityReport } from './check/index.js';
export type { CheckOptions, DataQualityData, Finding, ColumnReport, Severity } from './check/index.js';
export * as explain from './explain/index.js';
export {
  tune,
  Study,
  Trial,
  TuneError,
  SpaceError,
  type TuneOptions,
  type Space,
  type ParamsOf,
  type BestTrial,
  type TrialRecord,
} from './tune/index.js';
export type {
  Build,
  BuildResult,
  ParamSpec,
  IntParam,
  FloatParam,
  ChoiceParam,
  ChoiceValue,
  RangeOptions,
  ParamValues,
  TpeOptions,
  HyperbandOptions,
  TuneViewOptions,
  StudySettings,
  StudyFileV1,
  BestModelRef,
  TrialStatus,
  StrategyName,
  StrategySpec,
} from './tune/index.js';
export {
  DisplayError,
  type DisplayErrorCode,
  type HelperOptions,
  type TextHelper,
  type ImageOptions,
  type ImageSource,
  type TensorLike,
} from './display/index.js';
export {
  crossValidate,
  kFold,
  timeSeriesSplit,
  timeSplit,
  CrossValidation,
  ValidateError,
  isEstimator,
} from './validate/index.js';
export type {
  CrossValidateData,
  CrossValidateOptions,
  FoldBuild,
  FoldContext,
  CrossValidationStatus,
  FoldScore,
  MetricSummary,
  ValidateErrorCode,
  Estimator,
  Fold,
  Splitter,
  KFoldOptions,
  TimeSeriesSplitOptions,
  TimeSplit,
  TimeSplitOptions,
  MetricContext,
  MetricFunction,
  MetricName,
} from './validate/index.js';
export * as baselines from './baselines/index.js';
export type {
  ResampleAgg,
  ResampleOptions,
  RollingOp,
  DerivedColumnOptions,
  GapsOptions,
  NewColumn,
} from './data/time.js';
export type { TuneCvOptions } from './tune/index.js';
export { StudyFileError, type TuneErrorCode } from './tune/errors.js';
export {
  ImageDataset,
  ImageError,
  type ImageErrorCode,
  type ReadImagesOptions,
  type BatchOptions,
  type ImageTensors,
  type SkippedFile,
} from './images/index.js';
export type { ImagePrediction, PredictImagesOptions } from './deploy/index.js';
export type { ClassPrediction } from './deploy/index.js';
export type { Mistake } from './images/mistakes.js';
export type { FitSource, TrainedOn } from './images/dataset.js';
export type { DeployImage } from './deploy/index.js';
export {
  RayDeployment,
  startRayCluster,
  stopRayCluster,
  rayClusterStatus,
  hasRayEnvironment,
  rayEnvironment,
} from './deploy/index.js';
export type {
  RayAutoscaling,
  RayCluster,
  RayClusterStatus,
  RunningRayCluster,
  StoppedRayCluster,
  RayEnvironment,
  RayReplica,
  RayStartOptions,
  RayStatus,
  RayTarget,
} from './deploy/index.js';
export {
  automl,
  AutomlResult,
  AutomlPipeline,
  Leaderboard,
  AutomlError,
  type AutomlOptions,
  type AutomlBudget,
  type AutomlTask,
  type AutomlMetric,
  type AutomlErrorCode,
} from './automl/index.js';
export type {
  LeaderboardEntry,
  LeaderboardJSON,
  SearchState,
  ExplainOptions,
  ExcludedColumn,
  Family,
  FamilyContext,
  FamilyModel,
} from './automl/index.js';
export type { DeployBundle, DeployBundleSource } from './deploy/model-source.js';
