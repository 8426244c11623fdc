/** The Ray Serve target's options; what Ray reports about a deployment is declared in the contract. */
export type { RayAutoscaling, RayReplica, RayStatus } from '../../contract/deployments.js';
import type { RayAutoscaling } from '../../contract/deployments.js';

/** Where and how a model is served on Ray Serve (`lepton.deploy(model, { target: { ray: {...} } })`). */
export interface RayTarget {
  /** The cluster's GCS address (`host:port`); default: the local cluster of `npx lepton ray start`. */
  address?: string;
  /** A fixed number of replicas (default 1). Give this or `autoscaling`. */
  replicas?: number;
  /** Autoscaling instead of a fixed count. */
  autoscaling?: RayAutoscaling;
  /** Serve's HTTP port when this deploy starts Serve on the cluster (default: a free one; ignored when Serve runs). */
  httpPort?: number;
  /** The host the notebook reaches Serve's HTTP proxy at (default: the address's host). */
  httpHost?: string;
}
