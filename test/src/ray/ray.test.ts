// Ray Serve as a deployment target, through a real local Ray cluster on loopback (free ports, its own temp dir):
// start, deploy, infer (JSON and the binary tensor extension, byte for byte), the server's 4xx answers, scale 1 → 2,
// kill -9 a replica while requests run (none is lost), the penguins pipeline taking raw records (predictRecords and
// curl-style JSON against the local deployment), lepton.deployments(), stop. The cluster is stopped even when
// a test fails.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import * as lepton from '@lepton/lib';
import type { RayDeploymentsAnswer } from '@lepton/lib/contract';
import { errorCatalogue, stopServer } from '@lepton/server';
import { repoRoot, requireVenv } from '../support/project.js';
import { PENGUIN_MEASUREMENTS } from '../support/penguins-pipeline.js';
import { MISSING, penguinsPipeline, rayEnvironment } from './support.js';

const home = mkdtempSync(join(tmpdir(), 'lepton-ray-it-'));
const catalogue = errorCatalogue();

function mlp(): tf.LayersModel {
  return tf.sequential({
    layers: [
      tf.layers.dense({
        inputShape: [4],
        units: 8,
        activation: 'relu',
        kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }),
      }),
      tf.layers.dense({
        units: 3,
        activation: 'softmax',
        kernelInitializer: tf.initializers.glorotUniform({ seed: 4 }),
      }),
    ],
  });
}

