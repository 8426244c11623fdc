/**
 * `RayDeployment`: a model served by Ray Serve, as the notebook sees it. It predicts over the same Open Inference
 * Protocol v2 routes as a local `Deployment` (through Serve's HTTP proxy), reports Serve's status with its replicas,
 * the metrics and log its replicas report, scales and stops, and displays as the same card.
 */
import type * as tf from '@tensorflow/tfjs';
import type { LogEntry, MetricsSnapshot, ServerClient } from '@lepton/server';
import { displaySymbol, type MimeBundle } from '../../display/mime.js';
import { cardBundle, type DeploymentCardData } from '../card.js';
import { DeployError } from '../errors.js';
import { DeploymentLogs } from '../logs.js';
import { onlyOutput, recordList, type Records } from '../calls.js';
import { serverError } from '../server.js';
import { requestTensors, responseTensors, type PredictInputs } from '../tensors.js';
import { rayControl } from './control.js';
import { inferWithRetry } from './http.js';
import { columnsRequest } from './columns.js';
import type { ColumnInput } from '../../export/pipeline/front.js';
import { rayState } from '../../contract/deployments.js';
import type { RayAutoscaling, RayStatus } from './types.js';

/** A model deployed to Ray Serve. Get one from `lepton.deploy(model, { target: { ray: {} } })` or `lepton.deployments()`. */
export class RayDeployment {
  /** Where it runs: always `ray` (a local `Deployment` has no `target`). */
  readonly target = 'ray' as const;
  private info: RayStatus;

  /** @internal */
  constructor(
    private readonly client: ServerClient,
    private readonly address: string,
    info: RayStatus,
  ) {
    this.info = info;
  }

  /** The deployment's name (its URL path segment and its Serve application's name). */
  get name(): string {
    return this.info.name;
  }

  /** The version served, as last seen ("1", "2", …: one per deploy of the name to this cluster). */
  get version(): string {
    return this.info.version;
  }

  /** The status as last seen, in the local server's words: `ready`, `loading`, `stopped` or `failed`. */
  get state(): string {
    return rayState(this.info.status);
  }

  /** The status as last seen (from the deploy, `scale` or `status()`), without asking Ray. */
  get lastStatus(): RayStatus {
    return this.info;
  }

  /** The Ray cluster's GCS address. */
  get clusterAddress(): string {
    return this.address;
  }

  /** The model's OIP v2 URL on Serve's HTTP proxy, e.g. `http://127.0.0.1:41235/v2/models/penguins`. */
  get url(): string {
    return `${this.client.url}/v2/models/${encodeURIComponent(this.name)}`;
  }

  /**
   * Runs the served model on `x` and returns its only output as a `tf.Tensor` (dispose it, or call inside
   * `tf.tidy`). A request whose replica died under it (a connection error, or Ray's proxy answering 5xx) is sent
   * once more: Ray routes it to a live replica.
   * @example const probs = await deployment.predict([[0.1, -0.3, 1.2, 0.5]]);
   */
  async predict(x: PredictInputs): Promise<tf.Tensor> {
    return onlyOutput(await this.predictAll(x), this.name, 'predictAll(x)');
  }

  /** Like `predict`, for any number of outputs: a `tf.Tensor` per output name. */
  async predictAll(x: PredictInputs): Promise<Record<string, tf.Tensor>> {
    const inputs = requestTensors(this.info.inputs, x);
    try {
      return responseTensors(await inferWithRetry(this.client, this.name, { inputs }));
    } catch (error) {
      throw serverError(`Prediction with "${this.name}" on Ray failed`, error);
    }
  }

  /**
   * Runs the model on raw records, as a local deployment with transforms does: a deployment made with `transforms`
   * serves the whole-pipeline graph, so each record's fields are sent as the graph's raw columns (one input per
   * column, read as `lepton.export.pipeline` reads them: a missing value is NaN or `""`) and the replicas apply the
   * transforms. Returns the model's only output (dispose it). Throws `LEPTON_BAD_INPUT` naming the record and field
   * a column cannot hold; a deployment without transforms answers `LEPTON_NO_TRANSFORMS`.
   * @example const probs = await deployment.predictRecords([{ 'Body Mass (g)': 3750, Island: 'Dream', Sex: null }]);
   */
  async predictRecords(records: Records): Promise<tf.Tensor> {
    return onlyOutput(await this.predictRecordsAll(records), this.name, 'predictRecordsAll(records)');
  }

