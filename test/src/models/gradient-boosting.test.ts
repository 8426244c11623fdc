// lepton.models.gradientBoosting through real parts: its ONNX tree ensemble run by Python's onnxruntime (and
// passing the ONNX checker), deployed on the Lepton server answering raw records, and displayed in the kernel.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import * as lepton from '@lepton/lib';
import { stopServer } from '@lepton/server';
import { requireVenv } from '../support/project.js';
import { KernelClient, resultData } from '../support/kernel-client.js';

const dir = mkdtempSync(join(tmpdir(), 'lepton-gbm-it-'));
const home = join(dir, 'home');
const penguins = lepton.datasets.penguins();
const complete = penguins.filter(
  (d: Record<string, unknown>) => d['Body Mass (g)'] != null && (d.Sex === 'MALE' || d.Sex === 'FEMALE'),
);

// Runs each model on its probe rows in Python's onnxruntime after the full ONNX check; prints the outputs as JSON.
const runner = `
import json, sys
import numpy as np, onnx, onnxruntime as ort
out = {}
for path in sys.argv[1:]:
    onnx.checker.check_model(onnx.load(path), full_check=True)
    x = np.fromfile(path + ".x", dtype="<f4")
    session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    d = session.get_inputs()[0].shape[1]
    out[path] = session.run([session.get_outputs()[0].name], {"x": x.reshape(-1, d)})[0].ravel().tolist()
print(json.dumps(out))
`;

function gap(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let most = 0;
  for (let i = 0; i < a.length; i++) most = Math.max(most, Math.abs(a[i]! - b[i]!) / Math.max(1, Math.abs(b[i]!)));
  return most;
}

