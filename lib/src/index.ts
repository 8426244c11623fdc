/**
 * Lepton: dataframes, charts, training, compression and deployment for TypeScript notebooks.
 * In the Lepton kernel this namespace is preloaded as `lepton`.
 * @packageDocumentation
 */
export * as comm from './comm/index.js';
export { display, displaySymbol, type Display, type Displayable, type MimeBundle } from './display/index.js';
export { signal, input } from './runtime.js';
export { version } from './version.js';
export { backend, type BackendName, type BackendReport } from './backend/select.js';
export { fit, lastHistory, historyOf, type FitOptions, type FitCallbacks } from './train/fit.js';
export { History } from './train/history.js';
export { summary, type ModelSummary } from './train/summary.js';
export * as read from './data/read.js';
export * as datasets from './data/datasets.js';
export * as plot from './plot/index.js';
export * as preprocess from './preprocess/index.js';
export { DataFrame } from './data/frame.js';
export { displayLimits } from './data/format.js';
export { DataError, ColumnNotFoundError, TypeMismatchError, ParseError, EmptyDataError } from './data/errors.js';
export { trainTestSplit } from './preprocess/split.js';
export * as metrics from './metrics/index.js';
export { evaluate, type EvaluateOptions } from './evaluate/evaluate.js';
export type { EvaluationReport } from './evaluate/report.js';
export * as models from './models/index.js';
export * as export from './export/index.js';
export * as compress from './compress/index.js';
export { load } from './export/tfjs-format.js';
export { deploy, deployments, Deployment, DeploymentLogs, DeployError, DEPLOYMENT_MIME, type DeployOptions, type DeployErrorCode, type DeploymentCardData, type LogsOptions, type RedeployOptions, type Deployable, type PredictInputs } from './deploy/index.js';
export { check, type DataQualityReport } from './check/index.js';
export * as explain from './explain/index.js';
export { tune, Study, Trial, TuneError, SpaceError, type TuneOptions, type Space, type ParamsOf, type BestTrial, type TrialRecord } from './tune/index.js';
