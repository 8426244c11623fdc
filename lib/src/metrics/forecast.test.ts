import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as metrics from './index.js';

describe('forecast metrics', () => {
  const yTrue = [3, -0.5, 2, 7];
  const yPred = [2.5, 0, 2, 8];
  test('rmse is the root of mse', () => assert.ok(Math.abs(metrics.rmse(yTrue, yPred) - Math.sqrt(0.375)) < 1e-12));
  // scikit-learn: mean_absolute_percentage_error([3, -0.5, 2, 7], [2.5, 0.0, 2, 8]) = 0.3273809523809524
  test("mape is a fraction, as scikit-learn's", () =>
    assert.ok(Math.abs(metrics.mape(yTrue, yPred) - 0.3273809523809524) < 1e-12));
  test("mase scales MAE by the naive forecast's in-sample error", () => {
    // train 1, 3, 2, 6: naive errors 2, 1, 4 → scale 7/3; MAE 0.5 → 0.5 / (7/3)
    assert.ok(Math.abs(metrics.mase(yTrue, yPred, { train: [1, 3, 2, 6] }) - 1.5 / 7) < 1e-12);
    // seasonal scale with season 2: |2−1|, |6−3| → 2
    assert.ok(Math.abs(metrics.mase(yTrue, yPred, { train: [1, 3, 2, 6], season: 2 }) - 0.25) < 1e-12);
  });
  test('mase refuses a constant training series', () =>
    assert.throws(() => metrics.mase([1], [1], { train: [2, 2, 2] }), {
      code: 'LEPTON_METRIC_UNDEFINED',
      message: /scale is 0; use MAE/,
    }));
});
