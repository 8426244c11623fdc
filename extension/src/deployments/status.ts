/**
 * A deployment's live status line (status, version, traffic, latency, errors), refreshed from the management API
 * while it is on screen. The model card shows it after Deploy, and so does a deployment card from `lepton.deploy`.
 */
import { ManagementError, type ManagementClient } from '../api/client.js';
import { formatPercent, latencyText, setBadge } from './format.js';

/** How often the status refreshes. */
export const STATUS_REFRESH_MS = 2000;

/** The live status of one deployment. */
export class DeploymentStatusView {
  private readonly badge: HTMLSpanElement;
  private readonly text: HTMLSpanElement;
  private timer: ReturnType<typeof setInterval> | undefined;

  /**
   * @param node the element to render into
   * @param client the management API
   * @param name the deployment's name
   */
  constructor(
    readonly node: HTMLElement,
    private readonly client: ManagementClient,
    readonly name: string,
  ) {
    node.classList.add('jp-LeptonDeploymentStatus');
    node.setAttribute('role', 'status');
    this.badge = document.createElement('span');
    this.badge.className = 'jp-LeptonBadge';
    this.text = document.createElement('span');
    node.replaceChildren(this.badge, this.text);
  }

  /** Fetches and shows the current status once. */
  async refresh(): Promise<void> {
    try {
      const info = await this.client.info(this.name);
      setBadge(this.badge, info.status);
      const m = info.metrics.lastMinute;
      this.text.textContent =
        ` ${info.name} v${info.version} · ${info.requests} request(s), ${m.throughput.toFixed(2)} req/s · ` +
        `${latencyText(info)} · errors ${formatPercent(m.errorRate)}${info.alerts ? ` · ${info.alerts} alert(s)` : ''}`;
    } catch (error) {
      setBadge(this.badge, 'unknown');
      this.text.textContent = ` ${error instanceof ManagementError || error instanceof Error ? error.message : String(error)}`;
    }
  }

  /** Refreshes now and every `STATUS_REFRESH_MS` until `stop()`. */
  start(): void {
    this.stop();
    void this.refresh();
    this.timer = setInterval(() => void this.refresh(), STATUS_REFRESH_MS);
  }

  /** Stops refreshing. */
  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }
}
