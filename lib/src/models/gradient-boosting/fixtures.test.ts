import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { gradientBoosting, type GradientBoostingOptions } from './index.js';

// Made by fixtures/make_gbm_fixtures.py with scikit-learn's HistGradientBoosting and LightGBM on the same data.
interface Case {
  name: string;
  task: 'classification' | 'regression';
  options: GradientBoostingOptions;
  x: (number | null)[][];
  y: number[];
  predictions?: number[];
  probabilities?: number[][];
}
const fixtures = JSON.parse(
  readFileSync(
    fileURLToPath(new URL('../../../src/models/gradient-boosting/fixtures/gbm-fixtures.json', import.meta.url)),
    'utf8',
  ),
) as { cases: Case[] };

describe('gradientBoosting against scikit-learn and LightGBM', () => {
  for (const c of fixtures.cases) {
    test(`${c.name}: the same predictions`, () => {
      const x = tf.tensor2d(c.x.map((row) => row.map((v) => v ?? NaN)));
      const y = c.task === 'classification' ? tf.tensor1d(c.y, 'int32') : tf.tensor1d(c.y);
      const gbm = gradientBoosting({ ...c.options, task: c.task }).fit(x, y);
      const ours = c.task === 'regression' ? Array.from(gbm.rawPredict(x)) : gbm.predictProba(x).arraySync().flat();
      const theirs = c.task === 'regression' ? c.predictions! : c.probabilities!.flat();
      assert.equal(ours.length, theirs.length);
      let worst = 0;
      for (let i = 0; i < ours.length; i++) worst = Math.max(worst, Math.abs(ours[i]! - theirs[i]!));
      assert.ok(worst < 1e-5, `largest difference ${worst}`);
    });
  }
});
