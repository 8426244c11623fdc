// TensorFlow Lite's own interpreter (tensorflow-cpu in .venv-tflite, made by `lepton setup --tflite`) judges the
// files lepton.export.tflite writes: every supported layer and the built-in models load, allocate, use builtin ops
// only, and compute what tfjs computes (fp32 ≤ 1e-5, float16 ≤ 1e-2); quantized files stay close; an int8 MNIST CNN
// keeps its accuracy within a point of fp32; labels and normalization are in the file's metadata.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import * as lepton from '@lepton/lib';
import { batchFor, builtinCases, layerCases, seedWeights } from './models.js';

const python = lepton.export.tflitePython();
// CI (`.ci/run` makes .venv-tflite) must run these for real: there a missing interpreter fails them.
const skip = python || process.env.CI ? false : 'no Python with tensorflow (run `lepton setup --tflite`; .ci/run does)';
const dir = mkdtempSync(join(tmpdir(), 'lepton-tflite-test-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Largest |a − b| relative to max(1, |b|). */
function relativeDiff(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  assert.equal(actual.length, expected.length, 'output sizes differ');
  let worst = 0;
  for (let i = 0; i < expected.length; i++)
    worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!) / Math.max(1, Math.abs(expected[i]!)));
  return Number.isNaN(worst) ? Infinity : worst;
}

/** Ops a phone's TFLite runtime has: builtins only, no Flex (select TF) or custom ops. */
function assertBuiltinOnly(ops: readonly string[]): void {
  for (const op of ops) assert.match(op, /^[A-Z0-9_]+$/, `op ${op} is not a TFLite builtin`);
  assert.ok(!ops.some((op) => /flex|custom/i.test(op)), `ops ${ops.join(', ')} need the Flex delegate`);
}

interface Judged {
  name: string;
  expected: Float32Array[];
  exported: lepton.export.TfliteExport;
  run: lepton.export.InterpreterRun;
}

/** A case's result, or the error its export threw (reported by that case's own test). */
type Outcome = Judged | { name: string; error: unknown };

/** The case's result, rethrowing its export's error. */
function resultOf(outcomes: Outcome[], name: string): Judged {
  const o = outcomes.find((c) => c.name === name);
  assert.ok(o, `case ${name} was not run`);
  if ('error' in o) throw o.error;
  return o;
}

/** Exports each case with `opts`, runs all of them in one interpreter process on a seeded batch of 3. */
async function judge(
  cases: Record<string, { make: () => tf.LayersModel; ids?: number }>,
  opts: (model: tf.LayersModel, ids?: number) => lepton.export.TfliteExportOptions,
  tag: string,
): Promise<Outcome[]> {
  const prepared = [];
  const failed: Outcome[] = [];
  for (const [name, { make, ids }] of Object.entries(cases)) {
    const model = make();
    const xs = batchFor(model, 3, 7, ids);
    const ys = model.predict(xs.length === 1 ? xs[0]! : xs);
    const expected = (Array.isArray(ys) ? ys : [ys]).map((y) => y.dataSync() as Float32Array);
    const file = join(dir, `${tag}-${prepared.length}.tflite`);
    try {
      const exported = await lepton.export.tflite(model, file, opts(model, ids));
      prepared.push({
        name,
        expected,
        exported,
        feeds: xs.map((x) => ({ data: Float32Array.from(x.dataSync()), shape: x.shape })),
      });
    } catch (error) {
      failed.push({ name, error });
    }
    tf.dispose([...xs, ...(Array.isArray(ys) ? ys : [ys])]);
  }
  const runs = await lepton.export.runInterpreterJobs(
    prepared.map((p) => ({ model: p.exported.path!, feeds: p.feeds })),
  );
  return [
    ...prepared.map((p, k) => ({ name: p.name, expected: p.expected, exported: p.exported, run: runs[k]! })),
    ...failed,
  ];
}

const layerModels = Object.fromEntries(
  Object.entries(layerCases).map(([name, make]) => [name, { make: () => seedWeights(make()) }]),
);

