/**
 * The local Ray cluster of a Lepton home (`npx lepton ray start | stop | status`): a single node on loopback, on
 * free ports, without a dashboard, recorded in `<home>/ray/cluster.json`, where `lepton.deploy(model, { target: {
 * ray: {} } })` finds it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadServer } from '../server.js';
import { rayControl } from './control.js';
import type { RayStatus } from './types.js';

/** A running local cluster, as recorded. */
export interface RayCluster {
  /** The GCS address drivers connect to, e.g. `127.0.0.1:41234`. */
  address: string;
  /** Serve's HTTP port on 127.0.0.1 (the OIP routes). */
  httpPort: number;
  /** The `ray start` process (its process group is the cluster). */
  pid: number;
  /** CPUs the node offers to replicas. */
  numCpus: number;
  /** The cluster's log file. */
  log: string;
  /** Whether this call started it (false: it was running). */
  started?: boolean;
}

/** Options of `startRayCluster`. */
export interface RayStartOptions {
  /** The Lepton home (default: `LEPTON_HOME`, else `~/.lepton`). */
  home?: string;
  /** The GCS port (default: a free one; never Ray's 6379, which another cluster may hold). */
  port?: number;
  /** Serve's HTTP port (default: a free one). */
  httpPort?: number;
  /** CPUs offered to replicas (default 2; each replica takes half a CPU). */
  numCpus?: number;
}

/**
 * Starts the local Ray cluster of the Lepton home with Serve on loopback, or finds the running one.
 * @example const cluster = await startRayCluster({ numCpus: 2 });
 */
export async function startRayCluster(options: RayStartOptions = {}): Promise<RayCluster> {
  const { leptonHome, errorCatalogue } = await loadServer();
  return rayControl<RayCluster>(
    'cluster-start',
    {
      home: leptonHome(options.home),
      port: options.port ?? null,
      httpPort: options.httpPort ?? null,
      numCpus: options.numCpus ?? 2,
      catalogue: errorCatalogue(),
      leptonVersion: (await import('../../version.js')).version,
    },
    600_000,
  ); // Ray's own start may be tried three times on a loaded machine
}

/** Stops the local Ray cluster of the Lepton home; false when none ran. */
export async function stopRayCluster(options: { home?: string } = {}): Promise<boolean> {
  const { leptonHome } = await loadServer();
  return (await rayControl<{ stopped: boolean }>('cluster-stop', { home: leptonHome(options.home) })).stopped;
}

/** The local cluster's record and its Lepton deployments, or `{ running: false }`. */
export async function rayClusterStatus(options: { home?: string } = {}): Promise<RayClusterStatus> {
  const { leptonHome } = await loadServer();
  return rayControl('cluster-status', { home: leptonHome(options.home) });
}

/** What `rayClusterStatus` answers: the running cluster with its deployments, or that none runs. */
export type RayClusterStatus = RunningRayCluster | StoppedRayCluster;

/** No local cluster runs for the home. */
export interface StoppedRayCluster {
  /** The cluster does not run. */
  running: false;
}

/** A running local cluster and its deployments. */
export interface RunningRayCluster extends RayCluster {
  /** The cluster runs. */
  running: true;
  /** Every deployment on it, with its replicas. */
  deployments: RayStatus[];
}

/** The recorded local cluster of `home` if its process runs (read from disk, without starting Python). */
export function localCluster(home: string): Pick<RayCluster, 'address' | 'pid'> | undefined {
  let record: Pick<RayCluster, 'address' | 'pid'>;
  try {
    record = JSON.parse(readFileSync(join(home, 'ray', 'cluster.json'), 'utf8')) as Pick<RayCluster, 'address' | 'pid'>;
  } catch {
    return undefined;
  }
  try {
    process.kill(record.pid, 0);
    return record;
  } catch {
    return undefined;
  }
}
