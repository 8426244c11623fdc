// lepton.deploy from a real kernel: the cell shows the deployment card, the model answers plain HTTP /infer, and
// after a kernel restart lepton.deployments() finds it still serving (the server outlives the kernel).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readServerFile, stopServer } from '@lepton/server';
import { KernelClient, resultData, type Execution } from '../support/kernel-client.js';
import { started } from '../support/hooks.js';

const deploymentMime = 'application/vnd.lepton.deployment+json';
const home = mkdtempSync(join(tmpdir(), 'lepton-deploy-it-'));

interface Card {
  name: string;
  version: string;
  status: string;
  url: string;
  inputs: Array<{ name: string }>;
}

function ok(run: Execution): Execution {
  assert.equal(run.reply.content.status, 'ok', JSON.stringify(run.reply.content));
  return run;
}

async function infer(url: string, input: string): Promise<number[]> {
  const response = await fetch(`${url}/infer`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ inputs: [{ name: input, shape: [1, 4], datatype: 'FP32', data: [0.5, -1, 2, 0] }] }),
  });
  assert.equal(response.status, 200, await response.clone().text());
  const body = (await response.json()) as { outputs: Array<{ shape: number[]; data: number[] }> };
  assert.deepEqual(body.outputs[0]!.shape, [1, 3]);
  return body.outputs[0]!.data;
}

describe('lepton.deploy in the Lepton kernel', () => {
  let kernel: KernelClient;
  before(async () => {
    kernel = await KernelClient.start({ env: { LEPTON_HOME: home, LEPTON_PORT: '0' } });
  });
  after(async () => {
    try {
      await started(kernel)?.shutdown();
    } finally {
      await stopServer({ home });
      rmSync(home, { recursive: true, force: true });
    }
  });

  test('a deployed model answers /infer, and survives a kernel restart in lepton.deployments()', async () => {
    const deployed = ok(
      await kernel.execute(
        [
          'const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 3, activation: "softmax", name: "probs" })] });',
          'const deployment = await lepton.deploy(model, { name: "it-tiny", port: 0, alerts: { p99Ms: 20, errorRate: 0.01 } });',
          'deployment',
        ].join('\n'),
        { timeout: 120 },
      ),
    );
    const card = resultData(deployed)?.[deploymentMime] as Card;
    assert.deepEqual([card.name, card.version, card.status], ['it-tiny', '1', 'ready']);
    assert.equal(
      card.url,
      `${readServerFile(home)!.url}/v2/models/it-tiny`,
      'the server is the one recorded in LEPTON_HOME',
    );
    assert.match(String(resultData(deployed)?.['text/plain']), /curl -s -X POST .*\/v2\/models\/it-tiny\/infer/);
    const before = await infer(card.url, card.inputs[0]!.name);
    assert.ok(Math.abs(before.reduce((a, b) => a + b, 0) - 1) < 1e-5, 'softmax outputs sum to 1');

    await kernel.restart();
    const found = ok(await kernel.execute('const [again] = await lepton.deployments();\nagain', { timeout: 60 }));
    const listed = resultData(found)?.[deploymentMime] as Card;
    assert.deepEqual([listed.name, listed.version, listed.status, listed.url], ['it-tiny', '1', 'ready', card.url]);
    assert.deepEqual(await infer(listed.url, listed.inputs[0]!.name), before, 'the same model still serves');

    // kill -9 the server: the next lepton.deployments() starts a new one, which restores the registry.
    const killed = readServerFile(home)!;
    process.kill(killed.pid, 'SIGKILL');
    const restored = ok(await kernel.execute('const [back] = await lepton.deployments();\nback', { timeout: 60 }));
    const revived = resultData(restored)?.[deploymentMime] as Card;
    assert.notEqual(readServerFile(home)!.pid, killed.pid, 'a new server process runs');
    assert.deepEqual([revived.name, revived.version, revived.status], ['it-tiny', '1', 'ready']);
    assert.deepEqual(
      await infer(revived.url, revived.inputs[0]!.name),
      before,
      'the restored model serves the same answers',
    );

    const stopped = ok(await kernel.execute('(await back!.stop()).state', { timeout: 60 }));
    assert.match(String(resultData(stopped)?.['text/plain']), /stopped/);
  });
});
