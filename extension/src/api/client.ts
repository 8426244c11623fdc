import {
  requestPath,
  type ManageRouteName,
  type RouteRequest,
  type RouteTypes,
  type SentRequest,
} from '@lepton/server/routes';
import type { DeploymentInfo, LogEntry, RayDeploymentsAnswer } from './types.js';

/** Sends one request to the Jupyter server: `path` is relative to its base URL (e.g. `lepton/v1/deployments`). */
export type Transport = (path: string, init: { method: 'GET' | 'POST'; body?: string }) => Promise<Response>;

/** The management routes the panel calls: those a {@link Transport} can send (GET and POST). */
type PanelRoute = {
  [N in ManageRouteName]: RouteTypes[N]['method'] extends 'GET' | 'POST' ? N : never;
}[ManageRouteName];

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
    const { deployments } = await this.request('deployments', { method: 'GET', path: '/deployments' });
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
    return this.request('deployment', { method: 'GET', path: `/deployments/${encodeURIComponent(name)}` });
  }

  /** The last `tail` log entries of a deployment. */
  async logs(name: string, tail = 20): Promise<LogEntry[]> {
    const { entries } = await this.request('logs', {
      method: 'GET',
      path: `/deployments/${encodeURIComponent(name)}/logs`,
      query: { tail: String(tail) },
    });
    return entries;
  }

  /** Stops serving a deployment (its versions stay stored). */
  stop(name: string): Promise<DeploymentInfo> {
    return this.request('stop', { method: 'POST', path: `/deployments/${encodeURIComponent(name)}/stop`, body: {} });
  }

  /** Serves the deployment's model again as a new version (after a failure, a stop, or to reload it). */
  redeploy(name: string): Promise<DeploymentInfo> {
    return this.request('redeploy', {
      method: 'POST',
      path: `/deployments/${encodeURIComponent(name)}/redeploy`,
      body: {},
    });
  }

  /** Serves the version before the current one (or `version`). */
  rollback(name: string, version?: string): Promise<DeploymentInfo> {
    return this.request('rollback', {
      method: 'POST',
      path: `/deployments/${encodeURIComponent(name)}/rollback`,
      body: version === undefined ? {} : { version },
    });
  }

  /**
   * Sends `request` to the management route `route` through the proxy: the route's entry in the server's table types
   * its method, path, query, body and answer, so a changed schema fails this client's compile.
   */
  private async request<N extends PanelRoute>(route: N, request: RouteRequest<N>): Promise<RouteTypes[N]['reply']> {
    const { body } = request as SentRequest;
    const method: RouteTypes[PanelRoute]['method'] = request.method;
    // The table's management URLs start with `/`; the transport's paths are relative to the Jupyter server's base URL.
    const response = await this.transport(`lepton/v1${requestPath(request as SentRequest)}`, {
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
        `The Lepton proxy answered ${route} with ${response.status} and something that is not JSON: ${text.slice(0, 200)}`,
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
    return json as RouteTypes[N]['reply'];
  }
}
