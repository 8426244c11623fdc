/**
 * The live training view: status, epoch progress with ETA and samples/s, a Stop button, and one chart per metric.
 * Pure DOM: it is given the bundle on every update and a `stop` action; the renderer wires it to the kernel.
 */
import { formatSeconds } from '@lepton/lib/units';
import { MAX_CHART_POINTS } from '../settings/settings.js';
import { MetricChart } from './chart.js';
import { bestEpoch, metricSeries, type TrainingBundle } from './series.js';

/** What the view asks of the kernel. */
export interface TrainingActions {
  /** Asks the run to stop at its next batch boundary; resolves once the kernel answered. */
  stop(runId: string): Promise<void>;
}

const statusText: Record<TrainingBundle['status'], string> = {
  running: 'training',
  finished: 'finished',
  stopped: 'stopped',
  interrupted: 'interrupted',
  failed: 'failed',
};

function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className: string,
  parent: HTMLElement,
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  e.className = className;
  parent.appendChild(e);
  return e;
}

/** The view of one `lepton.fit` run. */
export class TrainingView {
  private readonly status: HTMLSpanElement;
  private readonly progress: HTMLProgressElement;
  private readonly facts: HTMLSpanElement;
  private readonly stopButton: HTMLButtonElement;
  private readonly message: HTMLDivElement;
  private readonly charts: HTMLDivElement;
  private readonly byMetric = new Map<string, MetricChart>();
  private bundle: TrainingBundle | null = null;
  private stopRequested = false;
  /** The most per-batch points each chart draws (the "Chart point cap" setting); applies from the next update. */
  maxPoints = MAX_CHART_POINTS.default;

  /**
   * @param node the element to render into
   * @param actions what the Stop button calls
   */
  constructor(
    readonly node: HTMLElement,
    private readonly actions: TrainingActions,
  ) {
    node.classList.add('jp-LeptonTraining');
    const header = element('div', 'jp-LeptonTraining-header', node);
    this.status = element('span', 'jp-LeptonBadge', header);
    this.progress = element('progress', 'jp-LeptonTraining-progress', header);
    this.progress.setAttribute('aria-label', 'epoch progress');
    this.facts = element('span', 'jp-LeptonTraining-facts', header);
    this.stopButton = element('button', 'jp-Button jp-mod-styled jp-mod-warn jp-LeptonTraining-stop', header);
    this.stopButton.type = 'button';
    this.stopButton.textContent = 'Stop';
    this.stopButton.title = 'Stop training at the next batch, keeping the weights trained so far';
    this.stopButton.addEventListener('click', () => void this.requestStop());
    this.message = element('div', 'jp-LeptonTraining-message', node);
    this.message.setAttribute('role', 'status');
    this.charts = element('div', 'jp-LeptonTraining-charts', node);
  }

  /** Points drawn across all charts (the browser tests watch it grow). */
  get points(): number {
    let total = 0;
    for (const chart of this.byMetric.values()) total += chart.points;
    return total;
  }

  /** Draws the run's current state. */
  update(bundle: TrainingBundle): void {
    this.bundle = bundle;
    const p = bundle.progress;
    const running = bundle.status === 'running';
    this.status.textContent = this.stopRequested && running ? 'stopping…' : statusText[bundle.status];
    this.status.dataset.status = bundle.status;
    const done = p.epochs > 0 ? (p.epoch - 1 + (p.batches > 0 ? p.batch / p.batches : 0)) / p.epochs : 0;
    this.progress.max = 1;
    this.progress.value = bundle.status === 'finished' ? 1 : Math.min(1, Math.max(0, done));
    const parts = [
      `epoch ${p.epoch}/${p.epochs}`,
      `batch ${p.batch}/${p.batches}`,
      ...(p.samplesPerS !== null ? [`${Math.round(p.samplesPerS).toLocaleString('en-US')} samples/s`] : []),
      running && p.etaS !== null ? `ETA ${formatSeconds(p.etaS)}` : `${formatSeconds(p.elapsedS)} elapsed`,
      `${bundle.model.name} · ${bundle.model.params.toLocaleString('en-US')} params · ${bundle.backend}`,
    ];
    this.facts.textContent = parts.join(' · ');
    this.stopButton.hidden = !running;
    this.stopButton.disabled = this.stopRequested;
    this.message.textContent = bundle.message ?? '';
    this.message.hidden = !bundle.message;

    const best = bestEpoch(bundle);
    for (const series of metricSeries(bundle)) {
      let chart = this.byMetric.get(series.metric);
      if (!chart) {
        chart = new MetricChart(series.metric);
        this.byMetric.set(series.metric, chart);
        this.charts.appendChild(chart.node);
      }
      chart.update(series, p.epochs, best, this.maxPoints);
    }
    this.node.dataset.points = String(this.points);
    this.node.dataset.status = bundle.status;
  }

  private async requestStop(): Promise<void> {
    if (!this.bundle || this.stopRequested) return;
    this.stopRequested = true;
    this.stopButton.disabled = true;
    this.status.textContent = 'stopping…';
    try {
      await this.actions.stop(this.bundle.runId);
    } catch (error) {
      this.stopRequested = false;
      this.stopButton.disabled = false;
      this.message.hidden = false;
      this.message.textContent = `Could not stop the run: ${error instanceof Error ? error.message : String(error)}`;
    }
  }
}
