/**
 * The live view of a search: two outputs updated in place under their display ids while trials run —
 * a Vega-Lite chart (objective by trial with the best so far; the parameters of complete trials in parallel
 * coordinates, coloured by objective) and an HTML table (status, the running trial, the best configurations,
 * failures). The chart updates after each trial; the table also after each epoch, at a bounded rate. Two outputs,
 * because a front end shows only one MIME type of a bundle.
 */
import { display } from '../display/display.js';
import { displaySymbol, type Displayable } from '../display/mime.js';
import { formatSeconds } from '../display/units.js';
import type { TopLevelSpec } from 'vega-lite';
import { Chart, vegaLiteSchema } from '../plot/chart.js';
import type { TrialRecord } from './format.js';
import { formatValue, position, type Space } from './space.js';
import { better } from './strategy.js';

/** How the search stands, for the view. `saved`: a study displayed after (or without) a run. */
export type SearchStatus = 'running' | 'finished' | 'stopped' | 'interrupted' | 'failed' | 'saved';

/** The view's state beside the study. */
export interface ViewState {
  status: SearchStatus;
  /** A sentence on how the search ended, or why. */
  message: string | null;
  /** Seconds since the search (this run of it) began. */
  elapsedS: number | null;
}

/** What the view reads from a study (the Study class implements it). */
export interface StudyLike {
  readonly name: string;
  readonly space: Space;
  readonly strategy: { name: string };
  readonly seed: number;
  readonly objective: string;
  readonly direction: 'min' | 'max';
  readonly epochs: number;
  readonly trials: readonly TrialRecord[];
  readonly running: TrialRecord | null;
  readonly path: string | null;
  top(k?: number): TrialRecord[];
  counts(): { complete: number; pruned: number; failed: number };
}

/** An objective value with 4 significant digits (1.000, 0.9855). */
const fmt = (v: number | null) => (v === null ? '–' : Math.abs(v) >= 1000 ? v.toFixed(1) : v.toPrecision(4));
const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** The best value after each complete trial, in trial order (the "best so far" line). */
export function bestSoFar(trials: readonly TrialRecord[], direction: 'min' | 'max'): { trial: number; best: number }[] {
  const out: { trial: number; best: number }[] = [];
  let best: number | null = null;
  for (const t of trials) {
    if (t.status !== 'complete' || t.value === null || !Number.isFinite(t.value)) continue;
    if (best === null || better(t.value, best, direction)) best = t.value;
    out.push({ trial: t.number, best });
  }
  return out;
}

