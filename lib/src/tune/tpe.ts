/**
 * Bayesian optimisation with a tree-structured Parzen estimator (Bergstra et al., 2011), with the defaults and the
 * estimator of Optuna's `TPESampler` (4.x–5.x) so results compare with it:
 *
 * - the first `startupTrials` (10) trials sample the space at random;
 * - then the finished trials are split into the best γ(n) = min(⌈0.1·n⌉, 25) ("below") and the rest ("above"),
 *   complete trials ranked by value first, pruned ones after them by how far they got;
 * - each group becomes a mixture with one component per trial plus a wide prior; a component is, per parameter, a
 *   truncated normal (in log space for log ranges, its bandwidth the distance to its neighbours clipped by the
 *   "magic clip") or for a choice a smoothed histogram — jointly over all parameters (multivariate, Optuna's
 *   default for one objective) or one parameter at a time (`multivariate: false`, the original TPE);
 * - `candidates` (24) points are drawn from the "below" mixture and the one maximising l(x) / g(x) is proposed.
 */
import type { Random } from '../core/random.js';
import type { TrialRecord } from './format.js';
import { sampleSpace, type ChoiceValue, type ParamSpec, type ParamValues, type Space } from './space.js';
import { trialRandom, type Strategy, type StrategyContext } from './strategy.js';
import { TuneError } from './errors.js';

/** Options of the `tpe` strategy. */
export interface TpeOptions {
  /** Random trials before the estimator is used (default 10, as Optuna). */
  startupTrials?: number;
  /** Candidates drawn from the good-trials model; the most promising is tried (default 24). */
  candidates?: number;
  /**
   * Model the parameters jointly (default true, as Optuna 4+ does for one objective) or each on its own (the
   * original TPE, Optuna's `multivariate=False`).
   */
  multivariate?: boolean;
}

const priorWeight = 1;

/** Optuna's γ: how many of n finished trials count as good. */
export const gamma = (n: number) => Math.min(Math.ceil(0.1 * n), 25);

/** Optuna's default weights: equal under 25 observations, else the older ones ramp down from 1/n. */
export function observationWeights(n: number): number[] {
  if (n < 25) return new Array<number>(n).fill(1);
  const ramp = Array.from({ length: n - 25 }, (_, i) => (n - 25 === 1 ? 1 / n : 1 / n + ((1 - 1 / n) * i) / (n - 26)));
  return [...ramp, ...new Array<number>(25).fill(1)];
}

/** erfc with fractional error < 1.2e-7 everywhere (Numerical Recipes' erfcc), accurate in the tails. */
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

/** P(za < Z < zb) for a standard normal Z, computed on the side of the tail both ends are in (no cancellation). */
function normalMass(za: number, zb: number): number {
  if (za >= 0) return 0.5 * (erfc(za / Math.SQRT2) - erfc(zb / Math.SQRT2));
  if (zb <= 0) return 0.5 * (erfc(-zb / Math.SQRT2) - erfc(-za / Math.SQRT2));
  return 1 - 0.5 * erfc(-za / Math.SQRT2) - 0.5 * erfc(zb / Math.SQRT2);
}

