/**
 * What `lepton.automl` returns: the best pipeline, the leaderboard, the fitted preprocessing, and what the data
 * check fixed or excluded — displayed as one summary.
 */
import type { DataQualityReport } from '../check/index.js';
import { displaySymbol, type MimeBundle } from '../display/mime.js';
import type { Pipeline } from '../preprocess/pipeline.js';
import type { ExcludedColumn } from './columns.js';
import type { Leaderboard, SearchState } from './leaderboard.js';
import type { AutomlPipeline } from './pipeline.js';

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** The outcome of a search. */
export class AutomlResult {
  /**
   * Made by `lepton.automl`. @internal
   * @param best the best pipeline (null when no trial completed)
   * @param leaderboard every trial, ranked
   * @param check the data-quality report the column plan came from
   * @param excluded the columns left out, with the reason
   * @param fixes what was done to the data before the search, one sentence each
   */
  constructor(
    readonly best: AutomlPipeline | null,
    readonly leaderboard: Leaderboard,
    readonly check: DataQualityReport,
    readonly excluded: ExcludedColumn[],
    readonly fixes: string[],
  ) {}

  /** The best pipeline's fitted preprocessing (a `lepton.preprocess` pipeline), or null. */
  get pipeline(): Pipeline | null {
    return this.best?.transforms ?? null;
  }

  /** `finished`, or `interrupted` (the leaderboard and the best so far are kept). */
  get status(): SearchState {
    return this.leaderboard.state;
  }

  /** The summary as text. */
  toString(): string {
    const lines = [`AutoML on ${this.leaderboard.metric}: ${this.leaderboard.headline()}`];
    for (const fix of this.fixes) lines.push(`check: ${fix}`);
    if (this.best) lines.push(`best: ${this.best.toString()}`);
    lines.push(this.leaderboard.toString(5));
    return lines.join('\n');
  }

  /** Shows what the check did, the best pipeline and the leaderboard in a notebook. */
  [displaySymbol](): MimeBundle {
    const fixes = this.fixes.length
      ? `<p>Before the search:</p><ul>${this.fixes.map((f) => `<li>${escapeHtml(f)}</li>`).join('')}</ul>`
      : '<p>The data check found nothing to fix or exclude.</p>';
    const best = this.best
      ? `<p><b>Best:</b> ${escapeHtml(this.best.toString())}</p>`
      : '<p><b>No trial completed.</b></p>';
    return {
      'text/html': `<div class="lepton-automl-result">${fixes}${best}${this.leaderboard.toHTML(10)}</div>`,
      'text/plain': this.toString(),
    };
  }
}