/** Whether process `pid` runs on this machine. */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The last status seen if `ok` holds for it, else `status()` polled until it does (generous deadline: a loaded machine is slow). */
async function until(
  deployment: lepton.RayDeployment,
  ok: (s: lepton.RayStatus) => boolean,
  what: string,
  timeoutMs = 90_000,
): Promise<lepton.RayStatus> {
  if (ok(deployment.lastStatus)) return deployment.lastStatus;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await deployment.status();
    if (ok(status)) return status;
    if (Date.now() > deadline)
      assert.fail(
        `${what} did not happen within ${timeoutMs} ms: ${JSON.stringify(status.replicaStates)} ${status.status} ${status.message}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

describe('Ray Serve as a deployment target', { timeout: 600_000 }, () => {
  let ready = false;
  let deployment: lepton.RayDeployment | undefined;
  let pipeline: lepton.RayDeployment | undefined;
  const model = mlp();
  const x = tf.tensor2d([
    [0.1, -0.3, 1.2, 0.5],
    [1, 2, 3, 4],
    [-1, 0, 0.5, 2],
  ]);

  before(async () => {
    await tf.setBackend('cpu');
    if (!rayEnvironment()) return;
    const cluster = await lepton.startRayCluster({ home, numCpus: 2 });
    assert.ok(cluster.started);
    assert.match(cluster.address, /^127\.0\.0\.1:\d+$/);
    ready = true;
  });

  after(async () => {
    // Stopped whenever an environment could have started it, even if the start itself failed half-way.
    if (lepton.hasRayEnvironment()) await lepton.stopRayCluster({ home });
    await stopServer({ home });
    rmSync(home, { recursive: true, force: true });
  });

  test("a model deployed to Ray answers predict as tfjs does, and the OIP routes as Lepton's server does", async (t) => {
    if (!ready) {
      t.skip(MISSING);
      return;
    }
    deployment = await lepton.deploy(model, {
      name: 'ray-mlp',
      home,
      target: { ray: { replicas: 1 } },
      batching: { maxBatch: 8, maxDelayMs: 2 },
    });
    assert.equal(deployment.state, 'ready');
    assert.deepEqual(deployment.lastStatus.replicaStates, { RUNNING: 1 });
    const served = await deployment.predict(x);
    const local = model.predict(x) as tf.Tensor;
    const gap = tf.max(tf.abs(tf.sub(served, local))).dataSync()[0]!;
    assert.ok(gap < 1e-5, `served and local predictions differ by ${gap}`);

    const base = deployment.url.replace(/\/v2\/models\/.*$/, '');
    const server = (await (await fetch(`${base}/v2`)).json()) as { extensions: string[] };
    assert.ok(server.extensions.includes('binary_tensor_data'));
    assert.deepEqual(await (await fetch(`${base}/v2/health/live`)).json(), { live: true });
    const meta = (await (await fetch(deployment.url)).json()) as { inputs: Array<{ name: string; shape: number[] }> };
    assert.deepEqual(meta.inputs[0]!.shape, [-1, 4]);
    const input = meta.inputs[0]!.name;

    const unknown = await fetch(`${base}/v2/models/nope/infer`, { method: 'POST', body: '{}' });
    assert.equal(unknown.status, catalogue.unknownModel!.status);
    assert.equal(((await unknown.json()) as { code: string }).code, catalogue.unknownModel!.code);
    const badShape = await fetch(`${deployment.url}/infer`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ inputs: [{ name: input, datatype: 'FP32', shape: [1, 3], data: [1, 2, 3] }] }),
    });
    assert.equal(badShape.status, 400);
    assert.equal(((await badShape.json()) as { code: string }).code, catalogue.badShape!.code);
    const noVersion = await fetch(`${deployment.url}/versions/9/ready`);
    assert.equal(((await noVersion.json()) as { code: string }).code, catalogue.unknownVersion!.code);

    // The binary tensor data extension, laid out by hand from its specification: JSON header, then raw FP32 bytes.
    const rows = new Float32Array(x.dataSync());
    const header = Buffer.from(
      JSON.stringify({
        inputs: [{ name: input, datatype: 'FP32', shape: [3, 4], parameters: { binary_data_size: rows.byteLength } }],
        outputs: [{ name: deployment.lastStatus.outputs[0]!.name, parameters: { binary_data: true } }],
      }),
    );
    const binary = await fetch(`${deployment.url}/infer`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream', 'inference-header-content-length': String(header.length) },
      body: Buffer.concat([header, Buffer.from(rows.buffer)]),
    });
    assert.equal(binary.status, 200);
    const body = Buffer.from(await binary.arrayBuffer());
    const length = Number(binary.headers.get('inference-header-content-length'));
    const answer = JSON.parse(body.subarray(0, length).toString()) as {
      outputs: Array<{ shape: number[]; parameters: { binary_data_size: number } }>;
    };
    assert.deepEqual(answer.outputs[0]!.shape, [3, 3]);
    assert.equal(answer.outputs[0]!.parameters.binary_data_size, 36);
    const expected = Buffer.from(new Float32Array((await served.data()) as Float32Array).buffer);
    assert.ok(body.subarray(length).equals(expected), 'the binary output is the float32 bytes of the JSON answer');
    const short = await fetch(`${deployment.url}/infer`, {
      method: 'POST',
      headers: { 'inference-header-content-length': String(header.length) },
      body: Buffer.concat([header, Buffer.from(rows.buffer).subarray(4)]),
    });
    assert.equal(short.status, 400);
    assert.equal(((await short.json()) as { code: string }).code, catalogue.badRequest!.code);
    served.dispose();
    local.dispose();
  });

  test('scaled from 1 to 2 replicas, a replica killed with -9 while requests run loses no request', async (t) => {
    if (!ready || !deployment) {
      t.skip(ready ? 'the deployment test failed' : MISSING);
      return;
    }
    await deployment.scale(2);
    const scaled = await until(
      deployment,
      (s) =>
        s.replicaStates.RUNNING === 2 &&
        Object.keys(s.replicaStates).length === 1 &&
        s.replicas.filter((r) => running(r.pid)).length === 2,
      'two running replicas',
    );
    const victim = scaled.replicas.filter((r) => running(r.pid))[0]!;
    const expected = Array.from((model.predict(x) as tf.Tensor).dataSync());
    let stop = false;
    let answered = 0;
    const clients = Array.from({ length: 4 }, async () => {
      while (!stop) {
        const out = await deployment!.predict(x);
        const got = Array.from(out.dataSync());
        out.dispose();
        got.forEach((v, i) => {
          assert.ok(Math.abs(v - expected[i]!) < 1e-5);
        });
        answered++;
      }
    });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    process.kill(victim.pid, 'SIGKILL');
    // The replica's restart shows in the log (read over HTTP, cheap to poll); then Serve must count two running again.
    const restarted = Date.now() + 120_000;
    while (
      !(await deployment.logs()).entries.some(
        (e) => e.event === 'replica-start' && (e as { restart?: boolean }).restart,
      )
    ) {
      assert.ok(Date.now() < restarted, 'Ray did not restart the killed replica within 120 s');
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    await until(
      deployment,
      (s) => s.replicas.filter((r) => running(r.pid)).length === 2 && s.replicaStates.RUNNING === 2,
      'Ray restarting the killed replica',
      120_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 1000));
    stop = true;
    await Promise.all(clients);
    assert.ok(answered > 0);
    const logs = await deployment.logs();
    assert.ok(
      logs.entries.some((e) => e.event === 'replica-start' && (e as { restart?: boolean }).restart),
      'the log names the restarted replica',
    );
    const metrics = await deployment.metrics();
    assert.ok(metrics.requests >= answered, `metrics count ${metrics.requests} requests of the ${answered} answered`);
    assert.equal(metrics.errors, 0);
  });

  test('the penguins pipeline deployed to Ray takes raw records as a local deployment with transforms does', async (t) => {
    if (!ready) {
      t.skip(MISSING);
      return;
    }
    const { penguins, transforms, features, model: net } = penguinsPipeline();
    const rows = penguins.objects() as Array<Record<string, unknown>>;
    assert.ok(
      rows.some((r) => r['Body Mass (g)'] == null) && rows.some((r) => r.Sex == null),
      'penguins has missing measurements and sexes',
    );
    const local = await lepton.deploy(net, { name: 'penguins-local', home, transforms, features });
    const graph = await lepton.deploy(await lepton.export.pipelineOnnxBytes(net, { transforms, features }), {
      name: 'penguins-graph',
      home,
    });
    pipeline = await lepton.deploy(net, { name: 'penguins', home, transforms, features, target: { ray: {} } });
    assert.deepEqual(pipeline.columns, [
      ...PENGUIN_MEASUREMENTS.map((name) => ({ name, type: 'float' })),
      { name: 'Sex', type: 'string' },
      { name: 'Island', type: 'string' },
    ]);

    // predictRecords on every penguin, missing values included, equals the local deployment's.
    const expected = await local.predictRecords(penguins);
    const tensors = tf.memory().numTensors;
    const served = await pipeline.predictRecords(penguins);
    assert.equal(tf.memory().numTensors, tensors + 1, 'predictRecords leaves only its answer');
    assert.deepEqual(served.shape, [rows.length, 3]);
    const gap = tf.max(tf.abs(tf.sub(served, expected))).dataSync()[0]!;
    assert.ok(gap < 1e-5, `Ray and the local deployment differ by ${gap}`);

    // The request a user writes with curl: one JSON input per raw column, null for a missing value.
    const some = [0, 3, 8, 100, 200, 300];
    const body = {
      inputs: pipeline.columns.map((c) => ({
        name: c.name,
        datatype: c.type === 'string' ? 'BYTES' : 'FP32',
        shape: [some.length, 1],
        data: some.map((i) => [rows[i]![c.name] ?? null]),
      })),
    };
    const curl = await fetch(`${pipeline.url}/infer`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    assert.equal(curl.status, 200);
    const answer = (await curl.json()) as { outputs: Array<{ shape: number[]; data: number[] }> };
    assert.deepEqual(answer.outputs[0]!.shape, [some.length, 3]);
    const want = expected.arraySync() as number[][];
    answer.outputs[0]!.data.forEach((p, k) => {
      assert.ok(Math.abs(p - want[some[Math.floor(k / 3)]!]![k % 3]!) < 1e-5, `curl answer ${k}: ${p}`);
    });

    // A bad column is refused with the code and status Lepton's server gives for the same graph.
    const complete = {
      inputs: body.inputs.map((i) => ({
        ...i,
        data: i.data.map(([v]) => [v == null || Number.isNaN(v) ? (i.datatype === 'BYTES' ? '' : 0) : v]),
      })),
    };
    const bad = {
      missingInput: { inputs: complete.inputs.filter((i) => i.name !== 'Island') },
      badDatatype: {
        inputs: complete.inputs.map((i) =>
          i.name === 'Island' ? { ...i, datatype: 'FP32', data: some.map(() => [1]) } : i,
        ),
      },
      badValue: {
        inputs: complete.inputs.map((i) =>
          i.name === 'Body Mass (g)' ? { ...i, data: some.map(() => ['heavy']) } : i,
        ),
      },
    };
    for (const [entry, request] of Object.entries(bad)) {
      const refusal = async (url: string): Promise<[number, string]> => {
        const answer = await fetch(`${url}/infer`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(request),
        });
        return [answer.status, ((await answer.json()) as { code: string }).code];
      };
      const onRay = await refusal(pipeline.url);
      assert.deepEqual(onRay, [catalogue[entry]!.status, catalogue[entry]!.code], `${entry} on Ray`);
      assert.deepEqual(onRay, await refusal(graph.url), `${entry}: Ray answers as Lepton's server`);
    }
    await assert.rejects(
      pipeline.predictRecords([{ ...rows[0], 'Body Mass (g)': 'heavy' }]),
      (error: lepton.DeployError) =>
        error.code === 'LEPTON_BAD_INPUT' && /Record 0: "Body Mass \(g\)"/.test(error.message),
    );
    served.dispose();
    expected.dispose();
    await local.remove();
    await graph.remove();
  });

  test('lepton.deployments() lists the Ray deployment beside local ones, and stop removes it', async (t) => {
    if (!ready || !deployment) {
      t.skip(ready ? 'the deployment test failed' : MISSING);
      return;
    }
    const local = await lepton.deploy(model, { name: 'local-mlp', home });
    const all = await lepton.deployments({ home });
    assert.deepEqual(all.map((d) => d.name).sort(), ['local-mlp', ...(pipeline ? ['penguins'] : []), 'ray-mlp']);
    assert.equal(all.find((d) => d.name === 'ray-mlp') instanceof lepton.RayDeployment, true);
    // The deployments panel's Ray rows: the Jupyter server extension's listing (run here in the project's .venv)
    // reads the same cluster as lepton.deployments() and names the same deployments, with their replicas.
    const listing = spawnSync(
      requireVenv(),
      [
        '-c',
        'import asyncio, json, sys; from pathlib import Path; from lepton_jupyter.ray import ray_deployments; print(json.dumps(asyncio.run(ray_deployments(Path(sys.argv[1])))))',
        home,
      ],
      {
        encoding: 'utf8',
        timeout: 120_000,
        env: { ...process.env, PYTHONPATH: join(repoRoot, 'extension', 'python'), LEPTON_PROJECT_ROOT: repoRoot },
      },
    );
    assert.equal(listing.status, 0, listing.stderr);
    const panel = JSON.parse(listing.stdout.trim().split('\n').pop()!) as RayDeploymentsAnswer;
    assert.equal(panel.error, undefined);
    assert.equal(panel.running, true);
    assert.deepEqual(
      panel.deployments.map((d) => d.name).sort(),
      all
        .filter((d) => d instanceof lepton.RayDeployment)
        .map((d) => d.name)
        .sort(),
    );
    assert.equal(panel.deployments.find((d) => d.name === 'ray-mlp')!.replicaStates.RUNNING, 2);
    assert.equal(`${panel.httpUrl}/v2/models/ray-mlp`, deployment.url);
    await local.stop();
    await deployment.stop();
    await pipeline?.stop();
    assert.equal(deployment.state, 'stopped');
    const gone = await fetch(`${deployment.url}/ready`);
    assert.equal(((await gone.json()) as { code: string }).code, catalogue.unknownModel!.code);
    assert.deepEqual(
      (await lepton.deployments({ home })).map((d) => d.name),
      ['local-mlp'],
    );
  });
});
