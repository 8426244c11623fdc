import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { gradientBoosting, type GradientBoostingOptions } from './index.js';

// Made by fixtures/make_reference.mjs with the code of commit 895f8e1: speed work on the trees must keep the model.
interface ReferenceCase {
  name: string;
  task: 'classification' | 'regression';
  options: GradientBoostingOptions;
  x: (number | null)[][];
  y: number[];
  raw: number[];
}
const reference = JSON.parse(
  readFileSync(
    fileURLToPath(new URL('../../../src/models/gradient-boosting/fixtures/gbm-reference.json', import.meta.url)),
    'utf8',
  ),
) as { cases: ReferenceCase[] };

describe('gradientBoosting grows the same trees as the recorded reference', () => {
  for (const c of reference.cases) {
    test(`${c.name}: the same raw scores on every row`, () => {
      const x = tf.tensor2d(c.x.map((row) => row.map((v) => v ?? NaN)));
      const y = c.task === 'classification' ? tf.tensor1d(c.y, 'int32') : tf.tensor1d(c.y);
      const raw = gradientBoosting({ ...c.options, task: c.task })
        .fit(x, y)
        .rawPredict(x);
      assert.equal(raw.length, c.raw.length);
      let worst = 0;
      for (let i = 0; i < raw.length; i++) worst = Math.max(worst, Math.abs(raw[i]! - c.raw[i]!));
      // Sums add in the same order as the reference's, so nothing but float rounding may differ (so far: nothing).
      assert.ok(worst <= 1e-12, `largest difference ${worst}`);
    });
  }
});
