/**
 * `lepton.automl(df, { target, budget })`: from a table and a target to a fitted, deployable pipeline. It checks
 * the data (`lepton.check`) and plans the columns, makes the folds (time-aware when a date column orders the
 * rows), searches the model families under the budget with a live leaderboard, and refits the best trial's
 * preprocessing and model on every row.
 */
import type { ColumnTable } from 'arquero';
import { getHost } from '../display/host.js';
import { formatSeconds } from '../display/units.js';
import { kFold } from '../validate/kfold.js';
import { splitIndices } from '../preprocess/split.js';
import { timeSeriesSplit } from '../validate/time-series-split.js';
import type { Fold } from '../validate/folds.js';
import { planColumns, RowSource } from './columns.js';
import { AutomlError } from './errors.js';
import { FAMILIES, type Family } from './families/index.js';
import { Leaderboard, LeaderboardView } from './leaderboard.js';
import { higherBetter, resolveOptions, type AutomlOptions, type ResolvedOptions } from './options.js';
import { AutomlPipeline } from './pipeline.js';
import { AutomlResult } from './result.js';
import { search } from './search.js';
import { fitPair, type FittedPair } from './trial.js';
import { columnValues } from '../data/stats.js';

let lastResult: AutomlResult | undefined;

/**
 * How far past a budget in seconds the whole call may run: the search reserves the refit's estimated time inside
 * the budget, and a refit that trains in steps (trees, epochs) stops at the budget plus this margin (10 % of the
 * budget, at least 1 s), keeping what it has grown.
 */
export function budgetMargin(seconds: number): number {
  return Math.max(1, 0.1 * seconds);
}

/** The result of the most recent `lepton.automl` (also after an interrupted cell, whose call never returned). */
export function last(): AutomlResult | undefined {
  return lastResult;
}

function familiesFor(options: ResolvedOptions): Family[] {
  if (!options.families) return [...FAMILIES];
  return options.families.map((name) => {
    const family = FAMILIES.find((f) => f.name === name);
    if (!family)
      throw new AutomlError(
        'LEPTON_AUTOML_OPTIONS',
        `automl: unknown family ${JSON.stringify(name)}; the families are ${FAMILIES.map((f) => f.name).join(', ')}.`,
      );
    return family;
  });
}

function foldsFor(frame: ColumnTable, options: ResolvedOptions): Fold[] {
  const n = frame.numRows();
  const stratify = options.task === 'classification' ? columnValues(frame, options.target) : undefined;
  if (options.folds === 1) {
    // One holdout split: the last 20 % of the rows when they are ordered in time, else a seeded (stratified) 20 %.
    if (options.time) {
      const cut = Math.round(n * 0.8);
      return [
        {
          train: Int32Array.from({ length: cut }, (_, i) => i),
          test: Int32Array.from({ length: n - cut }, (_, i) => cut + i),
        },
      ];
    }
    const { train, test } = splitIndices(n, {
      testSize: 0.2,
      seed: options.seed,
      ...(stratify ? { labels: stratify } : {}),
    });
    return [{ train, test }];
  }
  if (options.time) return timeSeriesSplit(n, { folds: options.folds });
  return kFold(n, { folds: options.folds, seed: options.seed, shuffle: true, ...(stratify ? { stratify } : {}) });
}

/**
 * Searches model families and their parameters for the best pipeline predicting `target`. Under a budget in
 * seconds the search keeps the final refit's estimated time free, so the call ends within the budget plus a margin
 * of 10 % (at least 1 s; see `budgetMargin`).
 * @param df the table, target included, raw (missing values, text categories and dates are handled)
 * @param options target, budget (`{ seconds }` or `{ trials }`), and optionally task, metric, cv, time, families, seed
 * @returns `{ best, leaderboard, pipeline, check, excluded, fixes }`; `best` predicts on raw DataFrames and deploys with `lepton.deploy(result.best)`
 * @example const result = await lepton.automl(flights, { target: 'late', budget: { seconds: 60 }, seed: 0 })
 */