/** The Vega-Lite v5 spec of a study's chart (data inline). */
export function studyChart(study: StudyLike): TopLevelSpec {
  const names = Object.keys(study.space);
  const points = study.trials
    .filter((t) => t.status !== 'failed' && t.value !== null && Number.isFinite(t.value))
    .map((t) => ({
      trial: t.number,
      value: t.value,
      status: t.status,
      epochs: t.epochs,
      params: names.map((n) => `${n}=${formatValue(t.params[n]!)}`).join(', '),
    }));
  const lines = study.trials
    .filter((t) => t.status === 'complete' && t.value !== null && Number.isFinite(t.value))
    .flatMap((t) =>
      names.map((n) => ({
        trial: t.number,
        param: n,
        position: position(study.space[n]!, t.params[n]!),
        label: formatValue(t.params[n]!),
        value: t.value,
      })),
    );
  const ends = names.flatMap((n) => {
    const p = study.space[n]!;
    const [lo, hi] = p.kind === 'choice' ? [p.values[0]!, p.values.at(-1)!] : [p.low, p.high];
    return [
      { param: n, position: 0, label: `${formatValue(lo)}${p.kind !== 'choice' && p.log ? ' (log)' : ''}` },
      { param: n, position: 1, label: formatValue(hi) },
    ];
  });
  const x = { field: 'trial', type: 'quantitative', title: 'trial', axis: { tickMinStep: 1 }, scale: { domainMin: 0 } };
  return {
    $schema: vegaLiteSchema,
    title: {
      text: `${study.name}: ${study.objective} by trial (${study.strategy.name}, seed ${study.seed})`,
      anchor: 'start',
    },
    hconcat: [
      {
        width: 320,
        height: 200,
        title: `${study.objective} (${study.direction === 'max' ? 'higher' : 'lower'} is better)`,
        layer: [
          {
            data: { values: points },
            mark: { type: 'point', filled: true, size: 60 },
            encoding: {
              x,
              y: { field: 'value', type: 'quantitative', title: study.objective, scale: { zero: false } },
              color: {
                field: 'status',
                type: 'nominal',
                title: null,
                scale: { domain: ['complete', 'pruned'], range: ['#1f77b4', '#b0b0b0'] },
              },
              tooltip: [
                { field: 'trial' },
                { field: 'value', format: '.4' },
                { field: 'status' },
                { field: 'epochs' },
                { field: 'params' },
              ],
            },
          },
          {
            data: { values: bestSoFar(study.trials, study.direction) },
            mark: { type: 'line', interpolate: 'step-after', color: '#ff7f0e', strokeWidth: 2 },
            encoding: { x, y: { field: 'best', type: 'quantitative' } },
          },
        ],
      },
      {
        width: Math.max(160, 90 * names.length),
        height: 200,
        title: 'parameters of complete trials (each axis: its range)',
        layer: [
          {
            data: { values: lines },
            mark: { type: 'line', opacity: 0.75, strokeWidth: 1.5 },
            encoding: {
              x: {
                field: 'param',
                type: 'nominal',
                sort: names,
                title: null,
                axis: { labelAngle: 0, domain: false, ticks: false, grid: true },
              },
              y: { field: 'position', type: 'quantitative', scale: { domain: [0, 1] }, axis: null },
              detail: { field: 'trial', type: 'nominal' },
              color: {
                field: 'value',
                type: 'quantitative',
                title: study.objective,
                scale: { scheme: 'viridis', reverse: study.direction === 'min' },
              },
              tooltip: [
                { field: 'trial' },
                { field: 'param' },
                { field: 'label', title: 'value' },
                { field: 'value', title: study.objective, format: '.4' },
              ],
            },
          },
          {
            data: { values: ends },
            mark: { type: 'text', fontSize: 10, color: '#555', dx: 4, align: 'left' },
            encoding: {
              x: { field: 'param', type: 'nominal', sort: names },
              y: { field: 'position', type: 'quantitative' },
              text: { field: 'label' },
            },
          },
        ],
      },
    ],
    resolve: { scale: { color: 'independent' } },
  } as unknown as TopLevelSpec;
}

function headline(study: StudyLike, state: ViewState): string {
  const c = study.counts();
  const [best] = study.top(1);
  const word = {
    running: 'Searching',
    finished: 'Finished',
    stopped: 'Stopped',
    interrupted: 'Interrupted',
    failed: 'Failed',
    saved: 'Study',
  }[state.status];
  const parts = [
    `${word} ${study.name}: ${study.trials.length} trial${study.trials.length === 1 ? '' : 's'} (${c.complete} complete, ${c.pruned} pruned, ${c.failed} failed)`,
    `${study.strategy.name}, seed ${study.seed}`,
  ];
  if (best) parts.push(`best ${study.objective} ${fmt(best.value)} (trial ${best.number})`);
  if (state.elapsedS !== null) parts.push(formatSeconds(state.elapsedS));
  return parts.join(' · ');
}

function runningLine(study: StudyLike): string | null {
  const t = study.running;
  if (!t) return null;
  const params = Object.entries(t.params)
    .map(([k, v]) => `${k}=${formatValue(v)}`)
    .join(', ');
  const last = t.intermediate.at(-1);
  return `trial ${t.number}: epoch ${t.epochs}/${study.epochs}${last ? `, ${study.objective} ${fmt(last[1])}` : ''} — ${params}`;
}

/** The status and best-configurations table as HTML. */
export function studyHtml(study: StudyLike, state: ViewState, k = 5): string {
  const names = Object.keys(study.space);
  const top = study.top(k);
  const rows = top
    .map(
      (t, i) =>
        `<tr><td>${i + 1}</td><td>${t.number}</td><td><b>${fmt(t.value)}</b></td>${names.map((n) => `<td>${escapeHtml(formatValue(t.params[n]!))}</td>`).join('')}<td>${t.epochs}</td><td>${t.seconds.toFixed(1)}</td></tr>`,
    )
    .join('');
  const table = top.length
    ? `<table><thead><tr><th>rank</th><th>trial</th><th>${escapeHtml(study.objective)}</th>${names.map((n) => `<th>${escapeHtml(n)}</th>`).join('')}<th>epochs</th><th>seconds</th></tr></thead><tbody>${rows}</tbody></table>`
    : '<p><i>No complete trial yet.</i></p>';
  const running = runningLine(study);
  const failures = study.trials.filter((t) => t.status === 'failed').slice(-3);
  return [
    '<div class="lepton-tune">',
    `<p><b>${escapeHtml(headline(study, state))}</b></p>`,
    running && state.status === 'running' ? `<p>Running ${escapeHtml(running)}</p>` : '',
    `<p>Best configurations:</p>${table}`,
    failures.length
      ? `<p>${failures.map((t) => `Trial ${t.number} failed: ${escapeHtml(t.error ?? '')}`).join('<br>')}</p>`
      : '',
    state.message ? `<p>${escapeHtml(state.message)}</p>` : '',
    study.path ? `<p><small>Saved to ${escapeHtml(study.path)}</small></p>` : '',
    '</div>',
  ].join('');
}

