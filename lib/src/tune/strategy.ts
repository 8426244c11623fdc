/**
 * What every search strategy implements, and the seeded randomness they share. A strategy is a pure function of
 * the study's seed, the trial number and the finished trials: the same inputs give the same parameters, so a
 * resumed study proposes exactly what an uninterrupted one would have.
 */
import { seededRandom, type Random } from '../core/random.js';
import type { StrategySpec, TrialRecord } from './format.js';
import type { ParamValues, Space } from './space.js';

/** What a strategy is told when it proposes or judges a trial. */
export interface StrategyContext {
  space: Space;
  /** The study's seed. */
  seed: number;
  /** Whether lower or higher objective values are better. */
  direction: 'min' | 'max';
  /** Most epochs one trial trains (Hyperband's maximum budget). */
  epochs: number;
}

/** A search strategy: proposes each trial's parameters and may stop running trials early. */
export interface Strategy {
  /** The strategy and its settings, as the study file stores them. */
  readonly spec: StrategySpec;
  /**
   * The parameters of trial `number`.
   * @param number the new trial's number (0-based)
   * @param trials the finished trials so far (complete, pruned, failed), in order
   */
  suggest(number: number, trials: readonly TrialRecord[]): ParamValues;
  /** Hyperband's bracket of trial `number`; null for strategies without brackets. */
  bracket(number: number): number | null;
  /**
   * Whether a running trial should stop after reporting its value at an epoch (Hyperband's successive halving).
   * @param trial the running trial, its latest report last in `intermediate`
   * @param trials the finished trials
   */
  shouldStop(trial: TrialRecord, trials: readonly TrialRecord[]): boolean;
}

/** A 32-bit mix of integers (murmur3's finaliser over a running hash), to derive independent seeds. */
export function mixSeed(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const part of parts) {
    h = Math.imul(h ^ (part >>> 0), 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return h >>> 0;
}

/** The random stream of one purpose (`salt`) in one trial: independent of every other trial's stream. */
export function trialRandom(seed: number, number: number, salt = 0): Random {
  return seededRandom(mixSeed(seed, number, salt));
}

/** Whether `a` is better than `b` in `direction`. */
export const better = (a: number, b: number, direction: 'min' | 'max') => (direction === 'max' ? a > b : a < b);

/** Sorts values best first. */
export const bestFirst = (direction: 'min' | 'max') => (a: number, b: number) => (direction === 'max' ? b - a : a - b);
