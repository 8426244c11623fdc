/** Random search: every trial samples the space uniformly (log-uniformly on log ranges), from its own seeded stream. */
import { sampleSpace } from './space.js';
import { trialRandom, type Strategy, type StrategyContext } from './strategy.js';

/** A random-search strategy. */
export function randomStrategy(context: StrategyContext): Strategy {
  return {
    spec: { name: 'random' },
    suggest: (number) => sampleSpace(context.space, trialRandom(context.seed, number)),
    bracket: () => null,
    shouldStop: () => false,
  };
}