  /** Like `predictRecords`, for any number of outputs: a `tf.Tensor` per output name. */
  async predictRecordsAll(records: Records): Promise<Record<string, tf.Tensor>> {
    const list = recordList(records, this.name);
    const columns = this.info.columns;
    // Without raw columns the model takes tensors: the records request gets the replicas' LEPTON_NO_TRANSFORMS answer.
    const request = columns
      ? columnsRequest(columns, list, this.name)
      : (await import('@lepton/server/preprocess')).recordsRequest(list);
    try {
      return responseTensors(await inferWithRetry(this.client, this.name, request));
    } catch (error) {
      throw serverError(`Prediction with "${this.name}" on Ray from records failed`, error);
    }
  }

  /** The raw columns the deployment takes (a whole-pipeline graph's), or undefined for a model that takes tensors. */
  get columns(): readonly ColumnInput[] | undefined {
    return this.info.columns;
  }

  /** Asks Ray for the status: Serve's application state, replicas by state, every replica that started, the config. */
  async status(): Promise<RayStatus> {
    this.info = await rayControl<RayStatus>('status', { address: this.address, name: this.name });
    return this.info;
  }

  /** Request and error counts, latency quantiles over the last minute and overall, over every replica. */
  async metrics(): Promise<MetricsSnapshot> {
    return this.get<MetricsSnapshot>('lepton/metrics');
  }

  /** The deployment's log: deploys, scaling, replica starts (a restart after a crash included), failed requests. */
  async logs(options: { tail?: number } = {}): Promise<DeploymentLogs> {
    const { entries } = await this.get<{ entries: LogEntry[] }>(`lepton/logs?tail=${options.tail ?? 100}`);
    return new DeploymentLogs(this.name, entries);
  }

  /**
   * Sets the number of replicas (or autoscaling) and waits until Serve runs them; requests keep being answered.
   * @example await deployment.scale(2)
   * @example await deployment.scale({ autoscaling: { min: 1, max: 4, targetOngoingRequests: 2 } })
   */
  async scale(replicas: number | { autoscaling: RayAutoscaling }): Promise<this> {
    if (typeof replicas === 'number' && (!Number.isInteger(replicas) || replicas < 1)) {
      throw new DeployError(
        'LEPTON_BAD_INPUT',
        `scale(${replicas}) on "${this.name}": give a whole number of replicas ≥ 1, or { autoscaling: { min, max } }.`,
      );
    }
    const args =
      typeof replicas === 'number' ? { replicas } : { autoscaling: checkedAutoscaling(replicas.autoscaling) };
    this.info = await rayControl<RayStatus>('scale', { address: this.address, name: this.name, ...args });
    return this;
  }

  /** Stops serving and removes the application, its monitor and its record from the cluster. */
  async stop(): Promise<this> {
    await rayControl('remove', { address: this.address, name: this.name });
    this.info = { ...this.info, status: 'stopped', replicaStates: {} };
    return this;
  }

  /** The card's data (the same bundle as a local deployment's, so the panel and the card read it alike). */
  toJSON(): DeploymentCardData {
    return {
      name: this.name,
      version: this.version,
      status: this.state,
      url: this.url,
      inferUrl: `${this.url}/infer`,
      versions: [this.version],
      inputs: this.info.inputs,
      outputs: this.info.outputs,
    };
  }

  /** A card: name, version, status, URL, an example curl and the TypeScript call. */
  [displaySymbol](): MimeBundle {
    return cardBundle(this.toJSON());
  }

  private async get<T>(path: string): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${this.url}/${path}`);
    } catch (error) {
      throw new DeployError(
        'LEPTON_RAY_FAILED',
        `"${this.name}" on Ray cannot be reached at ${this.url}: ${(error as Error).message}. Is the cluster running (npx lepton ray status)?`,
        { cause: error },
      );
    }
    const body = (await response.json()) as T & { error?: string; code?: string };
    if (!response.ok)
      throw new DeployError(
        'LEPTON_SERVER',
        `${path} of "${this.name}" on Ray: ${body.error ?? response.statusText} (${body.code ?? response.status})`,
        { serverCode: body.code },
      );
    return body;
  }
}

/** `autoscaling` checked: `0 ≤ min ≤ max`, `max ≥ 1`, a positive target. Throws `LEPTON_BAD_INPUT` naming the field. */
export function checkedAutoscaling(autoscaling: RayAutoscaling): RayAutoscaling {
  const { min, max, targetOngoingRequests = 2 } = autoscaling;
  if (!Number.isInteger(min) || !Number.isInteger(max) || min < 0 || max < 1 || min > max) {
    throw new DeployError(
      'LEPTON_BAD_INPUT',
      `autoscaling { min: ${min}, max: ${max} }: give whole numbers with 0 ≤ min ≤ max and max ≥ 1.`,
    );
  }
  if (!(targetOngoingRequests > 0))
    throw new DeployError(
      'LEPTON_BAD_INPUT',
      `autoscaling.targetOngoingRequests is ${targetOngoingRequests}; give a number > 0.`,
    );
  return { min, max, targetOngoingRequests };
}
