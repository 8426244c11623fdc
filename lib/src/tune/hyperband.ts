/**
 * Hyperband (Li et al., 2018) run the asynchronous way, as Optuna's HyperbandPruner and ASHA do, so trials can run
 * one after the other and a study can stop and resume between any two:
 *
 * - parameters are sampled at random (seeded per trial);
 * - each trial belongs to a bracket s ∈ 0…sMax (sMax = ⌊log_η(epochs / minEpochs)⌋); bracket s first judges a trial
 *   after epochs/η^s epochs, then at every η× that, below the full budget ("rungs"). Bracket 0 never stops early;
 *   the most aggressive bracket judges after `minEpochs`. Brackets get trials in Hyperband's proportions
 *   n_s = ⌈(sMax + 1) / (s + 1) · η^s⌉, in a seeded order;
 * - at a rung, a trial continues only if its value there is among the best 1/η of the values its bracket's trials
 *   reported at that rung (itself included; the best one always continues). The others stop: status `pruned`.
 */
import type { TrialRecord } from './format.js';
import { sampleSpace } from './space.js';
import { bestFirst, mixSeed, trialRandom, type Strategy, type StrategyContext } from './strategy.js';
import { permutation, seededRandom } from '../core/random.js';
import { TuneError } from './errors.js';

/** Options of the `hyperband` strategy. */
export interface HyperbandOptions {
  /** The fewest epochs a trial trains before it can be stopped (default 1). */
  minEpochs?: number;
  /** The reduction factor η: each rung keeps the best 1/η and trains them η× longer (default 3). */
  eta?: number;
}

/** The rungs (epochs at which trials are judged) of every bracket, for a maximum of `epochs`. */
export function hyperbandRungs(epochs: number, minEpochs: number, eta: number): number[][] {
  const sMax = Math.max(0, Math.floor(Math.log(epochs / minEpochs) / Math.log(eta) + 1e-9));
  const brackets: number[][] = [];
  for (let s = 0; s <= sMax; s++) {
    const rungs: number[] = [];
    for (let k = s; k >= 1; k--) {
      const at = Math.max(minEpochs, Math.round(epochs / eta ** k));
      if (at < epochs && !rungs.includes(at)) rungs.push(at);
    }
    brackets.push(rungs);
  }
  return brackets;
}

/** How many trials each bracket gets per round, in Hyperband's proportions. */
export function bracketShares(brackets: number, eta: number): number[] {
  return Array.from({ length: brackets }, (_, s) => Math.ceil((brackets / (s + 1)) * eta ** s));
}

/** A Hyperband strategy. */
export function hyperbandStrategy(context: StrategyContext, options: HyperbandOptions = {}): Strategy {
  const minEpochs = options.minEpochs ?? 1;
  const eta = options.eta ?? 3;
  if (!(Number.isInteger(minEpochs) && minEpochs >= 1))
    throw new TuneError('LEPTON_TUNE_BAD_OPTION', `hyperband minEpochs must be a whole number ≥ 1 (got ${minEpochs}).`);
  if (!(eta >= 2))
    throw new TuneError(
      'LEPTON_TUNE_BAD_OPTION',
      `hyperband eta must be ≥ 2 (got ${eta}): it is how many times fewer trials each rung keeps.`,
    );
  if (minEpochs > context.epochs)
    throw new TuneError(
      'LEPTON_TUNE_BAD_OPTION',
      `hyperband minEpochs (${minEpochs}) is more than epochs (${context.epochs}): lower minEpochs or raise epochs.`,
    );
  const rungs = hyperbandRungs(context.epochs, minEpochs, eta);
  const shares = bracketShares(rungs.length, eta);
  // One round of brackets in a seeded order, repeated: every run of sum(shares) trials has Hyperband's proportions.
  const round = shares.flatMap((n, s) => new Array<number>(n).fill(s));
  const order = permutation(round.length, seededRandom(mixSeed(context.seed, 0x4842)));
  const bracketOf = (number: number) => round[order[number % round.length]!]!;

  return {
    spec: { name: 'hyperband', minEpochs, eta },
    suggest: (number) => sampleSpace(context.space, trialRandom(context.seed, number)),
    bracket: bracketOf,
    shouldStop(trial, trials) {
      const last = trial.intermediate.at(-1);
      const bracket = trial.bracket ?? bracketOf(trial.number);
      if (!last || !rungs[bracket]!.includes(last[0])) return false;
      const [epoch, value] = last;
      if (!Number.isFinite(value)) return true;
      const atRung = (t: TrialRecord) => t.intermediate.find(([e]) => e === epoch)?.[1];
      const competing = trials
        .filter(
          (t) => t.number !== trial.number && t.status !== 'failed' && (t.bracket ?? bracketOf(t.number)) === bracket,
        )
        .map(atRung)
        .filter((v): v is number => v !== undefined && Number.isFinite(v));
      competing.push(value);
      competing.sort(bestFirst(context.direction));
      // Optuna's rule: promotable if at least as good as the ⌊n/η⌋-th best (the best always is).
      const cutoff = competing[Math.max(0, Math.floor(competing.length / eta) - 1)]!;
      return context.direction === 'max' ? value < cutoff : value > cutoff;
    },
  };
}
