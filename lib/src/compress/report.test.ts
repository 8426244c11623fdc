// compress.report compares variants in onnxruntime: ratios to the baseline, a chart, and an honest recommendation.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { toMimeBundle } from '../display/mime.js';
import { CompressError } from './errors.js';
import { quantize } from './quantize.js';
import { CompressionReport, report, type VariantRow } from './report.js';
import type { TfliteRow } from './tflite-variants.js';

describe('compress.report', () => {
  before(async () => {
    await tf.setBackend('cpu');
  });

  test('two variants: sizes, accuracy and speed ratios to the baseline, a Vega-Lite chart and a recommendation', async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.dense({
          units: 64,
          inputShape: [32],
          activation: 'relu',
          kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }),
        }),
        tf.layers.dense({
          units: 4,
          activation: 'softmax',
          kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }),
        }),
      ],
    });
    const x = tf.randomUniform([300, 32], -1, 1, 'float32', 3);
    const y = (model.predict(x) as tf.Tensor).argMax(-1);
    const int8 = await quantize(model, { calibration: x });
    const r = await report({ fp32: model, int8 }, { x, y }, { latencyRuns: 10, throughputRuns: 2, maxSeconds: 1 });
    const [base, q] = r.rows as [VariantRow, VariantRow];
    assert.equal(base.accuracy, 1, 'the fp32 ONNX model reproduces its own labels');
    assert.deepEqual([base.vsBaseline.bytes, base.vsBaseline.throughput, base.vsBaseline.accuracyPoints], [1, 1, 0]);
    assert.equal(q.parameters, base.parameters);
    assert.ok(q.vsBaseline.bytes < 0.7 && q.gzipBytes < base.gzipBytes, `int8 size ratio ${q.vsBaseline.bytes}`);
    assert.ok(q.accuracy >= 0.9, `int8 accuracy ${q.accuracy}`);
    assert.ok(q.latencyP50Ms > 0 && q.throughput > 0);
    assert.ok(Math.abs(q.vsBaseline.throughput - q.throughput / base.throughput) < 1e-9);
    assert.ok(['fp32', 'int8'].includes(r.recommended));
    assert.match(r.recommendation, new RegExp(`^Use ${r.recommended}:`));
    const bundle = toMimeBundle(r);
    assert.match(String(bundle['text/html']), /<table>.*fp32.*int8.*<p>Use /s);
    const chart = bundle['application/vnd.vegalite.v5+json'] as { $schema: string; data: { values: unknown[] } };
    assert.match(chart.$schema, /vega-lite\/v5/);
    assert.equal(chart.data.values.length, 8);
  });

  test('the recommendation skips faster variants that lose more than a point and says when a variant is slower', () => {
    const row = (name: string, accuracy: number, throughput: number): VariantRow => ({
      name,
      parameters: 10,
      bytes: 100,
      gzipBytes: 90,
      accuracy,
      latencyP50Ms: 1,
      throughput,
      vsBaseline: {
        bytes: 1,
        gzipBytes: 1,
        latency: 1,
        throughput: throughput / 1000,
        accuracyPoints: (accuracy - 0.98) * 100,
      },
    });
    const r = new CompressionReport(
      [row('fp32', 0.98, 1000), row('int8', 0.95, 3000), row('int8-slow', 0.975, 600)],
      1,
    );
    assert.equal(r.recommended, 'fp32');
    assert.match(r.recommendation, /int8-slow is slower than fp32 here \(0\.60× its throughput\)/);
  });

  test('TFLite rows get their own table and a device recommendation, and say so when they were not measured', () => {
    const row = (name: string, accuracy: number, throughput: number): VariantRow => ({
      name,
      parameters: 10,
      bytes: 100,
      gzipBytes: 90,
      accuracy,
      latencyP50Ms: 1,
      throughput,
      vsBaseline: { bytes: 1, gzipBytes: 1, latency: 1, throughput: 1, accuracyPoints: 0 },
    });
    const lite = (name: string, bytes: number, accuracy: number | null): TfliteRow => ({
      name,
      quantization: name,
      parameters: 10,
      bytes,
      gzipBytes: bytes,
      accuracy,
      latencyP50Ms: accuracy === null ? null : 0.05,
      vsBaseline: { bytes: bytes / 100, accuracyPoints: accuracy === null ? null : (accuracy - 0.98) * 100 },
    });
    const measured = new CompressionReport([row('fp32', 0.98, 1000)], 1, [
      lite('float32', 100, 0.98),
      lite('int8', 30, 0.975),
      lite('int8-bad', 20, 0.9),
    ]);
    assert.match(
      measured.recommendation,
      /For phones and boards use int8: the smallest \.tflite file \(30 bytes, 0\.30× the baseline\)/,
    );
    const text = String(toMimeBundle(measured)['text/plain']);
    assert.match(text, /TFLite variant \| quantization/);
    assert.match(text, /int8 \| int8 \| 10 \| 30 \(0\.30×\) \| 30 \| 97\.50% \(-0\.50 pt\) \| 0\.050 ms/);
    const unmeasured = new CompressionReport([], 1, [lite('float32', 100, null), lite('int8', 30, null)]);
    assert.equal(unmeasured.recommended, 'int8');
    assert.match(
      unmeasured.recommendation,
      /not measured: no TensorFlow Lite interpreter is installed \(run `lepton setup --tflite`\)/,
    );
    assert.match(
      String(toMimeBundle(unmeasured)['text/plain']),
      /int8 \| int8 \| 10 \| 30 \(0\.30×\) \| 30 \| not measured \| not measured/,
    );
  });

  test('fails clearly without variants', async () => {
    await assert.rejects(
      report({}, { x: [[1]], y: [0] }),
      (e: unknown) => e instanceof CompressError && e.code === 'LEPTON_COMPRESS_BAD_INPUT',
    );
  });
});
