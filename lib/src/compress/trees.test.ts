// compress.report on gradient-boosted trees: the float model measured as its ONNX tree ensemble, and the weight
// compressions listed as not applicable, with the reason, instead of failing.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { seededRandom } from '../core/random.js';
import { toMimeBundle } from '../display/mime.js';
import { gradientBoosting } from '../models/gradient-boosting/index.js';
import { CompressError } from './errors.js';
import { prune } from './prune.js';
import { quantize } from './quantize.js';
import { report } from './report.js';

/** Three classes from two features, some values missing (NaN), seeded. */
function data(rows: number, seed: number): { x: tf.Tensor2D; y: tf.Tensor1D } {
  const random = seededRandom(seed);
  const x = new Float32Array(rows * 3);
  const y = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    const [a, b, c] = [random() * 2 - 1, random() * 2 - 1, random()];
    x.set([a, random() < 0.1 ? NaN : b, c], r * 3);
    y[r] = a + 0.3 * (random() - 0.5) > 0.3 ? 2 : b > 0 ? 1 : 0;
  }
  return { x: tf.tensor2d(x, [rows, 3]), y: tf.tensor1d(y, 'int32') };
}

const fast = { latencyRuns: 5, throughputRuns: 2, maxSeconds: 0.3 };

describe('compress.report with gradient-boosted trees', () => {
  before(async () => {
    await tf.setBackend('cpu');
  });

  test('a gradient-boosting classifier gets its float row (its own accuracy in onnxruntime) and quantization and pruning rows saying why they do not apply', async () => {
    const train = data(400, 1);
    const test = data(200, 2);
    const gbm = gradientBoosting({ trees: 20, leaves: 8 }).fit(train.x, train.y);
    const r = await report(gbm, test, fast);
    assert.equal(r.rows.length, 1);
    const [row] = r.rows;
    assert.equal(row!.name, 'float');
    const local = gbm.predict(test.x);
    const truth = test.y.dataSync();
    const expected = Array.from(local.dataSync()).filter((p, i) => p === truth[i]).length / truth.length;
    local.dispose();
    assert.ok(Math.abs(row!.accuracy - expected) < 1e-9, `ONNX accuracy ${row!.accuracy} vs Lepton's ${expected}`);
    assert.ok(row!.accuracy > 0.6, `accuracy ${row!.accuracy}`);
    assert.ok(row!.bytes > 0 && row!.latencyP50Ms > 0 && row!.throughput > 0);
    assert.deepEqual(
      r.notApplicable.map((n) => [n.variant, n.verb]),
      [
        ['int8', 'compress.quantize'],
        ['pruned', 'compress.prune'],
      ],
    );
    for (const n of r.notApplicable) assert.match(n.reason, /^not applicable to trees: /);
    assert.equal(r.recommended, 'float');
    const bundle = toMimeBundle(r);
    assert.match(String(bundle['text/plain']), /int8 \(compress\.quantize\): not applicable to trees/);
    assert.match(String(bundle['text/html']), /<td>pruned<\/td><td>compress\.prune<\/td><td>not applicable to trees/);
    for (const t of [train.x, train.y, test.x, test.y]) t.dispose();
  });

  test('quantize and prune refuse a tree model with the reason; a regression model or an unfitted one cannot be scored by accuracy', async () => {
    const train = data(200, 3);
    const gbm = gradientBoosting({ trees: 5, leaves: 4 }).fit(train.x, train.y);
    const unsupported = (e: unknown) =>
      e instanceof CompressError &&
      e.code === 'LEPTON_COMPRESS_UNSUPPORTED' &&
      /not applicable to trees/.test(e.message);
    await assert.rejects(quantize(gbm), unsupported);
    await assert.rejects(prune(gbm as never, { sparsity: 0.5 }), unsupported);
    const regression = gradientBoosting({ trees: 5, leaves: 4, task: 'regression' }).fit(train.x, train.y.toFloat());
    await assert.rejects(
      report({ float: regression }, train, fast),
      (e: unknown) => e instanceof CompressError && /regression model; the report scores accuracy/.test(e.message),
    );
    await assert.rejects(
      report(gradientBoosting(), train, fast),
      (e: unknown) => e instanceof CompressError && /not fitted/.test(e.message),
    );
    for (const t of [train.x, train.y]) t.dispose();
  });
});
