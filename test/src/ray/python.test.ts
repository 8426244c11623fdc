// The lepton_ray package's own tests (python/tests, unittest) in the Ray environment, judged against the real
// contracts: the error catalogue of the Lepton server (errorCatalogue()), a model exported by lepton.export.onnx and
// the penguins pipeline graph of lepton.export.pipelineOnnxBytes, all written here for the suite to read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import * as lepton from '@lepton/lib';
import { errorCatalogue } from '@lepton/server';
import { MISSING, penguinsPipeline, rayEnvironment } from './support.js';

test('the lepton_ray package passes its unit tests against the server catalogue and a Lepton-exported model', async (t) => {
  const env = rayEnvironment();
  if (!env) {
    t.skip(MISSING);
    return;
  }
  await tf.setBackend('cpu');
  const dir = mkdtempSync(join(tmpdir(), 'lepton-ray-py-'));
  try {
    const model = tf.sequential({
      layers: [
        tf.layers.dense({
          inputShape: [4],
          units: 8,
          activation: 'relu',
          kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }),
        }),
        tf.layers.dense({
          units: 3,
          activation: 'softmax',
          kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }),
        }),
      ],
    });
    writeFileSync(join(dir, 'model.onnx'), (await lepton.export.onnx(model)).data);
    writeFileSync(join(dir, 'catalogue.json'), JSON.stringify(errorCatalogue()));
    const penguins = penguinsPipeline();
    writeFileSync(join(dir, 'pipeline.onnx'), await lepton.export.pipelineOnnxBytes(penguins.model, penguins));
    const run = spawnSync(env.python, ['-m', 'unittest', 'discover', '-s', 'tests', '-t', '.', '-v'], {
      cwd: env.packageDir,
      encoding: 'utf8',
      timeout: 120_000,
      env: {
        ...process.env,
        LEPTON_ERROR_CATALOGUE: join(dir, 'catalogue.json'),
        LEPTON_TEST_MODEL: join(dir, 'model.onnx'),
        LEPTON_TEST_PIPELINE: join(dir, 'pipeline.onnx'),
        PYTHONPATH: env.packageDir,
      },
    });
    assert.equal(run.status, 0, `python -m unittest failed:\n${run.stderr}\n${run.stdout}`);
    assert.doesNotMatch(run.stderr, /skipped/i, 'no test of the suite may be skipped here');
    assert.match(run.stderr, /Ran \d+ tests/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
