/**
 * The deployments panel's content: every deployment of the Lepton model server with its status, version, traffic
 * sparkline, latency percentiles, error rate, alerts, a log tail, and Stop / Redeploy / Rollback with confirmation.
 * Pure DOM over the management client; rows are kept per deployment and updated in place, so a refresh never
 * takes keyboard focus away from a button.
 */
import { ManagementError, type ManagementClient } from '../api/client.js';
import type { DeploymentInfo, LogEntry, RayDeploymentsAnswer } from '../api/types.js';
import { drawSparkline, formatPercent, latencyText, setBadge } from './format.js';
import { engineTag, RayRows } from './ray-rows.js';

/** Asks the user to confirm an action; resolves true to go ahead. */
export type Confirm = (title: string, body: string) => Promise<boolean>;

/** The command that starts the model server, shown when it is not running. */
export const START_COMMAND = 'npx lepton serve';

type Action = 'stop' | 'redeploy' | 'rollback';

interface Row {
  node: HTMLLIElement;
  badge: HTMLSpanElement;
  version: HTMLSpanElement;
  spark: SVGSVGElement;
  traffic: HTMLSpanElement;
  alerts: HTMLDivElement;
  logs: HTMLPreElement;
  buttons: Record<Action, HTMLButtonElement>;
  info: DeploymentInfo;
}

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className: string,
  parent?: HTMLElement,
  text?: string,
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  e.className = className;
  if (text !== undefined) e.textContent = text;
  parent?.appendChild(e);
  return e;
}

/**
 * The Ray rows' answer when the Jupyter server cannot list them: a server extension without the Ray route (404)
 * means no Ray rows; any other failure is said under the list.
 */
function noRay(error: unknown): RayDeploymentsAnswer {
  const missing = error instanceof ManagementError && error.status === 404;
  return {
    running: false,
    httpUrl: null,
    deployments: [],
    ...(missing ? {} : { error: error instanceof Error ? error.message : String(error) }),
  };
}

const logLine = (e: LogEntry) => `${e.time.slice(11, 19)} ${e.level.padEnd(5)} ${e.event}: ${e.message}`;

/** The panel's list of deployments. */
export class DeploymentsView {
  private readonly notice: HTMLDivElement;
  private readonly list: HTMLUListElement;
  private readonly rows = new Map<string, Row>();
  private readonly ray: RayRows;
  private refreshing: Promise<void> | null = null;
  private acting: Promise<void> = Promise.resolve();

  /**
   * @param node the element to render into
   * @param client the management API (through the Jupyter server's proxy)
   * @param confirm asks before an action
   */
  constructor(
    readonly node: HTMLElement,
    private readonly client: ManagementClient,
    private readonly confirm: Confirm,
  ) {
    node.classList.add('jp-LeptonDeployments');
    const header = el('div', 'jp-LeptonDeployments-header', node);
    el('h2', 'jp-LeptonDeployments-title', header, 'Lepton deployments');
    const refresh = el('button', 'jp-Button jp-mod-styled jp-mod-reject', header, 'Refresh');
    refresh.type = 'button';
    refresh.addEventListener('click', () => void this.refresh());
    this.notice = el('div', 'jp-LeptonDeployments-notice', node);
    this.notice.setAttribute('role', 'status');
    this.list = el('ul', 'jp-LeptonDeployments-list', node);
    this.list.setAttribute('aria-label', 'deployments');
    this.ray = new RayRows(this.list, el('div', 'jp-LeptonDeployments-notice', node));
  }

  /** Resolves once the last action a button started (confirmation, request, refresh) is over. */
  get settled(): Promise<void> {
    return this.acting;
  }

  /** Names of the model server's deployments shown, in order. */
  get names(): string[] {
    return [...this.rows.keys()];
  }

  /** Names of the local Ray cluster's deployments shown, in order (after the model server's). */
  get rayNames(): string[] {
    return this.ray.names;
  }

  /** Fetches every deployment's status, metrics and log tail, and redraws. Concurrent calls share one fetch. */
  refresh(): Promise<void> {
    this.refreshing ??= this.fetchAndDraw().finally(() => (this.refreshing = null));
    return this.refreshing;
  }

  private async fetchAndDraw(): Promise<void> {
    // Ray's listing runs beside the model server's: a failure of one never hides the other's rows.
    const ray = this.client.rayDeployments().catch(noRay);
    let infos: DeploymentInfo[];
    let logs: LogEntry[][];
    try {
      infos = await this.client.deployments();
      logs = await Promise.all(infos.map((d) => this.client.logs(d.name, 8).catch(() => [])));
    } catch (error) {
      this.showError(error);
      this.ray.draw(await ray);
      return;
    }
    const rayAnswer = await ray;
    this.ray.draw(rayAnswer);
    this.node.dataset.state = 'ok';
    this.notice.textContent =
      infos.length + rayAnswer.deployments.length === 0
        ? 'No deployments yet. Deploy a model from a notebook: await lepton.deploy(model, { name: "my-model" }), or click Deploy on a model card.'
        : '';
    const seen = new Set<string>();
    infos.forEach((info, i) => {
      seen.add(info.name);
      const row = this.rows.get(info.name) ?? this.addRow(info);
      this.drawRow(row, info, logs[i]!); // one log list per info, in order
    });
    for (const [name, row] of this.rows) {
      if (!seen.has(name)) {
        row.node.remove();
        this.rows.delete(name);
      }
    }
  }