describe('TFLite export judged by TensorFlow Lite’s interpreter', { skip }, () => {
  for (const [quantize, tolerance] of [
    [undefined, 1e-5],
    ['float16', 1e-2],
  ] as const) {
    describe(`${quantize ?? 'float32'} files of every supported layer match tfjs within ${tolerance}`, () => {
      let judged: Outcome[] = [];
      before(async () => {
        judged = await judge(layerModels, () => (quantize ? { quantize } : {}), `layers-${quantize ?? 'fp32'}`);
      });
      for (const name of Object.keys(layerModels)) {
        test(name, () => {
          const j = resultOf(judged, name);
          assertBuiltinOnly(j.run.ops);
          assert.equal(j.run.outputs!.length, j.expected.length);
          j.expected.forEach((want, k) => {
            const diff = relativeDiff(j.run.outputs![k]!.data, want);
            assert.ok(diff <= tolerance, `output ${k} differs by ${diff} (> ${tolerance})`);
          });
        });
      }
    });
  }

  describe('built-in models in every quantization run in the interpreter close to tfjs', () => {
    // float32 and float16 within the bounds; weight-only and full-integer int8 within a few hundredths of a
    // probability, calibrated on 64 seeded samples.
    const bounds = { float32: 1e-5, float16: 1e-2, dynamic: 0.05, int8: 0.08 } as const;
    const results = new Map<string, Outcome[]>();
    before(async () => {
      for (const mode of Object.keys(bounds) as (keyof typeof bounds)[]) {
        results.set(
          mode,
          await judge(
            builtinCases,
            (model, ids) =>
              mode === 'float32'
                ? {}
                : mode === 'int8'
                  ? { quantize: 'int8', calibration: batchFor(model, 64, 11, ids) }
                  : { quantize: mode },
            `builtin-${mode}`,
          ),
        );
      }
    });
    for (const mode of Object.keys(bounds) as (keyof typeof bounds)[]) {
      for (const name of Object.keys(builtinCases)) {
        test(`${name} as ${mode}: allocates, builtin ops only, max |Δ| ≤ ${bounds[mode]}`, () => {
          const j = resultOf(results.get(mode)!, name);
          assertBuiltinOnly(j.run.ops);
          const diff = relativeDiff(j.run.outputs![0]!.data, j.expected[0]!);
          assert.ok(diff <= bounds[mode], `differs by ${diff}`);
          if (mode === 'int8') {
            assert.ok(j.exported.int8!.biasCorrected.length > 0, 'biases are corrected');
            // Token ids stay int32 (a CAST, then GATHER of the int8 table); float inputs are QUANTIZEd.
            assert.ok(
              builtinCases[name]!.ids !== undefined || j.run.ops.includes('QUANTIZE'),
              'a float input is quantized',
            );
          }
        });
      }
    }
  });

  test('int8 MNIST CNN keeps its accuracy within 1 point of float32 in the interpreter, and int8 I/O reports its scale', async () => {
    const digits = lepton.datasets.mnist({ n: 3000, testSize: 1000, seed: 0 });
    const model = lepton.models.cnn({
      inputShape: [28, 28, 1],
      filters: [8, 16],
      dense: 32,
      dropout: 0,
      classes: 10,
      seed: 1,
    });
    await lepton.fit(
      model,
      { x: digits.train.images, y: digits.train.labels },
      { loss: 'sparseCategoricalCrossentropy', epochs: 2, batchSize: 32, seed: 1, live: false },
    );
    const calibration = digits.train.images.slice(0, 256);
    const fp32 = await lepton.export.tflite(model, join(dir, 'mnist.tflite'));
    const int8 = await lepton.export.tflite(model, join(dir, 'mnist-int8.tflite'), { quantize: 'int8', calibration });
    const io = await lepton.export.tflite(model, join(dir, 'mnist-int8-io.tflite'), {
      quantize: 'int8',
      calibration,
      integerIo: true,
    });
    const feeds = [{ data: Float32Array.from(digits.test.images.dataSync()), shape: digits.test.images.shape }];
    const [a, b, c] = await lepton.export.runInterpreterJobs([fp32, int8, io].map((e) => ({ model: e.path!, feeds })));
    const labels = digits.test.labels.dataSync();
    const accuracy = (run: lepton.export.InterpreterRun) => {
      const y = run.outputs![0]!.data;
      let right = 0;
      for (let i = 0; i < labels.length; i++) {
        const row = y.subarray(i * 10, i * 10 + 10);
        if (row.indexOf(Math.max(...row)) === labels[i]) right++;
      }
      return (100 * right) / labels.length;
    };
    const [accFp32, accInt8, accIo] = [accuracy(a!), accuracy(b!), accuracy(c!)];
    assert.ok(accFp32 > 80, `the CNN trained (${accFp32}%)`);
    assert.ok(accInt8 >= accFp32 - 1, `int8 ${accInt8}% vs fp32 ${accFp32}%`);
    assert.ok(accIo >= accFp32 - 1, `int8 I/O ${accIo}% vs fp32 ${accFp32}%`);
    assert.ok(
      int8.sizeBytes < fp32.sizeBytes / 3,
      `int8 is about a quarter of fp32 (${int8.sizeBytes} vs ${fp32.sizeBytes})`,
    );
    // The scale and zero point the export reports are the ones in the file.
    assert.equal(io.inputs[0]!.fileType, 'int8');
    assert.equal(c!.inputDetails[0]!.dtype, 'int8');
    assert.ok(Math.abs(c!.inputDetails[0]!.scales[0]! - io.inputs[0]!.quantization!.scale) < 1e-9);
    assert.equal(c!.inputDetails[0]!.zeroPoints[0], io.inputs[0]!.quantization!.zeroPoint);
    assert.equal(c!.outputDetails[0]!.zeroPoints[0], io.outputs[0]!.quantization!.zeroPoint);
    tf.dispose([digits.train.images, digits.train.labels, digits.test.images, digits.test.labels, calibration]);
  });

  test('compress.report measures .tflite variants in the interpreter beside the onnxruntime ones', async () => {
    const model = lepton.models.mlp({ inputs: 64, hidden: [64], classes: 4, seed: 3 });
    const x = tf.randomUniform([200, 64], 0, 1, 'float32', 5);
    const y = (model.predict(x) as tf.Tensor).argMax(-1);
    const fp32 = await lepton.export.tflite(model);
    const int8 = await lepton.export.tflite(model, undefined, { quantize: 'int8', calibration: x.slice(0, 100) });
    const r = await lepton.compress.report(
      { onnx: model, 'tflite fp32': fp32, 'tflite int8': int8 },
      { x, y },
      { latencyRuns: 5, throughputRuns: 1, maxSeconds: 0.5, tfliteLatencyRuns: 50 },
    );
    assert.deepEqual(
      r.rows.map((row) => row.name),
      ['onnx'],
    );
    const [a, b] = r.tflite;
    assert.equal(a!.accuracy, 1, 'the float32 file reproduces the labels tfjs gave');
    assert.ok(b!.accuracy! >= 0.9 && b!.bytes < a!.bytes, `int8 ${b!.accuracy} accuracy, ${b!.bytes} bytes`);
    assert.ok(a!.latencyP50Ms! > 0 && b!.latencyP50Ms! > 0);
    assert.match(r.recommendation, /For phones and boards use tflite/);
    tf.dispose([x, y]);
  });

  test('labels and normalization are in the file: the label file is readable as the metadata archive', async () => {
    const model = seedWeights(layerCases['Dense with activation softmax']!());
    const file = join(dir, 'labelled.tflite');
    const e = await lepton.export.tflite(model, file, {
      labels: ['cat', 'dog', 'bird', 'fish', 'frog'],
      normalization: { mean: [127.5], std: [127.5] },
    });
    const listing = execFileSync(
      python!,
      ['-c', 'import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); print(z.read("labels.txt").decode())', file],
      { encoding: 'utf8' },
    );
    assert.equal(listing.trim(), 'cat\ndog\nbird\nfish\nfrog');
    const run = await lepton.export.runInterpreter(file, { feeds: [{ data: new Float32Array(6), shape: [1, 6] }] });
    assert.equal(
      run.outputs![0]!.shape.join(','),
      '1,5',
      'the archive after the flatbuffer does not disturb the interpreter',
    );
    assert.deepEqual(e.labels, ['cat', 'dog', 'bird', 'fish', 'frog']);
  });
});
