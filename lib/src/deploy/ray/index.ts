/**
 * Ray Serve as a deployment target: `lepton.deploy(model, { target: { ray: {...} } })` returns a `RayDeployment`;
 * `startRayCluster` / `stopRayCluster` / `rayClusterStatus` are what `npx lepton ray start | stop | status` run.
 * @packageDocumentation
 */
export { RayDeployment } from './ray-deployment.js';
export { deployToRay, rayDeployments } from './deploy-ray.js';
export {
  startRayCluster,
  stopRayCluster,
  rayClusterStatus,
  localCluster,
  type RayCluster,
  type RayClusterStatus,
  type RunningRayCluster,
  type StoppedRayCluster,
  type RayStartOptions,
} from './cluster.js';
export { hasRayEnvironment, rayEnvironment, type RayEnvironment } from './control.js';
export type { RayAutoscaling, RayReplica, RayStatus, RayTarget } from './types.js';
