/**
 * Deployment from the notebook: `lepton.deploy(model, opts)` serves a model on the Lepton server and returns a
 * `Deployment`; `lepton.deployments()` lists them, also after a kernel restart.
 * @packageDocumentation
 */
// Loaded for its effect: it answers the model card's buttons (Deploy, Download .tflite) once a card is shown.
import './model-comm.js';
export { deploy, deployments, type DeployImage, type DeployOptions } from './deploy.js';
export { Deployment, type LogsOptions, type Records, type RedeployOptions } from './deployment.js';
export type { ImagePrediction, PredictImagesOptions } from './deployment.js';
export { DeploymentLogs } from './logs.js';
export { DeployError, type DeployErrorCode } from './errors.js';
export { DEPLOYMENT_MIME, type DeploymentCardData } from './card.js';
export type { ServerOptions } from './server.js';
export type { Deployable, OnnxSource } from './model-source.js';
export type { FlatTensor, PredictInput, PredictInputs } from './tensors.js';
export type { ClassPrediction } from './predictions.js';
export {
  RayDeployment,
  startRayCluster,
  stopRayCluster,
  rayClusterStatus,
  hasRayEnvironment,
  rayEnvironment,
} from './ray/index.js';
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
} from './ray/index.js';