/** The same as plain text. */
export function studyText(study: StudyLike, state: ViewState, k = 5): string {
  const names = Object.keys(study.space);
  const lines = [headline(study, state)];
  const running = runningLine(study);
  if (running && state.status === 'running') lines.push(`running ${running}`);
  const top = study.top(k);
  if (top.length) {
    lines.push('best configurations:');
    top.forEach((t, i) =>
      lines.push(
        `  ${i + 1}. trial ${t.number}: ${study.objective} ${fmt(t.value)} — ${names.map((n) => `${n}=${formatValue(t.params[n]!)}`).join(', ')}`,
      ),
    );
  }
  for (const t of study.trials.filter((t) => t.status === 'failed').slice(-3))
    lines.push(`trial ${t.number} failed: ${t.error}`);
  if (state.message) lines.push(state.message);
  return lines.join('\n');
}

/** The study's chart, described in its text form by the trials it shows. */
function trialChart(study: StudyLike): Displayable {
  const chart = new Chart(studyChart(study));
  const [best] = study.top(1);
  const text = `<trial chart of ${study.name}: ${study.trials.length} trials${best ? `, best ${study.objective} ${fmt(best.value)} at trial ${best.number}` : ''}>`;
  return { [displaySymbol]: () => ({ ...chart[displaySymbol](), 'text/plain': text }) };
}

/** Options of the live view. */
export interface TuneViewOptions {
  /** Whether to display at all (default true). */
  show?: boolean;
  /** Most table updates per second during a trial (default 2); trial ends and the final state always go out. */
  maxUpdatesPerS?: number;
}

let views = 0;

/** The live outputs of one search: shown once, then updated in place. */
export class TuneView {
  readonly state: ViewState = { status: 'running', message: null, elapsedS: 0 };
  private readonly id = `lepton-tune-${process.pid.toString(36)}-${(++views).toString(36)}-${Date.now().toString(36)}`;
  private readonly show: boolean;
  private readonly minIntervalMs: number;
  private readonly started = Date.now();
  private shown = false;
  private lastSent = 0;
  /** Update messages sent (tests check the rate bound). */
  updates = 0;

  constructor(
    private readonly study: StudyLike,
    options: TuneViewOptions = {},
  ) {
    this.show = options.show ?? true;
    this.minIntervalMs = 1000 / (options.maxUpdatesPerS ?? 2);
  }

  /** The display ids of the chart and of the table. */
  get displayIds(): { chart: string; table: string } {
    return { chart: `${this.id}-chart`, table: `${this.id}-table` };
  }

  /**
   * Shows the view (first call) or updates it.
   * @param chart also redraw the chart (after a trial; the chart does not change during one)
   * @param force send even if the last update was too recent
   */
  refresh(chart = false, force = false): void {
    if (!this.show) return;
    const now = Date.now();
    if (this.shown && !force && !chart && now - this.lastSent < this.minIntervalMs) return;
    this.lastSent = now;
    this.state.elapsedS = (now - this.started) / 1000;
    const table = {
      [Symbol.for('Jupyter.display')]: () => ({
        'text/html': studyHtml(this.study, this.state),
        'text/plain': studyText(this.study, this.state),
      }),
    };
    const ids = this.displayIds;
    if (!this.shown) {
      this.shown = true;
      display(trialChart(this.study), { id: ids.chart });
      display(table, { id: ids.table });
      return;
    }
    this.updates++;
    if (chart) display.update(ids.chart, trialChart(this.study));
    display.update(ids.table, table);
  }

  /** Ends the search: its status and message, sent with the final chart and table (what the saved notebook keeps). */
  finish(status: Exclude<SearchStatus, 'running' | 'saved'>, message: string | null): void {
    this.state.status = status;
    this.state.message = message;
    this.refresh(true, true);
  }
}
