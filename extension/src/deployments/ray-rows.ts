/**
 * The deployments panel's Ray Serve rows: one per deployment on the Lepton home's local Ray cluster, beside the
 * model server's rows, with the engine, state, replicas and endpoint. Ray deployments are managed from the notebook
 * (`scale`, `stop` of a `RayDeployment`), so their rows have no buttons. Rows are kept per name and updated in place.
 */
import { rayState } from '@lepton/lib/contract';
import type { RayDeploymentsAnswer, RayStatus } from '../api/types.js';
import { setBadge } from './format.js';

/** The engine label of each row kind. */
export const ENGINES = { lepton: 'Lepton server', ray: 'Ray Serve' } as const;

interface RayRow {
  node: HTMLLIElement;
  badge: HTMLSpanElement;
  version: HTMLSpanElement;
  replicas: HTMLDivElement;
  endpoint: HTMLElement;
}

/** Replicas by state, e.g. "2 running", "1 running, 1 starting"; with autoscaling its bounds. */
export function replicasText(status: RayStatus): string {
  const states = Object.entries(status.replicaStates)
    .filter(([, n]) => n > 0)
    .map(([state, n]) => `${n} ${state.toLowerCase()}`);
  const scaling = status.config.autoscaling;
  const bounds = scaling ? ` (autoscaling ${scaling.min}–${scaling.max})` : '';
  return `replicas: ${states.length ? states.join(', ') : 'none'}${bounds}`;
}

/** The engine tag every row shows. */
export function engineTag(engine: keyof typeof ENGINES): HTMLSpanElement {
  const tag = document.createElement('span');
  tag.className = 'jp-LeptonDeployment-engine';
  tag.dataset.engine = engine;
  tag.textContent = ENGINES[engine];
  return tag;
}

/** The Ray rows of a panel's list. */
export class RayRows {
  private readonly rows = new Map<string, RayRow>();

  /**
   * @param list the panel's list, where the rows go after the model server's
   * @param notice where a failure to list the cluster's deployments is said
   */
  constructor(
    private readonly list: HTMLElement,
    private readonly notice: HTMLElement,
  ) {}

  /** Names of the Ray deployments shown, in order. */
  get names(): string[] {
    return [...this.rows.keys()];
  }

  /** Shows the deployments of `answer` (a failed listing keeps no stale rows and says why). */
  draw(answer: RayDeploymentsAnswer): void {
    this.notice.textContent = answer.error ? `Ray Serve: ${answer.error}` : '';
    const seen = new Set<string>();
    for (const status of answer.deployments) {
      seen.add(status.name);
      const row = this.rows.get(status.name) ?? this.add(status.name);
      // Appended again so Ray rows stay after the model server's, whatever was added since.
      this.list.appendChild(row.node);
      this.drawRow(row, status, answer.httpUrl);
    }
    for (const [name, row] of this.rows) {
      if (!seen.has(name)) {
        row.node.remove();
        this.rows.delete(name);
      }
    }
  }

  private add(name: string): RayRow {
    const node = document.createElement('li');
    node.className = 'jp-LeptonDeployment';
    node.dataset.name = name;
    node.dataset.engine = 'ray';
    const head = document.createElement('div');
    head.className = 'jp-LeptonDeployment-head';
    const title = document.createElement('strong');
    title.className = 'jp-LeptonDeployment-name';
    title.textContent = name;
    const badge = document.createElement('span');
    badge.className = 'jp-LeptonBadge';
    const version = document.createElement('span');
    version.className = 'jp-LeptonDeployment-version';
    head.append(title, engineTag('ray'), badge, version);
    const replicas = document.createElement('div');
    replicas.className = 'jp-LeptonDeployment-replicas';
    const endpointLine = document.createElement('div');
    endpointLine.className = 'jp-LeptonDeployment-endpoint';
    const endpoint = document.createElement('code');
    endpointLine.append(endpoint);
    node.append(head, replicas, endpointLine);
    const row = { node, badge, version, replicas, endpoint };
    this.rows.set(name, row);
    return row;
  }

  private drawRow(row: RayRow, status: RayStatus, httpUrl: string | null): void {
    const state = rayState(status.status);
    row.node.dataset.status = state;
    setBadge(row.badge, state);
    row.version.textContent = `v${status.version}`;
    row.replicas.textContent =
      replicasText(status) + (status.message && state !== 'ready' ? ` · ${status.message}` : '');
    row.endpoint.textContent = httpUrl
      ? `${httpUrl}/v2/models/${encodeURIComponent(status.name)}`
      : 'no HTTP endpoint reported';
  }
}
