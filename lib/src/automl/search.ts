/**
 * The search loop: a first round with each family's defaults, then trials that go mostly to the leading family
 * and in turn to the others, each family's parameters proposed by its own TPE (`lepton.tune`'s strategy), until
 * the budget (seconds or trials) is spent or the cell is interrupted. A trial is not started when its expected
 * time (its family's mean so far) and the final refit no longer fit in the seconds left, and a family's first trial
 * may take at most half the time left (a family too slow for the budget fails there, and is not tried again).
 * The refit's expected time is reserved inside the budget: trials (and the trees or epochs inside them) stop where
 * that reserve begins, so search plus refit end near the budget (see `lepton.automl`).
 */
import { LeptonError } from '../core/errors.js';
import type { TrialRecord } from '../tune/format.js';
import type { ParamValues } from '../tune/space.js';
import { mixSeed, type Strategy } from '../tune/strategy.js';
import { tpeStrategy } from '../tune/tpe.js';
import type { Fold } from '../validate/folds.js';
import type { ColumnPlan, RowSource } from './columns.js';
import { AutomlError } from './errors.js';
import type { Family } from './families/index.js';
import type { Leaderboard, LeaderboardView } from './leaderboard.js';
import { higherBetter, type ResolvedOptions } from './options.js';
import { runTrial, type FittedPair } from './trial.js';

/** What the loop works with. */
export interface SearchContext {
  rows: RowSource;
  folds: Fold[];
  plan: ColumnPlan;
  options: ResolvedOptions;
  families: Family[];
  board: Leaderboard;
  view: LeaderboardView;
  signal: AbortSignal;
  /** When the search began (ms since the epoch). */
  started: number;
  /** Called when a trial becomes the best, with its last fold's fitted pair (kept as the best so far). */
  onBest(pair: FittedPair | null): void;
}

/** The search so far: the best trial's last fold pair (the best-so-far pipeline before the refit). */
export interface SearchOutcome {
  /** The best trial's fitted pair from its last fold, or null when no trial completed. */
  bestPair: FittedPair | null;
  /** Why the loop ended. */
  ended: 'budget' | 'trials' | 'interrupted' | 'no-family-fits';
}

/** A family's trials and proposer. */
interface FamilyState {
  family: Family;
  strategy: Strategy | null;
  records: TrialRecord[];
  /** Its first trial did not finish in half the time left: it is not tried again. */
  tooSlow: boolean;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const std = (xs: number[]) => {
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / xs.length);
};

/** Seconds a trial of `state`'s family is expected to take (its mean so far; the mean of all trials before one ran). */
function expected(state: FamilyState, all: FamilyState[]): number {
  if (state.tooSlow) return Infinity;
  const own = state.records.map((r) => r.seconds);
  if (own.length) return mean(own);
  const others = all.flatMap((s) => s.records.map((r) => r.seconds));
  return others.length ? mean(others) : 0;
}

