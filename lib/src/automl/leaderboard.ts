/**
 * The leaderboard of a search — one row per trial: family, parameters, cross-validated score ± std over the
 * folds, fit time — and its live view: a table and a chart updated in place under their display ids as trials
 * finish, as the tune view does (its best-so-far line and value formatting are reused from `tune/view.ts`).
 */
import type { TopLevelSpec } from 'vega-lite';
import { display } from '../display/display.js';
import { displaySymbol, type Displayable, type MimeBundle } from '../display/mime.js';
import { formatSeconds } from '../display/units.js';
import { Chart, vegaLiteSchema } from '../plot/chart.js';
import { formatValue, type ParamValues } from '../tune/space.js';
import { bestSoFar } from '../tune/view.js';

/** One finished trial. */
export interface LeaderboardEntry {
  /** The trial's number, from 0, in the order trials ran. */
  trial: number;
  /** The model family. */
  family: string;
  /** Its parameters. */
  params: ParamValues;
  /** Mean of the fold scores (null when the trial failed). */
  score: number | null;
  /** Standard deviation of the fold scores. */
  std: number | null;
  /** The score of each fold. */
  folds: number[];
  /** Seconds the trial took: preprocessing, training and scoring over every fold. */
  seconds: number;
  /** `complete`, or `failed` with its error. */
  status: 'complete' | 'failed';
  /** Why it failed. */
  error: string | null;
}

/** A leaderboard as plain data (`leaderboard.toJSON()`). */
export interface LeaderboardJSON {
  /** The metric trials are ranked by. */
  metric: string;
  /** Whether higher (`max`) or lower (`min`) scores are better. */
  direction: 'min' | 'max';
  /** How the search stands. */
  state: SearchState;
  /** Every finished trial, in the order they ran. */
  entries: LeaderboardEntry[];
}

/** How the search stands. */
export type SearchState = 'running' | 'finished' | 'interrupted';

/** The value with 4 significant digits. */
const fmt = (v: number | null) => (v === null ? '–' : Math.abs(v) >= 1000 ? v.toFixed(1) : v.toPrecision(4));
const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const describeParams = (params: ParamValues) =>
  Object.entries(params)
    .map(([k, v]) => `${k}=${formatValue(v)}`)
    .join(', ') || '—';

/** The trials of a search, ranked by cross-validated score. */
export class Leaderboard {
  /** Every finished trial, in the order they ran. */
  readonly entries: LeaderboardEntry[] = [];
  /** How the search stands. */
  state: SearchState = 'running';
  /** A sentence on how the search ended, or what runs now. */
  message: string | null = null;
  /** Seconds since the search began. */
  elapsedS = 0;

  /**
   * @param metric the score's name (`accuracy`, `rmse`, …)
   * @param direction whether higher or lower scores are better
   * @param budgetS the budget in seconds (Infinity for a budget in trials)
   */
  constructor(
    readonly metric: string,
    readonly direction: 'min' | 'max',
    readonly budgetS: number,
  ) {}

  /** Complete trials, best first (ties: the earlier trial). */
  ranked(): LeaderboardEntry[] {
    const sign = this.direction === 'max' ? -1 : 1;
    return this.entries
      .filter((e) => e.status === 'complete')
      .sort((a, b) => sign * (a.score! - b.score!) || a.trial - b.trial);
  }

  /** The best complete trial, or null. */
  get best(): LeaderboardEntry | null {
    return this.ranked()[0] ?? null;
  }

  /**
   * The trial the search picks: the earliest complete trial whose score is within one standard error (std / √folds)
   * of the best score — Breiman's one-standard-error rule. Trials run defaults first, so a tuned configuration
   * replaces them only when it is better by more than the folds' noise (on small tables TPE otherwise chases it).
   */
  chosen(): LeaderboardEntry | null {
    const ranked = this.ranked();
    const top = ranked[0];
    if (!top) return null;
    const se = (top.std ?? 0) / Math.sqrt(Math.max(1, top.folds.length));
    const within = ranked.filter((e) =>
      this.direction === 'max' ? e.score! >= top.score! - se : e.score! <= top.score! + se,
    );
    return within.reduce((a, b) => (b.trial < a.trial ? b : a));
  }

  /** The best trial of each family, best family first. */
  byFamily(): LeaderboardEntry[] {
    const seen = new Set<string>();
    return this.ranked().filter((e) => !seen.has(e.family) && seen.add(e.family));
  }

  /** The entries as plain data. */
  toJSON(): LeaderboardJSON {
    return {
      metric: this.metric,
      direction: this.direction,
      state: this.state,
      entries: this.entries.map((e) => ({ ...e, params: { ...e.params }, folds: [...e.folds] })),
    };
  }

  /** One line on the search so far. */
  headline(): string {
    const word = { running: 'Searching', finished: 'Finished', interrupted: 'Interrupted' }[this.state];
    const failed = this.entries.filter((e) => e.status === 'failed').length;
    const parts = [
      `${word}: ${this.entries.length} trial${this.entries.length === 1 ? '' : 's'}${failed ? ` (${failed} failed)` : ''}`,
    ];
    const best = this.best;
    if (best)
      parts.push(`best ${best.family} ${this.metric} ${fmt(best.score)} ± ${fmt(best.std)} (trial ${best.trial})`);
    parts.push(
      Number.isFinite(this.budgetS)
        ? `${formatSeconds(this.elapsedS)} of ${formatSeconds(this.budgetS)}`
        : formatSeconds(this.elapsedS),
    );
    return parts.join(' · ');
  }

