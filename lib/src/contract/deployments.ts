/**
 * What the library and the JupyterLab panel read about deployments beyond the Lepton server's own API types: Ray
 * Serve deployments (as the `lepton_ray` control command reports them, for `lepton.deployments()` and the panel's
 * rows) and the raw columns of a whole-pipeline graph. Types and one pure mapping: both sides can import it.
 */
import type { TensorSpec } from '@lepton/server';

/** The element type of a whole-pipeline graph's raw column input. */
export type ColumnType = 'float' | 'string' | 'double';

/** One raw column a whole-pipeline graph takes (`lepton.export.pipeline`), as a `[batch, 1]` input. */
export interface ColumnInput {
  /** The input's name: the column's name, as records and DataFrames name it. */
  name: string;
  /**
   * `float` for numbers (NaN: missing), `string` for categories (`""`: missing), `double` for dates (epoch
   * milliseconds; float32 cannot hold them to the millisecond).
   */
  type: ColumnType;
}

/** Autoscaling of a Ray deployment: Serve adds replicas while requests queue, between `min` and `max`. */
export interface RayAutoscaling {
  /** Fewest replicas (≥ 0). */
  min: number;
  /** Most replicas. */
  max: number;
  /** Requests in flight per replica that Serve aims for (default 2). */
  targetOngoingRequests?: number;
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
  /**
   * The raw columns of a whole-pipeline graph (deployed with `transforms`), one `[batch, 1]` input each, as the
   * graph's `lepton.pipeline` metadata declares them; absent for a model that takes tensors.
   */
  columns?: ColumnInput[];
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

/**
 * The Ray deployments of the Lepton home's local cluster, as the Jupyter server extension answers
 * `GET /lepton/ray/deployments` for the deployments panel (the same `list` that `lepton.deployments()` runs).
 */
export interface RayDeploymentsAnswer {
  /** Whether the home has a running local Ray cluster (`npx lepton ray start`). */
  running: boolean;
  /** Serve's HTTP proxy, e.g. `http://127.0.0.1:41235` (null without a cluster or before Serve started). */
  httpUrl: string | null;
  /** Every Lepton deployment on the cluster, with its status. */
  deployments: RayStatus[];
  /** Why the cluster could not be asked (no Ray environment, the control command failed); absent when it answered. */
  error?: string;
}

/** Serve's application status in the Lepton server's words (`ready`, `loading`, `stopped`), for cards and the panel. */
const RAY_STATES: Readonly<Record<string, string>> = {
  RUNNING: 'ready',
  DEPLOYING: 'loading',
  NOT_STARTED: 'loading',
  stopped: 'stopped',
};

/**
 * A Ray deployment's state as the Lepton server words a local one's: `ready`, `loading`, `stopped`, else `failed`.
 * @param status Serve's application status (`RayStatus.status`)
 */
export function rayState(status: string): string {
  return RAY_STATES[status] ?? 'failed';
}
