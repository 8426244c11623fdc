/**
 * `lepton.deploy(model, { target: { ray } })`: the model's ONNX graph as a Ray Serve application (the repository's
 * `lepton_ray`), and the Ray deployments `lepton.deployments()` lists beside the local ones.
 */
import type { BatchingOptions } from '@lepton/server';
import { ExportError } from '../../export/errors.js';
import { OnnxError } from '../../onnx/errors.js';
import { pipelineOnnxBytes } from '../../export/pipeline/pipeline.js';
import { DeployError } from '../errors.js';
import { onnxBytes, type Deployable } from '../model-source.js';
import { loadServer } from '../server.js';
import { localCluster } from './cluster.js';
import { rayControl } from './control.js';
import { checkedAutoscaling, RayDeployment } from './ray-deployment.js';
import type { RayStatus, RayTarget } from './types.js';

/** What `deployToRay` takes from `lepton.deploy`'s options. */
export interface RayDeployRequest {
  name: string;
  target: RayTarget;
  batching?: Partial<BatchingOptions>;
  home?: string;
  /** Fitted transforms: the replicas serve the whole-pipeline graph (`pipelineOnnxBytes`), which takes raw columns. */
  transforms?: unknown[];
  /** The model input's columns after the transforms, in order (with `transforms`). */
  features?: string[];
}

/** Deploys `model` to Ray Serve and waits until its replicas run. */
export async function deployToRay(model: Deployable, request: RayDeployRequest): Promise<RayDeployment> {
  const { target, name } = request;
  if (target.replicas !== undefined && target.autoscaling !== undefined) {
    throw new DeployError(
      'LEPTON_BAD_INPUT',
      `target.ray for "${name}" has both replicas and autoscaling: give one of them.`,
    );
  }
  if (target.replicas !== undefined && (!Number.isInteger(target.replicas) || target.replicas < 1)) {
    throw new DeployError('LEPTON_BAD_INPUT', `target.ray.replicas is ${target.replicas}; give a whole number ≥ 1.`);
  }
  const { leptonHome, errorCatalogue, ServerClient } = await loadServer();
  const address = clusterAddress(target, leptonHome(request.home));
  const bytes = request.transforms?.length
    ? await graphBytes(model, name, request.transforms, request.features)
    : await onnxBytes(model, name);
  const { version } = await import('../../version.js');
  const info = await rayControl<RayStatus>(
    'deploy',
    {
      address,
      name,
      model: Buffer.from(bytes).toString('base64'),
      batching: request.batching ?? {},
      replicas: target.replicas ?? 1,
      autoscaling: target.autoscaling ? checkedAutoscaling(target.autoscaling) : null,
      httpPort: target.httpPort ?? null,
      catalogue: errorCatalogue(),
      leptonVersion: version,
    },
    300_000,
  );
  return new RayDeployment(new ServerClient(httpUrl(target, address, info.httpPort), ''), address, info);
}

/**
 * The whole-pipeline graph of `model` behind `transforms`: what Ray replicas serve to take raw records. Throws
 * `LEPTON_NOT_EXPORTABLE` with the export's reason (a transform ONNX operators cannot reproduce, such as a text
 * vectorizer; transforms that do not fit the model).
 */
async function graphBytes(
  model: Deployable,
  name: string,
  transforms: unknown[],
  features: string[] | undefined,
): Promise<Uint8Array> {
  try {
    return await pipelineOnnxBytes(model, { transforms, ...(features ? { features } : {}) });
  } catch (error) {
    if (error instanceof ExportError || error instanceof OnnxError) {
      throw new DeployError(
        'LEPTON_NOT_EXPORTABLE',
        `Cannot deploy "${name}" to Ray with its transforms (Ray replicas serve the whole pipeline as one ONNX graph): ${error.message}`,
        { cause: error },
      );
    }
    throw error;
  }
}

/** The Ray deployments of the home's local cluster (none when it has no running cluster). */
export async function rayDeployments(home: string): Promise<RayDeployment[]> {
  const cluster = localCluster(home);
  if (!cluster) return [];
  const { ServerClient } = await loadServer();
  const { deployments, httpPort } = await rayControl<{ deployments: RayStatus[]; httpPort: number | null }>('list', {
    address: cluster.address,
  });
  const client = new ServerClient(httpUrl({}, cluster.address, httpPort), '');
  return deployments.map((info) => new RayDeployment(client, cluster.address, info));
}

function clusterAddress(target: RayTarget, home: string): string {
  if (target.address) return target.address;
  const cluster = localCluster(home);
  if (!cluster) {
    throw new DeployError(
      'LEPTON_RAY_NO_CLUSTER',
      `No Ray cluster to deploy to: the Lepton home ${home} has no running local cluster. ` +
        'Start one with `npx lepton ray start`, or give target.ray.address ("host:port" of a running cluster\'s GCS).',
    );
  }
  return cluster.address;
}

function httpUrl(target: RayTarget, address: string, port: number | null): string {
  if (port === null)
    throw new DeployError('LEPTON_RAY_FAILED', `Serve on the Ray cluster at ${address} reports no HTTP port.`);
  return `http://${target.httpHost ?? address.replace(/:\d+$/, '')}:${port}`;
}
