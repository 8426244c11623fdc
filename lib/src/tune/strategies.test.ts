import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { getHost, setHost } from '../display/host.js';
import { bracketShares, hyperbandRungs } from './hyperband.js';
import { choice, float, int } from './space.js';
import { gamma, observationWeights } from './tpe.js';
import { tune, type TuneOptions } from './tune.js';
import type { Trial } from './trial.js';
import { recordingHost } from '../display/testing.js';

// A cheap objective with one optimum (lr 10^-2.5, 40 units, dropout 0.1, relu): no training involved.
const space = {
  lr: float(1e-5, 1, { log: true }),
  units: int(4, 128),
  dropout: float(0, 0.6),
  act: choice(['relu', 'tanh', 'sigmoid']),
};
type P = { lr: number; units: number; dropout: number; act: 'relu' | 'tanh' | 'sigmoid' };
const objective = (p: P) =>
  -((Math.log10(p.lr) + 2.5) ** 2) -
  ((p.units - 40) / 40) ** 2 -
  4 * (p.dropout - 0.1) ** 2 -
  (p.act === 'relu' ? 0 : 0.5);

const median = (values: number[]) => {
  const s = [...values].sort((a, b) => a - b);
  return (s[Math.floor((s.length - 1) / 2)]! + s[Math.ceil((s.length - 1) / 2)]!) / 2;
};

const quiet: TuneOptions = { live: false, objective: 'score', direction: 'max' };

describe('search strategies', () => {
  const previous = getHost();
  before(() => setHost(recordingHost().host));
  after(() => setHost(previous));

  for (const strategy of ['random', 'tpe', 'hyperband'] as const) {
    test(`${strategy}: the same seed gives the same trials, another seed other ones`, async () => {
      const run = async (seed: number) =>
        (
          await tune(
            (p: P, trial: Trial) => {
              for (let e = 1; e <= trial.epochs; e++) {
                trial.report(e, objective(p) * (1 + 1 / e));
                if (trial.shouldStop) break;
              }
              return objective(p);
            },
            space,
            { ...quiet, strategy, seed, trials: 14, epochs: 9 },
          )
        ).trials.map((t) => [t.params, t.status, t.value]);
      const a = await run(7);
      assert.deepEqual(await run(7), a);
      assert.notDeepEqual(await run(8), a);
    });
  }

  test('tpe finds better configurations than random search on a synthetic objective (median of 9 seeds, 40 trials)', async () => {
    const best = async (strategy: 'random' | 'tpe', seed: number) =>
      (await tune((p: P) => objective(p), space, { ...quiet, strategy, seed, trials: 40 })).best.value;
    const seeds = [1, 2, 3, 4, 5, 6, 7, 8, 9];
    const random = median(await Promise.all(seeds.map((s) => best('random', s))));
    const tpe = median(await Promise.all(seeds.map((s) => best('tpe', s))));
    assert.ok(tpe > random, `tpe median best ${tpe.toFixed(4)} ≤ random ${random.toFixed(4)}`);
  });

  test("tpe's split and weights follow Optuna's defaults", () => {
    assert.deepEqual([1, 10, 11, 20, 300].map(gamma), [1, 1, 2, 2, 25]);
    assert.deepEqual(observationWeights(3), [1, 1, 1]);
    const w = observationWeights(30);
    assert.equal(w.length, 30);
    assert.ok(Math.abs(w[0]! - 1 / 30) < 1e-12 && w[4] === 1 && w[29] === 1);
  });

  test('hyperband: rungs at epochs/η^k per bracket, bracket sizes in Hyperband proportions', () => {
    assert.deepEqual(hyperbandRungs(9, 1, 3), [[], [3], [1, 3]]);
    assert.deepEqual(hyperbandRungs(27, 1, 3), [[], [9], [3, 9], [1, 3, 9]]);
    assert.deepEqual(hyperbandRungs(10, 2, 3), [[], [3]]);
    assert.deepEqual(bracketShares(3, 3), [3, 5, 9]);
  });

  test('hyperband stops bad trials at rungs only, keeps the good ones to the full budget, and spends fewer epochs', async () => {
    const epochsRun: number[] = [];
    const study = await tune(
      (p: P, trial: Trial) => {
        // A learning curve rising towards the configuration's quality: early values rank configurations.
        let e = 0;
        while (e < trial.epochs && !trial.shouldStop) {
          e++;
          trial.report(e, objective(p) - 1 / e);
        }
        epochsRun.push(e);
        return objective(p) - 1 / e;
      },
      space,
      { ...quiet, strategy: 'hyperband', seed: 3, trials: 34, epochs: 9 },
    );
    const pruned = study.trials.filter((t) => t.status === 'pruned');
    const complete = study.trials.filter((t) => t.status === 'complete');
    assert.ok(pruned.length >= 8, `only ${pruned.length} of 34 trials stopped early`);
    for (const t of pruned) {
      assert.ok(
        t.bracket === 1 || t.bracket === 2,
        `trial ${t.number} was stopped in bracket ${t.bracket}, which never stops early`,
      );
      assert.ok(
        (t.bracket === 1 ? [3] : [1, 3]).includes(t.epochs),
        `trial ${t.number} (bracket ${t.bracket}) stopped at epoch ${t.epochs}, not at a rung`,
      );
    }
    for (const t of complete) assert.equal(t.epochs, 9);
    assert.ok(study.trials.filter((t) => t.bracket === 0).every((t) => t.status === 'complete'));
    const counts = [0, 1, 2].map((b) => study.trials.filter((t) => t.bracket === b).length);
    assert.deepEqual(counts, [6, 10, 18], 'two rounds of 3 + 5 + 9 trials');
    const spent = epochsRun.reduce((a, b) => a + b, 0);
    assert.ok(spent < 0.75 * 34 * 9, `hyperband trained ${spent} epochs of ${34 * 9}`);
    assert.equal(study.best.trial.status, 'complete');
    // A trial is stopped only when worse than the best 1/η of its bracket's values at that rung.
    for (const t of pruned) {
      const [epoch, value] = t.intermediate.at(-1)!;
      const rivals = study.trials
        .filter((o) => o.number < t.number && o.bracket === t.bracket)
        .map((o) => o.intermediate.find(([e]) => e === epoch)?.[1])
        .filter((v) => v !== undefined);
      assert.ok(
        rivals.some((v) => v > value),
        `trial ${t.number} was stopped though no earlier trial beat it at epoch ${epoch}`,
      );
    }
  });
});