  private showError(error: unknown): void {
    const notRunning = error instanceof ManagementError && error.serverNotRunning;
    this.node.dataset.state = notRunning ? 'not-running' : 'error';
    this.notice.replaceChildren();
    if (notRunning) {
      el('p', '', this.notice, 'The Lepton model server is not running. Start it in the project with:');
      el('code', 'jp-LeptonDeployments-command', this.notice, START_COMMAND);
      el('p', '', this.notice, 'or deploy a model from a notebook, which starts it.');
    } else {
      el(
        'p',
        '',
        this.notice,
        `Could not reach the Lepton model server: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  private addRow(info: DeploymentInfo): Row {
    const node = el('li', 'jp-LeptonDeployment', this.list);
    node.dataset.name = info.name;
    node.dataset.engine = 'lepton';
    // Before the Ray rows, which follow the model server's.
    const firstRay = this.list.querySelector('[data-engine="ray"]');
    if (firstRay) this.list.insertBefore(node, firstRay);
    const head = el('div', 'jp-LeptonDeployment-head', node);
    el('strong', 'jp-LeptonDeployment-name', head, info.name);
    head.appendChild(engineTag('lepton'));
    const badge = el('span', 'jp-LeptonBadge', head);
    const version = el('span', 'jp-LeptonDeployment-version', head);
    const trafficLine = el('div', 'jp-LeptonDeployment-traffic', node);
    const spark = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
    spark.setAttribute('class', 'jp-LeptonSparkline');
    spark.setAttribute('role', 'img');
    spark.setAttribute('aria-label', 'requests per second over the last minute');
    trafficLine.appendChild(spark);
    const traffic = el('span', '', trafficLine);
    const alerts = el('div', 'jp-LeptonDeployment-alerts', node);
    const details = el('details', 'jp-LeptonDeployment-logs', node);
    el('summary', '', details, 'Log');
    const logs = el('pre', '', details);
    const actions = el('div', 'jp-LeptonDeployment-actions', node);
    const button = (action: Action, label: string, title: string) => {
      const b = el(
        'button',
        `jp-Button jp-mod-styled ${action === 'stop' ? 'jp-mod-warn' : 'jp-mod-accept'}`,
        actions,
        label,
      );
      b.type = 'button';
      b.dataset.action = action;
      b.title = title;
      b.setAttribute('aria-label', `${label} ${info.name}`);
      b.addEventListener('click', () => void (this.acting = this.act(info.name, action)));
      return b;
    };
    const buttons = {
      stop: button('stop', 'Stop', 'Stop serving this deployment (its versions are kept)'),
      redeploy: button('redeploy', 'Redeploy', 'Serve the current model again, as a new version'),
      rollback: button('rollback', 'Rollback', 'Serve the version before the current one'),
    };
    const row: Row = { node, badge, version, spark, traffic, alerts, logs, buttons, info };
    this.rows.set(info.name, row);
    return row;
  }

  private drawRow(row: Row, info: DeploymentInfo, logs: LogEntry[]): void {
    row.info = info;
    row.node.dataset.status = info.status;
    setBadge(row.badge, info.status);
    row.version.textContent = `v${info.version} (versions ${info.versions.join(', ')})`;
    const minute = info.metrics.lastMinute;
    // A server older than this extension sends no perSecond series.
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- see above
    drawSparkline(row.spark, minute.perSecond ?? []);
    row.traffic.textContent = ` ${minute.throughput.toFixed(2)} req/s · ${info.requests} total · ${latencyText(info)} · errors ${formatPercent(minute.errorRate)}`;
    row.alerts.replaceChildren(
      ...info.metrics.alerts.map((a) =>
        el(
          'div',
          'jp-LeptonDeployment-alert',
          undefined,
          `⚠ ${a.rule} ${a.value.toFixed(3)} over ${a.threshold} since ${a.since.slice(11, 19)}`,
        ),
      ),
    );
    if (info.failure)
      row.alerts.appendChild(el('div', 'jp-LeptonDeployment-alert', undefined, `failed: ${info.failure}`));
    row.logs.textContent = logs.map(logLine).join('\n');
    row.buttons.stop.disabled = info.status !== 'ready';
    row.buttons.redeploy.disabled = info.status === 'loading';
    row.buttons.rollback.disabled = !info.versions.some((v) => Number(v) < Number(info.version));
  }

  private async act(name: string, action: Action): Promise<void> {
    const row = this.rows.get(name);
    if (!row) return;
    const questions: Record<Action, [string, string]> = {
      stop: [
        `Stop ${name}?`,
        `${name} stops answering predictions. Its versions stay stored; Redeploy serves it again.`,
      ],
      redeploy: [`Redeploy ${name}?`, `The model of version ${row.info.version} is served again as a new version.`],
      rollback: [`Roll ${name} back?`, `The version before v${row.info.version} is served instead.`],
    };
    const [title, body] = questions[action];
    if (!(await this.confirm(title, body))) return;
    for (const b of Object.values(row.buttons)) b.disabled = true;
    try {
      if (action === 'stop') await this.client.stop(name);
      else if (action === 'redeploy') await this.client.redeploy(name);
      else await this.client.rollback(name);
    } catch (error) {
      this.notice.textContent = `${title.replace('?', '')} failed: ${error instanceof Error ? error.message : String(error)}`;
    }
    await this.refresh();
  }
}
