// export.modelRepository writes Triton's layout (<name>/config.pbtxt, <name>/<version>/model.onnx) for a model or
// a deployment, with the platform, the inputs and outputs and their shapes in the config.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { stopServer } from '@lepton/server';
import { deploy } from '../deploy/deploy.js';
import { modelRepository } from './model-repository.js';

const dir = mkdtempSync(join(tmpdir(), 'lepton-repo-'));
const home = mkdtempSync(join(tmpdir(), 'lepton-repo-home-'));

function mlp(): tf.LayersModel {
  return tf.sequential({ name: 'tiny', layers: [tf.layers.dense({ inputShape: [4], units: 3, activation: 'softmax' })] });
}

describe('export.modelRepository', () => {
  before(async () => {
    await tf.setBackend('cpu');
  });
  after(async () => {
    await stopServer({ home });
    rmSync(dir, { recursive: true, force: true });
    rmSync(home, { recursive: true, force: true });
  });

  test('a LayersModel becomes <name>/config.pbtxt and <name>/1/model.onnx with its inputs and outputs', async () => {
    const repo = await modelRepository(mlp(), join(dir, 'a'));
    assert.deepEqual(readdirSync(join(dir, 'a', 'tiny')).sort(), ['1', 'config.pbtxt']);
    assert.deepEqual(readdirSync(join(dir, 'a', 'tiny', '1')), ['model.onnx']);
    const config = readFileSync(repo.configPath, 'utf8');
    assert.match(config, /^name: "tiny"\nplatform: "onnxruntime_onnx"\nmax_batch_size: 0\n/);
    assert.match(config, /input \[\n {2}\{\n {4}name: "[^"]+"\n {4}data_type: TYPE_FP32\n {4}dims: \[ -1, 4 \]\n {2}\}\n\]/);
    assert.match(config, /output \[\n {2}\{\n {4}name: "[^"]+"\n {4}data_type: TYPE_FP32\n {4}dims: \[ -1, 3 \]\n {2}\}\n\]/);
  });

  test('a deployment is copied from the registry under its name and served version', async () => {
    const deployment = await deploy(mlp(), { name: 'served', home, port: 0 });
    await deployment.redeploy(mlp());
    const repo = await modelRepository(deployment, join(dir, 'b'));
    assert.deepEqual([repo.name, repo.version], ['served', '2']);
    assert.deepEqual(readFileSync(join(dir, 'b', 'served', '2', 'model.onnx')), readFileSync(deployment.modelPath));
    assert.match(readFileSync(repo.configPath, 'utf8'), /name: "served"[\s\S]*dims: \[ -1, 4 \]/);
    await deployment.stop();
  });
});