export async function automl(df: ColumnTable, options: AutomlOptions): Promise<AutomlResult> {
  // The budget counts from the call: the data check and the column plan spend it too (seconds on a large table).
  const started = Date.now();
  const resolved = resolveOptions(df, options);
  const families = familiesFor(resolved);
  const { plan, frame } = planColumns(df, resolved.target, resolved.time);
  const folds = foldsFor(frame, resolved);
  const fixes: string[] = [];
  if (plan.droppedRows)
    fixes.push(`dropped ${plan.droppedRows.toLocaleString('en-US')} rows whose ${resolved.target} is missing`);
  for (const e of plan.excluded) fixes.push(`excluded ${e.column} (${e.reason}): ${e.message}`);
  const missing = plan.report
    .toJSON()
    .columnReports.filter(
      (c) => c.missing > 0 && c.name !== resolved.target && !plan.excluded.some((e) => e.column === c.name),
    );
  if (missing.length)
    fixes.push(
      `imputed missing values in ${missing.map((c) => `${c.name} (${c.missing})`).join(', ')}, fitted inside each fold`,
    );
  if (resolved.time) fixes.push(`rows are ordered by ${resolved.time}: folds train on the past and test on the future`);

  const board = new Leaderboard(resolved.metric, higherBetter(resolved.metric) ? 'max' : 'min', resolved.seconds);
  const view = new LeaderboardView(board, resolved.live);
  const signal = getHost().signal();
  const result = (best: AutomlPipeline | null) => new AutomlResult(best, board, plan.report, plan.excluded, fixes);
  let bestSoFar: AutomlPipeline | null = null;
  lastResult = result(null);
  // After an interrupt the kernel may never resume this function: the leaderboard says so at once.
  const onAbort = () => {
    board.state = 'interrupted';
    board.message = `Interrupted: the ${board.entries.length} finished trials are kept; lepton.automl.last() returns them and the best pipeline so far.`;
    view.refresh();
  };
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    view.refresh();
    const rows = new RowSource(frame);
    // The best so far is published after every new best: after an interrupt the kernel may never resume this call.
    const onBest = (pair: FittedPair | null) => {
      const entry = board.best;
      if (!entry || !pair) return;
      const fold = folds.length - 1;
      bestSoFar = new AutomlPipeline(
        entry.family,
        entry.params,
        pair,
        resolved,
        `the training rows of fold ${fold} (${folds[fold]!.train.length.toLocaleString('en-US')} rows; the search was interrupted before the refit on every row)`,
      );
      lastResult = result(bestSoFar);
    };
    const outcome = await search({
      rows,
      folds,
      plan,
      options: resolved,
      families,
      board,
      view,
      signal,
      started,
      onBest,
    });
    // The refit takes the trial the one-standard-error rule picks (see Leaderboard.chosen), not always the top score.
    const bestEntry = board.chosen();
    if (outcome.ended === 'interrupted' || signal.aborted) {
      onAbort();
      return lastResult;
    }
    if (!bestEntry || !outcome.bestPair) {
      board.state = 'finished';
      board.message = 'No trial completed: see the failures above.';
      view.refresh();
      return lastResult;
    }
    board.message = `Refitting ${bestEntry.family} on all ${frame.numRows().toLocaleString('en-US')} rows…`;
    view.refresh();
    const family = families.find((f) => f.name === bestEntry.family)!;
    const refitDeadline = started + (resolved.seconds + budgetMargin(resolved.seconds)) * 1000;
    const pair = await fitPair(family, bestEntry.params, frame, plan, resolved, resolved.seed, refitDeadline);
    const cut = Date.now() > refitDeadline;
    outcome.bestPair.model.dispose();
    const best = new AutomlPipeline(
      bestEntry.family,
      bestEntry.params,
      pair,
      resolved,
      `all ${frame.numRows().toLocaleString('en-US')} rows`,
    );
    lastResult = result(best);
    board.state = 'finished';
    const why = {
      budget: 'the budget was spent',
      trials: 'every trial of the budget ran',
      interrupted: 'interrupted',
      'no-family-fits': 'no further trial fits in the time left',
    }[outcome.ended];
    board.message = `Ran ${board.entries.length} trials in ${formatSeconds((Date.now() - started) / 1000)} (${why}). Picked trial ${bestEntry.trial} (${bestEntry.family})${bestEntry !== board.best ? ', within one standard error of the top score and earlier' : ''}, refitted on every row${cut ? ' (the refit was stopped at the budget and its margin, keeping the trees or epochs trained by then)' : ''}.`;
    view.refresh();
    return lastResult;
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}