describe('gradient boosting through real parts', () => {
  before(async () => {
    await tf.setBackend('cpu');
  });
  after(async () => {
    await stopServer({ home });
    rmSync(dir, { recursive: true, force: true });
  });

  test("its ONNX tree ensembles pass the checker and give Lepton's outputs to 1e-5 in Python's onnxruntime", async () => {
    const encoder = (columns: string[]) => lepton.preprocess.labelEncoder({ columns });
    const models = {
      multiclass: lepton.models
        .gradientBoosting({ trees: 15, encoder: encoder(['Island', 'Sex']) })
        .fit(penguins, 'Species'),
      binary: lepton.models
        .gradientBoosting({ trees: 15, encoder: encoder(['Island', 'Species']) })
        .fit(complete, 'Sex'),
      regression: lepton.models
        .gradientBoosting({ trees: 15, depth: 3, encoder: encoder(['Island', 'Species', 'Sex']) })
        .fit(complete, 'Body Mass (g)'),
    };
    const expected: Record<string, Float32Array> = {};
    for (const [name, gbm] of Object.entries(models)) {
      const path = join(dir, `${name}.onnx`);
      await lepton.export.onnx(gbm, path);
      // The frame's own rows (missing values as NaN), as Lepton predicts them.
      const rows = gbm.options.encoder!.transform(name === 'multiclass' ? penguins : complete).objects() as Record<
        string,
        unknown
      >[];
      const x = tf.tensor2d(rows.map((r) => gbm.featureNames.map((f) => (typeof r[f] === 'number' ? r[f] : NaN))));
      writeFileSync(`${path}.x`, new Uint8Array(Float32Array.from(x.dataSync()).buffer));
      expected[path] =
        name === 'regression' ? Float32Array.from(gbm.rawPredict(x)) : (gbm.predictProba(x).dataSync() as Float32Array);
      x.dispose();
    }
    const python = requireVenv();
    const run = spawnSync(python, ['-c', runner, ...Object.keys(expected)], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(
      run.status,
      0,
      `Python onnxruntime and onnx come from requirements.txt (node kernel/bin/lepton.js setup):\n${run.stderr}`,
    );
    const got = JSON.parse(run.stdout) as Record<string, number[]>;
    for (const [path, want] of Object.entries(expected))
      assert.ok(gap(got[path]!, want) <= 1e-5, `${path}: difference ${gap(got[path]!, want)}`);
  });

  test('deployed without an imputer, it answers raw records with missing values on the server as predictProba and predict do locally', async () => {
    const gbm = lepton.models
      .gradientBoosting({ trees: 10, encoder: lepton.preprocess.labelEncoder({ columns: ['Island', 'Sex'] }) })
      .fit(complete, 'Species');
    const deployment = await lepton.deploy(gbm, { name: 'penguins-gbm', home, port: 0 });
    // The penguins with the rows whose measurements or sex are null (absent from training): those take the learned
    // default directions on the server too. (One row's sex is ".", a category the encoder never saw.)
    const rows = penguins.filter((d: Record<string, unknown>) => d.Sex !== '.');
    const records = rows.objects() as Record<string, unknown>[];
    const withNull = records.filter((r) => Object.values(r).some((v) => v === null)).length;
    assert.ok(withNull >= 2, `penguins has ${withNull} rows with a null field`);
    const served = await deployment.predictRecordsAll(records);
    const local = gbm.predictProba(rows);
    assert.deepEqual(served.probabilities!.shape, local.shape);
    assert.ok(gap(served.probabilities!.dataSync(), local.dataSync()) <= 1e-5);
    // The server's BYTES label output arrives as strings, the classes predict gives.
    assert.equal(served.label!.dtype, 'string');
    assert.deepEqual(served.label!.arraySync(), gbm.predict(rows).map(String));
    for (const t of [...Object.values(served), local]) t.dispose();
  });

  test('deployed without an encoder, it reads its numeric features from raw records, nulls included, as predict does locally', async () => {
    const df = penguins.select('Species', 'Beak Length (mm)', 'Flipper Length (mm)', 'Body Mass (g)');
    const gbm = lepton.models.gradientBoosting({ trees: 5 }).fit(
      df.filter((d: Record<string, unknown>) => d['Body Mass (g)'] != null),
      'Species',
    );
    const deployment = await lepton.deploy(gbm, { name: 'plain-gbm', home, port: 0 });
    const records = [
      { 'Beak Length (mm)': 39.1, 'Flipper Length (mm)': 181, 'Body Mass (g)': 3750 },
      { 'Beak Length (mm)': 48.7, 'Flipper Length (mm)': null, 'Body Mass (g)': 5000 },
      { 'Beak Length (mm)': null, 'Flipper Length (mm)': 230 },
    ];
    const served = await deployment.predictRecordsAll(records);
    const local = lepton.DataFrame.from({
      'Beak Length (mm)': records.map((r) => r['Beak Length (mm)'] ?? null),
      'Flipper Length (mm)': records.map((r) => r['Flipper Length (mm)'] ?? null),
      'Body Mass (g)': records.map((r) => r['Body Mass (g)'] ?? null),
    });
    const proba = gbm.predictProba(local);
    assert.ok(gap(served.probabilities!.dataSync(), proba.dataSync()) <= 1e-5);
    assert.deepEqual(served.label!.arraySync(), gbm.predict(local).map(String));
    for (const t of [...Object.values(served), proba]) t.dispose();
  });

  test('a kernel cell fits one and shows its summary with the feature-importance chart', async () => {
    const kernel = await KernelClient.start();
    try {
      const code = [
        "const df = lepton.datasets.penguins().select('Species', 'Beak Length (mm)', 'Flipper Length (mm)', 'Body Mass (g)');",
        "const gbm = lepton.models.gradientBoosting({ trees: 10, depth: 3 }).fit(df, 'Species');",
        'gbm',
      ].join('\n');
      const run = await kernel.execute(code);
      assert.equal(run.reply.content.status, 'ok', JSON.stringify(run.reply.content));
      const data = resultData(run);
      assert.match(String(data?.['text/plain']), /GradientBoosting classification \(3 classes\): 30 trees/);
      assert.match(String(data?.['text/html']), /<svg[\s\S]*Top feature importances/);
    } finally {
      await kernel.shutdown();
    }
  });
});
