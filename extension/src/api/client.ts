import type { DeploymentInfo, LogEntry, RayDeploymentsAnswer } from './types.js';

/** Sends one request to the Jupyter server: `path` is relative to its base URL (e.g. `lepton/v1/deployments`). */
export type Transport = (path: string, init: { method: 'GET' | 'POST'; body?: string }) => Promise<Response>;

/** An error answer of the management API (or of the proxy in front of it), with its stable code. */
export class ManagementError extends Error {
  /**
   * @param code the stable code, e.g. `LEPTON_SERVER_NOT_RUNNING` or `LEPTON_UNKNOWN_MODEL`
   * @param status the HTTP status
   */
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ManagementError';
  }

  /** Whether the model server is simply not running (the panel then says how to start it). */
  get serverNotRunning(): boolean {
    return this.code === 'LEPTON_SERVER_NOT_RUNNING';
  }
}

/**
 * The Lepton model server's management API, reached through the Jupyter server's `/lepton/v1` proxy (so it works
 * wherever JupyterLab does, Binder included; the proxy adds the management token).
 */
export class ManagementClient {
  /** @param transport how requests reach the Jupyter server (the app's `ServerConnection` in JupyterLab) */
  constructor(private readonly transport: Transport) {}

  /** Every deployment with its status and metrics. */
  async deployments(): Promise<DeploymentInfo[]> {
    const { deployments } = await this.request<{ deployments: { name: string }[] }>('GET', 'deployments');
    return Promise.all(deployments.map((d) => this.info(d.name)));
  }

  /**
   * The Ray Serve deployments of the Lepton home's local cluster (the Jupyter server extension asks the cluster as
   * `lepton.deployments()` does); `running: false` when the home has no cluster.
   */
  async rayDeployments(): Promise<RayDeploymentsAnswer> {
    const response = await this.transport('lepton/ray/deployments', { method: 'GET' });
    const answer = (await response.json().catch(() => undefined)) as
      RayDeploymentsAnswer | { error?: string } | undefined;
    if (!response.ok || !answer || !('deployments' in answer)) {
      throw new ManagementError(
        `HTTP_${response.status}`,
        response.status,
        answer?.error ?? `The Lepton Ray listing answered HTTP ${response.status}.`,
      );
    }
    return answer;
  }

  /** One deployment's status and metrics. */
  info(name: string): Promise<DeploymentInfo> {
    return this.request('GET', `deployments/${encodeURIComponent(name)}`);
  }

  /** The last `tail` log entries of a deployment. */
  async logs(name: string, tail = 20): Promise<LogEntry[]> {
    const { entries } = await this.request<{ entries: LogEntry[] }>(
      'GET',
      `deployments/${encodeURIComponent(name)}/logs?tail=${tail}`,
    );
    return entries;
  }

  /** Stops serving a deployment (its versions stay stored). */
  stop(name: string): Promise<DeploymentInfo> {
    return this.request('POST', `deployments/${encodeURIComponent(name)}/stop`, {});
  }

  /** Serves the deployment's model again as a new version (after a failure, a stop, or to reload it). */
  redeploy(name: string): Promise<DeploymentInfo> {
    return this.request('POST', `deployments/${encodeURIComponent(name)}/redeploy`, {});
  }

  /** Serves the version before the current one (or `version`). */
  rollback(name: string, version?: string): Promise<DeploymentInfo> {
    return this.request(
      'POST',
      `deployments/${encodeURIComponent(name)}/rollback`,
      version === undefined ? {} : { version },
    );
  }

  private async request<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const response = await this.transport(`lepton/v1/${path}`, {
      method,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : {};
    } catch {
      throw new ManagementError(
        'LEPTON_BAD_ANSWER',
        response.status,
        `The Lepton proxy answered ${response.status} with something that is not JSON: ${text.slice(0, 200)}`,
      );
    }
    if (!response.ok) {
      const error = json as { code?: string; error?: string; message?: string };
      throw new ManagementError(
        error.code ?? `HTTP_${response.status}`,
        response.status,
        error.error ?? error.message ?? `HTTP ${response.status}`,
      );
    }
    return json as T;
  }
}
