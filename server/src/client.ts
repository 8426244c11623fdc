/**
 * `ServerClient`: a small typed client of the management API and of inference, for the library
 * (`lepton.deploy()`, `lepton.deployments()`) and the CLI.
 */
import type { LogEntry } from './logs.js';
import type { DeployMeta } from './meta.js';
import type { MetricsSnapshot } from './monitor.js';
import { MANAGE_PREFIX } from './routes/table.js';
import {
  requestPath,
  type ManageRouteName,
  type RoutePath,
  type RouteRequest,
  type RouteTypes,
  type SentRequest,
} from './routes/requests.js';
import type { DeploymentInfo, DeploymentSummary, Removal } from './service.js';
import { BINARY_CONTENT_TYPE, binarySlices, HEADER_LENGTH, joinBody, splitBody } from './wire/binary.js';

/** An error answer from the server, with its stable code. */
export class ServerClientError extends Error {
  /**
   * @param status the HTTP status of the answer, e.g. 400 or 503
   * @param code the server's stable error code, e.g. `LEPTON_NOT_FOUND` (docs/errors.md lists them)
   * @param message what went wrong and what to do
   * @param details facts the server sent with the error (e.g. `indexes` of bad images), when it sent any
   * @param retryAfterS the server's `Retry-After`, in seconds, on an overload answer (503)
   */
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
    readonly retryAfterS?: number,
  ) {
    super(message);
    this.name = 'ServerClientError';
  }
}

/** An infer request body (Open Inference Protocol v2), as the infer routes' schema types it. */
type InferBody = RouteTypes['infer']['body'];
/** An infer answer, as the infer routes' schema types it. */
type InferAnswer = RouteTypes['infer']['reply'];

/** The JSON metrics of every deployment: each deployment's metrics by name, with where it stands. */
export type AllMetrics = RouteTypes['allMetrics']['reply'];

export type { DeploymentMetrics } from './routes/table.js';

/** The answer to a shutdown request: `stopping` is always true, the server stops once it has answered. */
export type Stopping = RouteTypes['shutdown']['reply'];

/** A client of one running server. */
export class ServerClient {
  /**
   * @param url the server's base URL, e.g. `http://127.0.0.1:8707`
   * @param token the management token (the `server-token` file in the Lepton home)
   */
  constructor(
    readonly url: string,
    private readonly token: string,
  ) {}

  /** Deploys `onnx` as a new version of `name` (the first for a new name) and serves it. */
  deploy(name: string, onnx: Uint8Array, meta: DeployMeta = {}): Promise<DeploymentInfo> {
    return this.call('deploy', {
      method: 'POST',
      path: '/deployments',
      body: { name, model: Buffer.from(onnx).toString('base64'), meta },
    });
  }

  /** Deploys a new version of an existing deployment; unset `meta` fields carry over from the serving version. */
  redeploy(name: string, onnx: Uint8Array, meta: DeployMeta = {}): Promise<DeploymentInfo> {
    return this.call('redeploy', {
      method: 'POST',
      path: `/deployments/${enc(name)}/redeploy`,
      body: { model: Buffer.from(onnx).toString('base64'), meta },
    });
  }

  /** Every deployment. */
  async list(): Promise<DeploymentSummary[]> {
    return (await this.call('deployments', { method: 'GET', path: '/deployments' })).deployments;
  }

  /** A deployment's status: versions, metadata, metrics, alerts. */
  status(name: string): Promise<DeploymentInfo> {
    return this.call('deployment', { method: 'GET', path: `/deployments/${enc(name)}` });
  }

  /** Serves an earlier version again (default: the one before the serving version). */
  rollback(name: string, version?: string | number): Promise<DeploymentInfo> {
    return this.call('rollback', {
      method: 'POST',
      path: `/deployments/${enc(name)}/rollback`,
      body: version === undefined ? {} : { version: String(version) },
    });
  }

  /** Stops serving a deployment (its versions are kept). */
  stop(name: string): Promise<DeploymentInfo> {
    return this.call('stop', { method: 'POST', path: `/deployments/${enc(name)}/stop` });
  }

  /**
   * Removes a version of a deployment, or, without `version`, the whole deployment (it stops serving; its versions,
   * state and log are deleted). The version it serves cannot be removed alone (`LEPTON_VERSION_IN_USE`).
   */
  remove(name: string, version?: string | number): Promise<Removal> {
    return version === undefined
      ? this.call('remove', { method: 'DELETE', path: `/deployments/${enc(name)}` })
      : this.call('removeVersion', {
          method: 'DELETE',
          path: `/deployments/${enc(name)}/versions/${enc(String(version))}`,
        });
  }

  /** Serves a stopped deployment again. */
  start(name: string): Promise<DeploymentInfo> {
    return this.call('start', { method: 'POST', path: `/deployments/${enc(name)}/start` });
  }

  /** One deployment's metrics, or every deployment's when `name` is omitted. */
  metrics(name: string): Promise<MetricsSnapshot>;
  metrics(): Promise<AllMetrics>;
  metrics(name?: string): Promise<MetricsSnapshot | AllMetrics> {
    return name === undefined
      ? this.call('allMetrics', { method: 'GET', path: '/metrics' })
      : this.call('deploymentMetrics', { method: 'GET', path: `/deployments/${enc(name)}/metrics` });
  }

