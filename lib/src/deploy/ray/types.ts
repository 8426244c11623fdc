/** The Ray Serve target's options and what Ray reports about a deployment. */
import type { TensorSpec } from '@lepton/server';

/** Autoscaling of a Ray deployment: Serve adds replicas while requests queue, between `min` and `max`. */
export interface RayAutoscaling {
  /** Fewest replicas (≥ 0). */
  min: number;
  /** Most replicas. */
  max: number;
  /** Requests in flight per replica that Serve aims for (default 2). */
  targetOngoingRequests?: number;
}

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

/** One replica as it reported itself when it started. */
export interface RayReplica {
  /** Serve's replica id. */
  id: string;
  /** Its process id on its node. */
  pid: number;
  /** Its node's host name. */
  node: string;
  /** When it started (seconds since the epoch). */
  startedAt: number;
}

/** The status of a Ray deployment, as `RayDeployment.status()` reports it. */
export interface RayStatus {
  /** The deployment's name (its Serve application's). */
  name: string;
  /** The version serving ("1", "2", … one per deploy of the name). */
  version: string;
  /** Serve's application status: `RUNNING`, `DEPLOYING`, `DEPLOY_FAILED`, `UNHEALTHY`, `DELETING`, or `stopped`. */
  status: string;
  /** Serve's message for a status other than `RUNNING`. */
  message: string;
  /** Replicas by state, e.g. `{ RUNNING: 2 }` (`STARTING`, `UPDATING`, `RECOVERING`, `STOPPING` while it changes). */
  replicaStates: Record<string, number>;
  /** Every replica that started, oldest first (a restarted replica is a new entry). */
  replicas: RayReplica[];
  /** The model's input and output tensors. */
  inputs: TensorSpec[];
  /** The model's output tensors. */
  outputs: TensorSpec[];
  /** Serve's HTTP port. */
  httpPort: number | null;
  /** The deployment's replicas, autoscaling and batching. */
  config: {
    /** A fixed replica count (absent with autoscaling). */
    replicas?: number;
    /** Serve's autoscaling bounds and target, when it scales itself. */
    autoscaling?: RayAutoscaling | null;
    /** The batching options `@serve.batch` runs with (`maxBatch`, `maxDelayMs`, `maxQueue`). */
    batching?: Record<string, number>;
    /** The version these settings belong to. */
    version: string;
  };
}
