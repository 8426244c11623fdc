// export.modelRepository writes Triton's layout (<name>/config.pbtxt, <name>/<version>/model.onnx) and a KServe
// manifest for a model or a deployment, with the platform, the inputs and outputs, their shapes and the dynamic
// batching in the config. (test/src/export/pipeline.test.ts parses the config with Triton's own schema.)
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
  return tf.sequential({
    name: 'tiny',
    layers: [tf.layers.dense({ inputShape: [4], units: 3, activation: 'softmax' })],
  });
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
    assert.deepEqual(readdirSync(join(dir, 'a')).sort(), ['kserve.yaml', 'tiny']);
    assert.deepEqual(readdirSync(join(dir, 'a', 'tiny')).sort(), ['1', 'config.pbtxt']);
    assert.deepEqual(readdirSync(join(dir, 'a', 'tiny', '1')), ['model.onnx']);
    const config = readFileSync(repo.configPath, 'utf8');
    assert.match(config, /^name: "tiny"\nplatform: "onnxruntime_onnx"\nmax_batch_size: 32\n/);
    assert.match(
      config,
      /input \[\n {2}\{\n {4}name: "[^"]+"\n {4}data_type: TYPE_FP32\n {4}dims: \[ 4 \]\n {2}\}\n\]/,
    );
    assert.match(
      config,
      /output \[\n {2}\{\n {4}name: "[^"]+"\n {4}data_type: TYPE_FP32\n {4}dims: \[ 3 \]\n {2}\}\n\]/,
    );
    assert.match(
      config,
      /dynamic_batching \{\n {2}max_queue_delay_microseconds: 0\n {2}default_queue_policy \{\n {4}timeout_action: REJECT\n {4}default_timeout_microseconds: 10000000\n {4}max_queue_size: 256\n/,
    );
    assert.match(config, /instance_group \[\n {2}\{\n {4}count: 1\n {4}kind: KIND_CPU\n/);
    assert.deepEqual(
      repo.inputs.map((i) => i.dims),
      [[-1, 4]],
    );
    assert.match(
      readFileSync(repo.kservePath, 'utf8'),
      /kind: InferenceService\nmetadata:\n {2}name: tiny\n[\s\S]*modelFormat:\n {8}name: onnx\n[\s\S]*storageUri: "s3:\/\/YOUR-BUCKET/,
    );
  });

  test('batching options become max_batch_size, the queue delay and policy, and the instance group', async () => {
    const repo = await modelRepository(mlp(), join(dir, 'c'), {
      batching: { maxBatch: 8, maxDelayMs: 2.5, maxQueue: 64, timeoutMs: 500 },
      instances: 2,
      storageUri: 'gs://bucket/repo',
    });
    const config = readFileSync(repo.configPath, 'utf8');
    assert.match(config, /max_batch_size: 8\n/);
    assert.match(
      config,
      /max_queue_delay_microseconds: 2500\n[\s\S]*default_timeout_microseconds: 500000\n {4}max_queue_size: 64\n/,
    );
    assert.match(config, /count: 2\n/);
    assert.match(readFileSync(repo.kservePath, 'utf8'), /storageUri: "gs:\/\/bucket\/repo"\n/);
  });

  test('a model with a fixed batch size is written with max_batch_size 0 and full shapes', async () => {
    const fixed = tf.sequential({ name: 'fixed', layers: [tf.layers.dense({ batchInputShape: [2, 4], units: 3 })] });
    const repo = await modelRepository(fixed, join(dir, 'd'));
    const config = readFileSync(repo.configPath, 'utf8');
    assert.match(config, /max_batch_size: 0\n[\s\S]*dims: \[ 2, 4 \]/);
    assert.doesNotMatch(config, /dynamic_batching/);
  });

  test('a deployment is copied from the registry under its name and served version', async () => {
    const deployment = await deploy(mlp(), { name: 'served', home, port: 0 });
    await deployment.redeploy(mlp());
    const repo = await modelRepository(deployment, join(dir, 'b'));
    assert.deepEqual([repo.name, repo.version], ['served', '2']);
    assert.deepEqual(readFileSync(join(dir, 'b', 'served', '2', 'model.onnx')), readFileSync(deployment.modelPath));
    assert.match(readFileSync(repo.configPath, 'utf8'), /name: "served"[\s\S]*dims: \[ 4 \]/);
    await deployment.stop();
  });
});
