// lepton.deploy serves a model on a real server (a temporary Lepton home, a free loopback port): it predicts like
// tfjs, displays as a card, passes alert rules, redeploys, rolls back, stops, and fails clearly.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { readServerFile, stopServer } from '@lepton/server';
import { toMimeBundle } from '../display/mime.js';
import { deploy, deployments } from './deploy.js';
import { DEPLOYMENT_MIME, type DeploymentCardData } from './card.js';
import { DeployError } from './errors.js';

const homes: string[] = [];
function home(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lepton-deploy-'));
  homes.push(dir);
  return dir;
}

function mlp(): tf.LayersModel {
  return tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 3, activation: 'softmax' })] });
}

describe('lepton.deploy', () => {
  before(async () => {
    await tf.setBackend('cpu');
  });
  after(async () => {
    for (const dir of homes) {
      await stopServer({ home: dir });
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('serves a model that predicts like tfjs, shows a card, keeps alert rules, redeploys, rolls back and stops', async () => {
    const dir = home();
    const model = mlp();
    const deployment = await deploy(model, {
      name: 'tiny',
      home: dir,
      port: 0,
      alerts: { p99Ms: 20, errorRate: 0.01 },
    });
    assert.equal(deployment.name, 'tiny');
    assert.equal(deployment.version, '1');
    assert.equal(deployment.url, `${readServerFile(dir)!.url}/v2/models/tiny`);

    const x = [
      [0.1, -0.2, 0.3, 0.4],
      [1, 2, 3, 4],
    ];
    const served = await deployment.predict(x);
    const local = model.predict(tf.tensor2d(x)) as tf.Tensor;
    assert.deepEqual(served.shape, [2, 3]);
    (served.arraySync() as number[][])
      .flat()
      .forEach((v, i) => assert.ok(Math.abs(v - (local.dataSync()[i] ?? NaN)) < 1e-5));
    const flat = await deployment.predict({ data: new Float32Array([1, 2, 3, 4]), shape: [4] });
    assert.deepEqual(flat.shape, [1, 3], 'one example without a batch dimension is sent as a batch of one');

    const bundle = toMimeBundle(deployment);
    const card = bundle[DEPLOYMENT_MIME] as DeploymentCardData;
    assert.deepEqual([card.name, card.version, card.status, card.url], ['tiny', '1', 'ready', deployment.url]);
    assert.match(String(bundle['text/plain']), /Deployment tiny v1 — ready/);
    assert.match(String(bundle['text/plain']), /curl -s -X POST http:\/\/127\.0\.0\.1:\d+\/v2\/models\/tiny\/infer/);
    assert.match(String(bundle['text/html']), /fetch\(/);

    assert.deepEqual((await deployment.status()).meta?.alerts, { p99Ms: 20, errorRate: 0.01 });
    assert.equal((await deployment.metrics()).requests, 2);
    assert.ok((await deployment.logs()).entries.some((e) => e.event === 'deploy'));

    // 2,048 rows × 4 = 8,192 elements: over BINARY_MIN_ELEMENTS, so sent as binary tensor data and answered the same way.
    const big = Array.from({ length: 2048 }, (_, r) => [r / 2048, -r / 1024, 0.5, (r % 7) / 7]);
    const servedBig = (await deployment.predict(big)).dataSync();
    const localBig = (model.predict(tf.tensor2d(big)) as tf.Tensor).dataSync();
    assert.equal(servedBig.length, 2048 * 3);
    for (let i = 0; i < servedBig.length; i++) assert.ok(Math.abs(servedBig[i]! - localBig[i]!) < 1e-5, `element ${i}`);

    await deployment.redeploy(mlp());
    assert.equal(deployment.version, '2');
    await deployment.rollback();
    assert.equal(deployment.version, '1');
    await deployment.stop();
    assert.equal(deployment.state, 'stopped');
    const listed = await deployments({ home: dir });
    assert.deepEqual(
      listed.map((d) => [d.name, d.state, d.version]),
      [['tiny', 'stopped', '1']],
    );
  });

  test('removes an old version, refuses to remove the one served, then removes the whole deployment', async () => {
    const dir = home();
    const deployment = await deploy(mlp(), { name: 'gone', home: dir, port: 0 });
    await deployment.redeploy(mlp());
    assert.deepEqual(await deployment.remove({ version: 1 }), ['1']);
    assert.deepEqual((await deployment.status()).versions, ['2']);
    await assert.rejects(
      deployment.remove({ version: '2' }),
      (error: DeployError) =>
        error.code === 'LEPTON_SERVER' &&
        error.serverCode === 'LEPTON_VERSION_IN_USE' &&
        /roll back/.test(error.message),
    );
    assert.deepEqual(await deployment.remove(), ['2']);
    assert.deepEqual(await deployments({ home: dir }), []);
    await assert.rejects(
      deployment.predict([[1, 2, 3, 4]]),
      (error: DeployError) => error.serverCode === 'LEPTON_UNKNOWN_MODEL',
    );
  });

  test('a second deploy finds the running server instead of starting another', async () => {
    const dir = home();
    await deploy(mlp(), { name: 'a', home: dir, port: 0 });
    const first = readServerFile(dir)!.pid;
    const b = await deploy(mlp(), { name: 'b', home: dir, port: 0 });
    assert.equal(readServerFile(dir)!.pid, first);
    assert.deepEqual((await deployments({ home: dir })).map((d) => d.name).sort(), ['a', 'b']);
    await b.stop();
  });

  test('a model that cannot be exported fails before any server starts, naming the layer', async () => {
    const dir = home();
    const model = tf.sequential({
      layers: [tf.layers.conv3d({ inputShape: [4, 4, 4, 1], filters: 1, kernelSize: 2, name: 'odd_conv' })],
    });
    await assert.rejects(deploy(model, { name: 'odd', home: dir, port: 0 }), (error: DeployError) => {
      assert.equal(error.code, 'LEPTON_NOT_EXPORTABLE');
      assert.match(error.message, /"odd_conv" is a Conv3D/);
      return true;
    });
    assert.equal(readServerFile(dir), undefined);
  });

  test('a port taken by another program is an error that says how to pick another', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      await assert.rejects(deploy(mlp(), { name: 'busy', home: home(), port }), (error: DeployError) => {
        assert.equal(error.code, 'LEPTON_PORT_BUSY');
        assert.match(error.message, new RegExp(`Port ${port} .*\\{ port: 0 \\}`));
        return true;
      });
    } finally {
      blocker.close();
    }
  });
});
