// The whole penguins pipeline as one ONNX graph, judged by other engines: on every penguin (missing values
// included) the graph fed raw columns answers what the real server's Deployment.predictRecords answers, in
// onnxruntime-node and in Python's onnxruntime, after onnx.checker's full check; and the model repository of the
// deployment parses with Triton's own model_config.proto and loads with the names and dims its config declares.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import * as lepton from '@lepton/lib';
import { stopServer } from '@lepton/server';
import { PENGUIN_MEASUREMENTS, penguinsClassifier, penguinsPreprocessing } from '../support/penguins-pipeline.js';
import { repoRoot, requireVenv } from '../support/project.js';

const home = mkdtempSync(join(tmpdir(), 'lepton-pipeline-it-'));
const dir = mkdtempSync(join(tmpdir(), 'lepton-pipeline-out-'));
const driver = join(repoRoot, 'test', 'support', 'onnx_consumers.py');
const tritonProto = join(repoRoot, 'test', 'fixtures', 'triton', 'model_config.proto');

type Row = Record<string, unknown>;
type Columns = Record<string, { type: string; values: unknown[] }>;

/** The raw columns the graph takes, from records: null stands for a missing value (NaN or "" in the graph). */
function columnsOf(inputs: ReadonlyArray<{ name: string; type: string }>, rows: readonly Row[]): Columns {
  return Object.fromEntries(inputs.map((i) => [i.name, { type: i.type, values: rows.map((r) => r[i.name] ?? null) }]));
}

/** Asserts `actual` (null for NaN) equals `expected` within `tolerance` everywhere. */
function assertClose(
  actual: ArrayLike<number | null>,
  expected: ArrayLike<number>,
  what: string,
  tolerance = 1e-5,
): void {
  assert.equal(actual.length, expected.length, `${what}: lengths`);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i] ?? null; // in bounds: the lengths are equal
    assert.ok(a !== null && Number.isFinite(a), `${what}[${i}] is ${a}`);
    worst = Math.max(worst, Math.abs(a - expected[i]!));
  }
  assert.ok(worst <= tolerance, `${what} differs from predictRecords by ${worst}`);
}

/** Runs the Python driver; returns its stdout, failing with its stderr. */
function python(...args: string[]): string {
  const run = spawnSync(requireVenv(), [driver, ...args], { encoding: 'utf8', timeout: 180_000 });
  assert.equal(run.status, 0, `${args[0]} failed:\n${run.stdout}\n${run.stderr}`);
  return run.stdout;
}

function readOutput(path: string): { shape: number[]; data: Array<number | null> } {
  return JSON.parse(readFileSync(path, 'utf8')) as { shape: number[]; data: Array<number | null> };
}

