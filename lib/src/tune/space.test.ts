import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { seededRandom } from '../core/random.js';
import {
  choice,
  float,
  int,
  position,
  sampleParam,
  sameSpace,
  SpaceError,
  validateSpace,
  type Space,
} from './space.js';

describe('search spaces', () => {
  const rejects = (space: unknown, pattern: RegExp) =>
    assert.throws(
      () => validateSpace(space as Space),
      (e: Error) => e instanceof SpaceError && pattern.test(e.message),
    );

  test('an empty space is rejected with an example of a declaration', () =>
    rejects({}, /empty: declare at least one parameter, e\.g\. \{ lr: lepton\.tune\.float/));
  test('a plain value instead of a declaration names the parameter and the helpers', () =>
    rejects({ units: 32 }, /Parameter 'units' is 32, not a declaration: use lepton\.tune\.int/));
  test('low ≥ high is inconsistent and the message says to swap them', () =>
    rejects({ lr: float(0.1, 0.01) }, /'lr' has low 0\.1 ≥ high 0\.01.*swap them/));
  test('equal bounds say a fixed value needs no search', () =>
    rejects({ units: int(8, 8) }, /fixed value 8 does not need to be searched/));
  test('a log range must start above zero', () =>
    rejects({ lr: float(0, 1, { log: true }) }, /'lr' is on a log scale with low 0: log ranges need low > 0/));
  test('int bounds must be whole numbers', () => rejects({ units: int(1.5, 8) }, /int bounds must be whole numbers/));
  test('a choice needs values, each once, JSON scalars only', () => {
    rejects({ act: choice([]) }, /'act' is a choice with no values/);
    rejects({ act: choice(['relu', 'relu']) }, /lists the same choice twice/);
    rejects(
      { act: { kind: 'choice', values: [{ a: 1 }] } },
      /choices must be strings, finite numbers, booleans or null/,
    );
  });
  test('an unknown kind is named', () =>
    rejects({ x: { kind: 'uniform', low: 0, high: 1 } }, /unknown kind "uniform"/));
  test('a valid space comes back unchanged', () => {
    const space = { lr: float(1e-4, 1e-1, { log: true }), units: int(4, 64), act: choice(['relu', 'tanh']) };
    assert.equal(validateSpace(space), space);
  });

  test('samples stay in range; ints reach both ends; log ranges spread evenly over decades', () => {
    const random = seededRandom(3);
    const ints = new Set<number>();
    const logs: number[] = [];
    for (let i = 0; i < 4000; i++) {
      const v = sampleParam(int(1, 4), random) as number;
      assert.ok(Number.isInteger(v) && v >= 1 && v <= 4);
      ints.add(v);
      const l = sampleParam(float(1e-4, 1, { log: true }), random) as number;
      assert.ok(l >= 1e-4 && l <= 1);
      logs.push(l);
    }
    assert.deepEqual([...ints].sort(), [1, 2, 3, 4]);
    const belowCentre = logs.filter((v) => v < 1e-2).length / logs.length;
    assert.ok(Math.abs(belowCentre - 0.5) < 0.05, `log-uniform: ${belowCentre} of samples below the geometric centre`);
  });

  test('positions for parallel coordinates are in [0, 1], in log space for log ranges', () => {
    assert.equal(position(float(1e-4, 1, { log: true }), 1e-2), 0.5);
    assert.equal(position(int(0, 10), 5), 0.5);
    assert.equal(position(choice(['a', 'b', 'c']), 'c'), 1);
  });

  test('two spaces are the same when names, order, ranges and choices match', () => {
    assert.ok(sameSpace({ a: int(1, 2), b: float(0, 1) }, { a: int(1, 2), b: float(0, 1) }));
    assert.ok(!sameSpace({ a: int(1, 2) }, { a: int(1, 3) }));
    assert.ok(!sameSpace({ a: float(0, 1) }, { a: float(0, 1, { log: false }), b: float(0, 1) }));
  });
});