function standardNormal(random: Random): number {
  // Box–Muller; 1 − u keeps the logarithm's argument in (0, 1].
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

function logSumExp(values: number[]): number {
  const max = Math.max(...values);
  if (max === -Infinity) return -Infinity;
  return max + Math.log(values.reduce((s, v) => s + Math.exp(v - max), 0));
}

/**
 * One parameter's kernels: component k (one per observation, then the prior) can be sampled and scored. A
 * univariate estimator mixes one parameter's kernels; the multivariate one mixes products of all parameters'.
 */
interface Kernels {
  sample(k: number, random: Random): ChoiceValue;
  logPdf(k: number, value: ChoiceValue): number;
}

/** Normalised mixture weights: each observation's, then the prior's. */
function mixtureWeights(n: number): number[] {
  const w = n === 0 ? [1] : [...observationWeights(n), priorWeight];
  const total = w.reduce((a, b) => a + b, 0);
  return w.map((v) => v / total);
}

function pick(weights: number[], random: Random): number {
  let u = random();
  for (let i = 0; i < weights.length; i++) {
    u -= weights[i]!;
    if (u < 0) return i;
  }
  return weights.length - 1;
}

/** Optuna's bandwidths: each point's larger gap to its neighbours (the range ends count), clipped. */
function bandwidths(mus: number[], lo: number, hi: number): number[] {
  const order = mus.map((_, i) => i).sort((a, b) => mus[a]! - mus[b]!);
  const sorted = [lo, ...order.map((i) => mus[i]!), hi];
  const sortedSigmas = order.map((_, k) => Math.max(sorted[k + 1]! - sorted[k]!, sorted[k + 2]! - sorted[k + 1]!));
  // Optuna's default consider_endpoints=False: the outermost points look only inward.
  if (sorted.length >= 4) {
    sortedSigmas[0] = sorted[2]! - sorted[1]!;
    sortedSigmas[sortedSigmas.length - 1] = sorted[sorted.length - 2]! - sorted[sorted.length - 3]!;
  }
  const sigmas = new Array<number>(mus.length);
  order.forEach((i, k) => (sigmas[i] = sortedSigmas[k]!));
  // The "magic clip": no kernel narrower than the range over min(100, kernels + 1), none wider than the range.
  const minSigma = (hi - lo) / Math.min(100, mus.length + 2);
  return sigmas.map((s) => Math.min(hi - lo, Math.max(minSigma, s)));
}

function numericKernels(p: Extract<ParamSpec, { kind: 'int' | 'float' }>, observed: number[]): Kernels {
  // Work in the space where sampling is uniform: log for log ranges; ints widened by half a step on each side.
  const half = p.kind === 'int' ? 0.5 : 0;
  const fwd = (v: number) => (p.log ? Math.log(v) : v);
  const back = (t: number) => (p.log ? Math.exp(t) : t);
  const lo = fwd(p.low - half);
  const hi = fwd(p.high + half);
  const mus = observed.map(fwd);
  const sigmas = bandwidths(mus, lo, hi);
  mus.push((lo + hi) / 2);
  sigmas.push(hi - lo);
  const logZ = mus.map((mu, k) => Math.log(normalMass((lo - mu) / sigmas[k]!, (hi - mu) / sigmas[k]!)));
  const toValue = (t: number) => {
    const v = back(Math.min(hi, Math.max(lo, t)));
    return p.kind === 'int' ? Math.min(p.high, Math.max(p.low, Math.round(v))) : Math.min(p.high, Math.max(p.low, v));
  };
  return {
    sample(k, random) {
      const mu = mus[k]!;
      const sigma = sigmas[k]!;
      for (let i = 0; i < 1000; i++) {
        const t = mu + sigma * standardNormal(random);
        if (t >= lo && t <= hi) return toValue(t);
      }
      return toValue(mu);
    },
    logPdf(k, value) {
      const v = Number(value);
      const mu = mus[k]!;
      const s = sigmas[k]!;
      if (p.kind === 'int') {
        // An int's probability is the mass of its bin [v − ½, v + ½] (in log space for log ranges).
        const a = Math.max(lo, fwd(v - 0.5));
        const b = Math.min(hi, fwd(v + 0.5));
        return Math.log(normalMass((a - mu) / s, (b - mu) / s)) - logZ[k]!;
      }
      const z = (fwd(v) - mu) / s;
      return -0.5 * z * z - Math.log(s) - 0.5 * Math.log(2 * Math.PI) - logZ[k]!;
    },
  };
}

function choiceKernels(p: Extract<ParamSpec, { kind: 'choice' }>, observed: ChoiceValue[]): Kernels {
  const n = p.values.length;
  const kernels = observed.length + 1;
  // Each observation is a kernel putting weight 1 on its value plus prior/kernels smoothing everywhere (Optuna's).
  const rows = [...observed.map((v) => p.values.findIndex((c) => c === v)), -1].map((index) => {
    const row = new Array<number>(n).fill(observed.length === 0 ? 1 / n : priorWeight / kernels);
    if (index >= 0) row[index]! += 1;
    const sum = row.reduce((a, b) => a + b, 0);
    return row.map((r) => r / sum);
  });
  return {
    sample: (k, random) => p.values[pick(rows[k]!, random)]!,
    logPdf: (k, value) =>
      Math.log(
        rows[k]![
          Math.max(
            0,
            p.values.findIndex((c) => c === value),
          )
        ]!,
      ),
  };
}

function kernelsOf(p: ParamSpec, observed: ChoiceValue[]): Kernels {
  return p.kind === 'choice' ? choiceKernels(p, observed) : numericKernels(p, observed.map(Number));
}

/** A Parzen estimator over some parameters: a mixture whose components are products of the parameters' kernels. */
class ParzenEstimator {
  private readonly weights: number[];
  private readonly kernels: [string, Kernels][];

  constructor(space: Space, names: string[], trials: readonly TrialRecord[]) {
    this.weights = mixtureWeights(trials.length);
    this.kernels = names.map((name) => [
      name,
      kernelsOf(
        space[name]!,
        trials.map((t) => t.params[name]!),
      ),
    ]);
  }

  sample(random: Random): ParamValues {
    const k = pick(this.weights, random);
    const out: ParamValues = {};
    for (const [name, kernels] of this.kernels) out[name] = kernels.sample(k, random);
    return out;
  }

  logPdf(values: ParamValues): number {
    return logSumExp(
      this.weights.map(
        (w, k) =>
          Math.log(w) + this.kernels.reduce((sum, [name, kernels]) => sum + kernels.logPdf(k, values[name]!), 0),
      ),
    );
  }
}

/**
 * Splits finished trials into the `nBelow` best and the rest, as Optuna does: complete trials by value first,
 * then pruned trials by how far they got (then by their last value). Both groups come back in trial order.
 */
export function splitTrials(
  trials: readonly TrialRecord[],
  nBelow: number,
  direction: 'min' | 'max',
): { below: TrialRecord[]; above: TrialRecord[] } {
  const sign = direction === 'max' ? -1 : 1;
  const complete = trials
    .filter((t) => t.status === 'complete')
    .sort((a, b) => sign * (a.value! - b.value!) || a.number - b.number);
  const pruned = trials
    .filter((t) => t.status === 'pruned')
    .sort((a, b) => b.epochs - a.epochs || sign * (a.value! - b.value!) || a.number - b.number);
  const ranked = [...complete, ...pruned];
  const byNumber = (a: TrialRecord, b: TrialRecord) => a.number - b.number;
  return { below: ranked.slice(0, nBelow).sort(byNumber), above: ranked.slice(nBelow).sort(byNumber) };
}

/** A TPE strategy. */
export function tpeStrategy(context: StrategyContext, options: TpeOptions = {}): Strategy {
  const startupTrials = options.startupTrials ?? 10;
  const candidates = options.candidates ?? 24;
  const multivariate = options.multivariate ?? true;
  const names = Object.keys(context.space);
  if (!(Number.isInteger(startupTrials) && startupTrials >= 1))
    throw new TuneError(
      'LEPTON_TUNE_BAD_OPTION',
      `tpe startupTrials must be a whole number ≥ 1 (got ${startupTrials}).`,
    );
  if (!(Number.isInteger(candidates) && candidates >= 1))
    throw new TuneError('LEPTON_TUNE_BAD_OPTION', `tpe candidates must be a whole number ≥ 1 (got ${candidates}).`);
  return {
    spec: { name: 'tpe', startupTrials, candidates, multivariate },
    bracket: () => null,
    shouldStop: () => false,
    suggest(number, trials) {
      // Failed trials say nothing about the objective, as in Optuna.
      const observed = trials.filter(
        (t) => (t.status === 'complete' || t.status === 'pruned') && t.value !== null && Number.isFinite(t.value),
      );
      if (observed.length < startupTrials) return sampleSpace(context.space, trialRandom(context.seed, number));
      const { below, above } = splitTrials(observed, gamma(observed.length), context.direction);
      // Multivariate: all parameters drawn and judged together (one kernel per trial over every parameter), so
      // parameters that matter jointly (a learning rate and a batch size) are modelled jointly. Univariate: each
      // parameter on its own, with its own stream, so adding a parameter does not change how the others are drawn.
      const groups = multivariate ? [names] : names.map((name) => [name]);
      const params: ParamValues = {};
      groups.forEach((group, i) => {
        const random = trialRandom(context.seed, number, 1 + i);
        const good = new ParzenEstimator(context.space, group, below);
        const bad = new ParzenEstimator(context.space, group, above);
        let best: ParamValues = {};
        let bestScore = -Infinity;
        for (let c = 0; c < candidates; c++) {
          const values = good.sample(random);
          const score = good.logPdf(values) - bad.logPdf(values);
          if (c === 0 || score > bestScore) {
            best = values;
            bestScore = score;
          }
        }
        Object.assign(params, best);
      });
      return params;
    },
  };
}
