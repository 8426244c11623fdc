/**
 * `ServerClient`: a small typed client of the management API and of inference, for the library
 * (`lepton.deploy()`, `lepton.deployments()`) and the CLI.
 */
import type { DeploymentInfo, DeploymentSummary, Removal } from './service.js';
import type { InferRequest, InferResponse } from './deployment.js';
import type { LogEntry } from './logs.js';
import type { DeployMeta } from './meta.js';
import type { MetricsSnapshot } from './monitor.js';
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

/** The JSON metrics of every deployment. */
export interface AllMetrics {
  /** Each deployment's metrics by name, with the status and the version it serves. */
  deployments: Record<string, DeploymentMetrics>;
}

/** One deployment's metrics in {@link AllMetrics}, with where it stands. */
export interface DeploymentMetrics extends MetricsSnapshot {
  /** `ready`, `loading`, `stopped` or `failed`. */
  status: string;
  /** The version served. */
  version: string;
}

/** The answer to a shutdown request. */
export interface Stopping {
  /** Always true: the server stops once it has answered. */
  stopping: boolean;
}

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
    return this.call('POST', '/lepton/v1/deployments', { name, model: Buffer.from(onnx).toString('base64'), meta });
  }

  /** Deploys a new version of an existing deployment; unset `meta` fields carry over from the serving version. */
  redeploy(name: string, onnx: Uint8Array, meta: DeployMeta = {}): Promise<DeploymentInfo> {
    return this.call('POST', `/lepton/v1/deployments/${enc(name)}/redeploy`, {
      model: Buffer.from(onnx).toString('base64'),
      meta,
    });
  }

  /** Every deployment. */
  async list(): Promise<DeploymentSummary[]> {
    return (await this.call<{ deployments: DeploymentSummary[] }>('GET', '/lepton/v1/deployments')).deployments;
  }

  /** A deployment's status: versions, metadata, metrics, alerts. */
  status(name: string): Promise<DeploymentInfo> {
    return this.call('GET', `/lepton/v1/deployments/${enc(name)}`);
  }

  /** Serves an earlier version again (default: the one before the serving version). */
  rollback(name: string, version?: string | number): Promise<DeploymentInfo> {
    return this.call(
      'POST',
      `/lepton/v1/deployments/${enc(name)}/rollback`,
      version === undefined ? {} : { version: String(version) },
    );
  }

  /** Stops serving a deployment (its versions are kept). */
  stop(name: string): Promise<DeploymentInfo> {
    return this.call('POST', `/lepton/v1/deployments/${enc(name)}/stop`);
  }

  /**
   * Removes a version of a deployment, or, without `version`, the whole deployment (it stops serving; its versions,
   * state and log are deleted). The version it serves cannot be removed alone (`LEPTON_VERSION_IN_USE`).
   */
  remove(name: string, version?: string | number): Promise<Removal> {
    return this.call(
      'DELETE',
      version === undefined
        ? `/lepton/v1/deployments/${enc(name)}`
        : `/lepton/v1/deployments/${enc(name)}/versions/${enc(String(version))}`,
    );
  }

  /** Serves a stopped deployment again. */
  start(name: string): Promise<DeploymentInfo> {
    return this.call('POST', `/lepton/v1/deployments/${enc(name)}/start`);
  }

  /** One deployment's metrics, or every deployment's when `name` is omitted. */
  metrics(name: string): Promise<MetricsSnapshot>;
  metrics(): Promise<AllMetrics>;
  metrics(name?: string): Promise<MetricsSnapshot | AllMetrics> {
    return this.call('GET', name === undefined ? '/lepton/v1/metrics' : `/lepton/v1/deployments/${enc(name)}/metrics`);
  }

  /** The last `tail` log entries of a deployment. */
  async logs(name: string, tail = 100): Promise<LogEntry[]> {
    return (await this.call<{ entries: LogEntry[] }>('GET', `/lepton/v1/deployments/${enc(name)}/logs?tail=${tail}`))
      .entries;
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
    const response = await fetch(`${this.url}/lepton/v1/deployments/${enc(name)}/logs/stream`, {
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
  async infer(name: string, request: InferRequest, version?: string): Promise<InferResponse> {
    const path =
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
    if (length === null) return (await response.json()) as InferResponse;
    const { json, binary } = splitBody(new Uint8Array(await response.arrayBuffer()), length);
    const answer = JSON.parse(new TextDecoder().decode(json)) as InferResponse;
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
      return (await fetch(`${this.url}/v2/health/ready`, { signal: AbortSignal.timeout(2000) })).ok;
    } catch {
      return false;
    }
  }

  /** Asks the server to shut down. */
  shutdown(): Promise<Stopping> {
    return this.call('POST', '/lepton/v1/shutdown');
  }

  private headers(): Record<string, string> {
    return { authorization: `Bearer ${this.token}` };
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers = this.headers();
    if (body !== undefined) headers['content-type'] = 'application/json';
    const init: RequestInit = { method, headers };
    if (body !== undefined) init.body = JSON.stringify(body);
    const response = await fetch(this.url + path, init);
    if (!response.ok) throw await errorOf(response);
    return (await response.json()) as T;
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