  /** The last `tail` log entries of a deployment. */
  async logs(name: string, tail = 100): Promise<LogEntry[]> {
    const path = `/deployments/${enc(name)}/logs` as const;
    return (await this.call('logs', { method: 'GET', path, query: { tail: String(tail) } })).entries;
  }

  /**
   * Calls `onEntry` for each new log entry of a deployment until `signal` aborts; `onOpen` once the stream is open (the
   * entries it sends are those after that moment). Resolves when the stream ends.
   */
  async streamLogs(
    name: string,
    onEntry: (entry: LogEntry) => void,
    signal: AbortSignal,
    onOpen?: () => void,
  ): Promise<void> {
    const path: RouteRequest<'logStream'>['path'] = `/deployments/${enc(name)}/logs/stream`;
    const response = await fetch(this.url + MANAGE_PREFIX + path, {
      headers: this.headers(),
      signal,
    });
    if (!response.ok || !response.body) throw await errorOf(response);
    onOpen?.();
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of response.body) {
        buffer += decoder.decode(chunk as Uint8Array, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const event = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = event.split('\n').find((line) => line.startsWith('data: '));
          if (data) onEntry(JSON.parse(data.slice(6)) as LogEntry);
        }
      }
    } catch (error) {
      if (!signal.aborted) throw error;
    }
  }

  /**
   * Runs an infer request (OIP v2) on a deployment, or one version of it. Inputs that carry `binary` (with
   * `parameters.binary_data_size`) travel as binary tensor data after the JSON; outputs answered as binary data
   * (asked with `binary_data` / `binary_data_output`) come back with their bytes in `binary`.
   */
  async infer(name: string, request: InferBody, version?: string): Promise<InferAnswer> {
    const path: RoutePath<'infer'> | RoutePath<'versionInfer'> =
      version === undefined
        ? `/v2/models/${enc(name)}/infer`
        : `/v2/models/${enc(name)}/versions/${enc(version)}/infer`;
    const chunks: Uint8Array[] = [];
    for (const input of request.inputs) if (input.binary !== undefined) chunks.push(input.binary);
    const headers = this.headers();
    let body: string | Buffer;
    if (chunks.length === 0) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(request);
    } else {
      // `binary` is not JSON: the replacer leaves it out of the JSON part.
      const joined = joinBody(
        JSON.stringify(request, (key, value: unknown) => (key === 'binary' ? undefined : value)),
        chunks,
      );
      headers['content-type'] = BINARY_CONTENT_TYPE;
      headers[HEADER_LENGTH] = String(joined.headerLength);
      body = joined.body;
    }
    const response = await fetch(this.url + path, { method: 'POST', headers, body });
    if (!response.ok) throw await errorOf(response);
    const length = response.headers.get(HEADER_LENGTH);
    if (length === null) return (await response.json()) as InferAnswer;
    const { json, binary } = splitBody(new Uint8Array(await response.arrayBuffer()), length);
    const answer = JSON.parse(new TextDecoder().decode(json)) as InferAnswer;
    const slices = binarySlices(answer.outputs, binary);
    answer.outputs.forEach((output, i) => {
      const bytes = slices[i];
      if (bytes !== undefined) output.binary = bytes;
    });
    return answer;
  }

  /** Whether the server answers `GET /v2/health/ready`. */
  async ready(): Promise<boolean> {
    try {
      const path: RoutePath<'ready'> = '/v2/health/ready';
      return (await fetch(this.url + path, { signal: AbortSignal.timeout(2000) })).ok;
    } catch {
      return false;
    }
  }

  /** Asks the server to shut down. */
  shutdown(): Promise<Stopping> {
    return this.call('shutdown', { method: 'POST', path: '/shutdown' });
  }

  private headers(): Record<string, string> {
    return { authorization: `Bearer ${this.token}` };
  }

  /**
   * Sends `request` to the management route `route` (under `/lepton/v1`): the route's entry in the table types its
   * method, path, query, body and answer, so a changed schema fails this client's compile.
   */
  private async call<N extends ManageRouteName>(route: N, request: RouteRequest<N>): Promise<RouteTypes[N]['reply']> {
    const { method, body } = request as SentRequest;
    const headers = this.headers();
    if (body !== undefined) headers['content-type'] = 'application/json';
    const init: RequestInit = { method, headers };
    if (body !== undefined) init.body = JSON.stringify(body);
    const response = await fetch(this.url + MANAGE_PREFIX + requestPath(request as SentRequest), init);
    if (!response.ok) throw await errorOf(response);
    const text = await response.text();
    try {
      return JSON.parse(text) as RouteTypes[N]['reply'];
    } catch {
      throw new ServerClientError(
        response.status,
        'LEPTON_BAD_ANSWER',
        `The server answered ${route} (${method} ${MANAGE_PREFIX}${request.path}) with something that is not JSON: ${text.slice(0, 200)}`,
      );
    }
  }
}

function enc(part: string): string {
  return encodeURIComponent(part);
}

async function errorOf(response: Response): Promise<ServerClientError> {
  let body: { error?: string; code?: string; details?: Record<string, unknown> } = {};
  try {
    body = (await response.json()) as typeof body;
  } catch {
    // Not JSON: keep the status.
  }
  const retryAfter = Number(response.headers.get('retry-after'));
  return new ServerClientError(
    response.status,
    body.code ?? `HTTP_${response.status}`,
    body.error ?? `${response.status} ${response.statusText}`,
    body.details,
    Number.isFinite(retryAfter) && retryAfter >= 0 ? retryAfter : undefined,
  );
}