/** Runs trials until the budget is spent; updates the leaderboard and its view after each. */
export async function search(context: SearchContext): Promise<SearchOutcome> {
  const { options, board, view, signal } = context;
  const rows = context.folds.reduce((n, f) => n + f.train.length, 0) / context.folds.length;
  const direction = higherBetter(options.metric) ? 'max' : 'min';
  const states: FamilyState[] = context.families.map((family, i) => {
    const space = family.space(options.task, rows);
    const strategy = space
      ? tpeStrategy({ space, seed: mixSeed(options.seed, i, 0x7e5), direction, epochs: 1 }, { startupTrials: 4 })
      : null;
    return { family, strategy, records: [], tooSlow: false };
  });
  const deadline = context.started + options.seconds * 1000;
  let bestPair: FittedPair | null = null;
  const fullRows = context.rows.rowCount;
  /**
   * Seconds the final refit on every row is expected to take: one fold of the trial it may take (the best or the
   * one the one-standard-error rule picks, whichever is slower), scaled to all rows. The search keeps this much of
   * the budget free, so that search and refit together end near the budget.
   */
  const refitSeconds = () => {
    const estimate = (entry: { seconds: number } | null) =>
      entry ? (entry.seconds / context.folds.length) * (fullRows / rows) : 0;
    return Math.max(estimate(board.best), estimate(board.chosen()));
  };
  /** When the search itself must end: the budget's end less the refit's reserve. */
  const searchEnd = () => deadline - refitSeconds() * 1000;
  const leader = () => {
    const best = board.best;
    return best ? (states.find((s) => s.family.name === best.family && s.strategy) ?? null) : null;
  };
  let turn = 0;
  const next = (): { state: FamilyState; params: ParamValues } | null => {
    const left = (searchEnd() - Date.now()) / 1000;
    const fits = (s: FamilyState) => expected(s, states) <= left;
    // First round: every family once, at its defaults, in registry order.
    const fresh = states.find((s) => s.records.length === 0);
    if (fresh)
      return fits(fresh) || board.entries.length === 0
        ? { state: fresh, params: fresh.family.defaults(options.task, rows) }
        : null;
    const tunable = states.filter((s) => s.strategy && fits(s));
    if (tunable.length === 0) return null;
    const lead = leader();
    // Two trials of three go to the leading family, the third to the others in turn.
    const others = tunable.filter((s) => s !== lead);
    const state =
      lead && tunable.includes(lead) && (turn % 3 !== 2 || others.length === 0)
        ? lead
        : (others[Math.floor(turn / 3) % Math.max(1, others.length)] ?? lead!);
    turn++;
    return { state, params: state.strategy!.suggest(state.records.length, state.records) };
  };
  let ended: SearchOutcome['ended'] = 'budget';
  for (;;) {
    if (signal.aborted) {
      ended = 'interrupted';
      break;
    }
    if (board.entries.length >= options.trials) {
      ended = 'trials';
      break;
    }
    const pick = next();
    if (!pick) {
      ended = Date.now() >= searchEnd() ? 'budget' : 'no-family-fits';
      break;
    }
    const { state, params } = pick;
    const number = board.entries.length;
    const seed = mixSeed(options.seed, number, 0x5eed) % 2 ** 31;
    board.message = `Running trial ${number}: ${state.family.name}${
      Object.keys(params).length
        ? ` (${Object.entries(params)
            .map(([k, v]) => `${k}=${String(v)}`)
            .join(', ')})`
        : ''
    }…`;
    view.refresh();
    const began = Date.now();
    const record: TrialRecord = {
      number: state.records.length,
      params,
      status: 'complete',
      value: null,
      intermediate: [],
      epochs: 1,
      bracket: null,
      seconds: 0,
      error: null,
      seed,
    };
    // The first trial always finishes (the budget was checked to pay for one). A family's first trial, whose cost is
    // unknown, may use half the time left, so that one slow family cannot spend the whole budget; later trials stop
    // where the refit's reserve begins. Models that train in steps (trees, epochs) stop there too, mid-fold.
    const end = searchEnd();
    const cap =
      board.entries.length === 0
        ? Infinity
        : state.records.length === 0
          ? Math.min(end, began + (end - began) / 2)
          : end;
    const stop = () => signal.aborted || Date.now() > cap;
    try {
      const outcome = await runTrial(
        state.family,
        params,
        context.rows,
        context.folds,
        context.plan,
        options,
        seed,
        stop,
        cap,
      );
      record.seconds = (Date.now() - began) / 1000;
      if (outcome.folds.length < context.folds.length) {
        // Cut short: not scored, and its model not kept.
        outcome.last?.model.dispose();
        // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- the flag changes while awaiting (abort signal), which narrowing cannot see
        if (signal.aborted || Date.now() >= end) {
          // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- the flag changes while awaiting (abort signal), which narrowing cannot see
          ended = signal.aborted ? 'interrupted' : 'budget';
          break;
        }
        state.tooSlow = true;
        throw new AutomlError(
          'LEPTON_AUTOML_TRIAL_TOO_SLOW',
          `did not finish ${context.folds.length} folds in ${record.seconds.toFixed(1)} s, half the time left; it is too slow for this budget`,
        );
      }
      record.value = mean(outcome.folds);
      board.entries.push({
        trial: number,
        family: state.family.name,
        params,
        score: record.value,
        std: std(outcome.folds),
        folds: outcome.folds,
        seconds: record.seconds,
        status: 'complete',
        error: null,
      });
      if (board.best?.trial === number) {
        bestPair?.model.dispose();
        bestPair = outcome.last;
        context.onBest(bestPair);
      } else outcome.last?.model.dispose();
    } catch (error) {
      // The search's own errors end it; a trial that was too slow only fails, and the search goes on.
      // `instanceof` on the generic class gives LeptonError<any>; its codes are strings.
      const code = error instanceof LeptonError ? (error as LeptonError).code : undefined;
      if (code?.startsWith('LEPTON_AUTOML') && code !== 'LEPTON_AUTOML_TRIAL_TOO_SLOW') throw error;
      record.seconds = (Date.now() - began) / 1000;
      record.status = 'failed';
      record.error = error instanceof Error ? error.message : String(error);
      board.entries.push({
        trial: number,
        family: state.family.name,
        params,
        score: null,
        std: null,
        folds: [],
        seconds: record.seconds,
        status: 'failed',
        error: record.error,
      });
    }
    state.records.push(record);
    board.message = null;
    view.refresh();
  }
  return { bestPair, ended };
}