describe('the penguins pipeline as one ONNX graph', () => {
  const { penguins, prep, features } = penguinsPreprocessing();
  const rows = penguins.objects() as Row[];
  let deployment: lepton.Deployment;
  let expected: Float32Array;
  let exported: lepton.export.PipelineExport;
  let columnsPath: string;

  before(async () => {
    await tf.setBackend('cpu');
    const model = penguinsClassifier(features);
    deployment = await lepton.deploy(model, {
      name: 'penguins-pipeline',
      home,
      port: 0,
      transforms: [prep],
      features,
      batching: { maxBatch: 16, maxDelayMs: 2 },
    });
    const served = await deployment.predictRecords(penguins);
    expected = served.dataSync() as Float32Array;
    served.dispose();
    exported = await lepton.export.onnx(model, join(dir, 'penguins.onnx'), { transforms: [prep], features });
    columnsPath = join(dir, 'columns.json');
    writeFileSync(columnsPath, JSON.stringify(columnsOf(exported.inputs, rows)));
  });
  after(async () => {
    await stopServer({ home });
    rmSync(home, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  });

  test('takes one input per raw column: floats for measurements, strings for categories', () => {
    assert.ok(
      rows.some((r) => r['Body Mass (g)'] == null) && rows.some((r) => r.Sex == null),
      'penguins has missing measurements and sexes',
    );
    assert.deepEqual(exported.inputs, [
      ...PENGUIN_MEASUREMENTS.map((name) => ({ name, type: 'float' })),
      { name: 'Sex', type: 'string' },
      { name: 'Island', type: 'string' },
    ]);
    assert.deepEqual(exported.features, features);
  });

  test('in onnxruntime-node, equals predictRecords through the server on every penguin', async () => {
    const probs = await exported.predict(penguins);
    assert.deepEqual(probs.shape, [rows.length, 3]);
    assertClose(Array.from(probs.dataSync()), expected, 'onnxruntime-node');
    probs.dispose();
  });

  test("passes onnx.checker's full check and, in Python's onnxruntime, equals predictRecords on every penguin", () => {
    const out = join(dir, 'python-out.json');
    const printed = python('check', exported.path!, columnsPath, out);
    assert.match(printed, /checked .*'ai\.onnx': 17.*'ai\.onnx\.ml': 2/);
    const result = readOutput(out);
    assert.deepEqual(result.shape, [rows.length, 3]);
    assertClose(result.data, expected, 'Python onnxruntime');
  });

  test("the model repository parses with Triton's model_config.proto, declares the dynamic batching and loads as declared", async () => {
    const repo = await lepton.export.modelRepository(deployment, join(dir, 'repo'));
    const out = join(dir, 'repo-out.json');
    const printed = python('repository', repo.dir, repo.name, tritonProto, columnsPath, out);
    const summary = JSON.parse(
      printed
        .split('\n')
        .find((l) => l.startsWith('repository '))!
        .slice('repository '.length),
    ) as Record<string, unknown>;
    assert.equal(summary.max_batch_size, 16);
    assert.equal(summary.max_queue_delay_microseconds, 2000);
    assert.deepEqual(summary.instances, [1]);
    // TYPE_FP32 is 11 and TYPE_STRING 13 in model_config.proto; the batch dimension is Triton's.
    assert.deepEqual(summary.inputs, [
      ...PENGUIN_MEASUREMENTS.map((n) => [n, 11, [1]]),
      ['Sex', 13, [1]],
      ['Island', 13, [1]],
    ]);
    assertClose(readOutput(out).data, expected, "the repository's model");
  });

  test('composes in front of a model another producer wrote (opset 13, weights in float_data, clashing value names)', async () => {
    const foreignPath = join(dir, 'foreign.onnx');
    const { W, b } = JSON.parse(python('foreign', foreignPath, String(features.length))) as {
      W: number[][];
      b: number[];
    };
    const whole = await lepton.export.pipeline(readFileSync(foreignPath), join(dir, 'foreign-pipeline.onnx'), {
      transforms: [prep],
      features,
    });
    const local = tf.tidy(
      () =>
        tf
          .softmax(prep.transform(penguins).toTensor(features).matMul(tf.tensor2d(W)).add(tf.tensor1d(b)))
          .dataSync() as Float32Array,
    );
    const probs = await whole.predict(penguins);
    assertClose(Array.from(probs.dataSync()), local, 'onnxruntime-node');
    probs.dispose();
    const out = join(dir, 'foreign-out.json');
    assert.match(python('check', whole.path!, columnsPath, out), /'ai\.onnx': 13/);
    assertClose(readOutput(out).data, local, 'Python onnxruntime');
  });

  test('a config Triton would refuse fails the same parse', async () => {
    const repo = await lepton.export.modelRepository(deployment, join(dir, 'typo'));
    const config = readFileSync(repo.configPath, 'utf8');
    writeFileSync(repo.configPath, config.replace('max_queue_delay_microseconds', 'max_queue_delay_micros'));
    const run = spawnSync(
      requireVenv(),
      [driver, 'repository', repo.dir, repo.name, tritonProto, columnsPath, join(dir, 'typo-out.json')],
      { encoding: 'utf8', timeout: 180_000 },
    );
    assert.notEqual(run.status, 0);
    assert.match(run.stderr, /max_queue_delay_micros/);
  });
});