  /** The table as HTML: the `k` best trials, then the best of each family not among them. */
  toHTML(k = 10): string {
    const chosen = this.chosen();
    const rows = this.shown(k)
      .map(
        (e, i) =>
          `<tr><td>${i + 1}${e === chosen ? ' ★' : ''}</td><td>${e.trial}</td><td><b>${escapeHtml(e.family)}</b></td><td><b>${fmt(e.score)}</b> ± ${fmt(e.std)}</td><td style="text-align:left">${escapeHtml(describeParams(e.params))}</td><td>${e.seconds.toFixed(1)}</td></tr>`,
      )
      .join('');
    const table = rows
      ? `<table><thead><tr><th>rank</th><th>trial</th><th>family</th><th>${escapeHtml(this.metric)} (CV)</th><th>params</th><th>fit s</th></tr></thead><tbody>${rows}</tbody></table>`
      : '<p><i>No complete trial yet.</i></p>';
    const failures = this.entries.filter((e) => e.status === 'failed').slice(-3);
    return [
      '<div class="lepton-automl">',
      `<p><b>${escapeHtml(this.headline())}</b></p>`,
      table,
      chosen && chosen !== this.best
        ? `<p>★ picked: trial ${chosen.trial} (${escapeHtml(chosen.family)}) scores within one standard error of the best and ran earlier (one-standard-error rule).</p>`
        : '',
      failures.length
        ? `<p>${failures.map((e) => `Trial ${e.trial} (${escapeHtml(e.family)}) failed: ${escapeHtml(e.error ?? '')}`).join('<br>')}</p>`
        : '',
      this.message ? `<p>${escapeHtml(this.message)}</p>` : '',
      '</div>',
    ].join('');
  }

  /** The same as plain text. */
  toString(k = 10): string {
    const lines = [this.headline()];
    const chosen = this.chosen();
    this.shown(k).forEach((e, i) =>
      lines.push(
        `  ${i + 1}.${e === chosen ? '★' : ''} ${e.family} ${this.metric} ${fmt(e.score)} ± ${fmt(e.std)} · ${e.seconds.toFixed(1)} s · trial ${e.trial}: ${describeParams(e.params)}`,
      ),
    );
    for (const e of this.entries.filter((x) => x.status === 'failed').slice(-3))
      lines.push(`trial ${e.trial} (${e.family}) failed: ${e.error}`);
    if (this.message) lines.push(this.message);
    return lines.join('\n');
  }

  /** The leaderboard's chart: each trial's score by family, with the best so far. */
  chart(): TopLevelSpec {
    const records = this.entries.map((e) => ({ number: e.trial, status: e.status, value: e.score }));
    const points = this.entries
      .filter((e) => e.status === 'complete')
      .map((e) => ({ trial: e.trial, score: e.score, std: e.std, family: e.family, params: describeParams(e.params) }));
    const x = { field: 'trial', type: 'quantitative', title: 'trial', axis: { tickMinStep: 1 } };
    return {
      $schema: vegaLiteSchema,
      width: 360,
      height: 200,
      title: {
        text: `${this.metric} by trial (cross-validated; ${this.direction === 'max' ? 'higher' : 'lower'} is better)`,
        anchor: 'start',
      },
      layer: [
        {
          data: { values: points },
          mark: { type: 'point', filled: true, size: 60 },
          encoding: {
            x,
            y: { field: 'score', type: 'quantitative', title: this.metric, scale: { zero: false } },
            color: { field: 'family', type: 'nominal' },
            tooltip: [
              { field: 'trial' },
              { field: 'family' },
              { field: 'score', format: '.4' },
              { field: 'std', format: '.3' },
              { field: 'params' },
            ],
          },
        },
        {
          data: { values: bestSoFar(records as never, this.direction) },
          mark: { type: 'line', interpolate: 'step-after', color: '#ff7f0e', strokeWidth: 2 },
          encoding: { x, y: { field: 'best', type: 'quantitative' } },
        },
      ],
    } as unknown as TopLevelSpec;
  }

  /** The rows shown: the k best, then the best of each family not among them. */
  private shown(k: number): LeaderboardEntry[] {
    const top = this.ranked().slice(0, k);
    return [...top, ...this.byFamily().filter((e) => !top.includes(e))];
  }

  /** Shows the table in a notebook. */
  [displaySymbol](): MimeBundle {
    return { 'text/html': this.toHTML(), 'text/plain': this.toString() };
  }
}

let views = 0;

/** The live outputs of a search: the leaderboard table and its chart, shown once and updated in place. */
export class LeaderboardView {
  private readonly id = `lepton-automl-${process.pid.toString(36)}-${(++views).toString(36)}-${Date.now().toString(36)}`;
  private shown = false;
  private readonly started = Date.now();

  /**
   * @param board the leaderboard shown
   * @param show whether to display at all
   */
  constructor(
    private readonly board: Leaderboard,
    private readonly show: boolean,
  ) {}

  /** Shows the view (first call) or updates it with the board as it is now. */
  refresh(): void {
    this.board.elapsedS = (Date.now() - this.started) / 1000;
    if (!this.show) return;
    const chart = this.chartOutput();
    const table: Displayable = { [displaySymbol]: () => this.board[displaySymbol]() };
    if (!this.shown) {
      this.shown = true;
      display(table, { id: `${this.id}-table` });
      display(chart, { id: `${this.id}-chart` });
      return;
    }
    display.update(`${this.id}-table`, table);
    display.update(`${this.id}-chart`, chart);
  }

  private chartOutput(): Displayable {
    const chart = new Chart(this.board.chart());
    const best = this.board.best;
    const text = `<leaderboard chart: ${this.board.entries.length} trials${best ? `, best ${best.family} ${this.board.metric} ${fmt(best.score)}` : ''}>`;
    return { [displaySymbol]: () => ({ ...chart[displaySymbol](), 'text/plain': text }) };
  }
}
