// Server-side preprocessing through the real server process: a model deployed with its fitted transforms answers
// raw penguin records sent with a plain fetch (parameters.lepton_preprocess) exactly as the model answers
// lib's transform(df).toTensor(features) locally, missing values imputed, categories one-hot encoded.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import * as lepton from '@lepton/lib';
import { stopServer } from '@lepton/server';

const home = mkdtempSync(join(tmpdir(), 'lepton-records-it-'));
const numeric = ['Beak Length (mm)', 'Beak Depth (mm)', 'Flipper Length (mm)', 'Body Mass (g)'];

interface InferBody {
  outputs: Array<{ shape: number[]; data: number[] }>;
}

/** POSTs `body` to the model's infer route; returns the status and the JSON answer. */
async function infer(
  url: string,
  body: unknown,
): Promise<{ status: number; json: InferBody & { code?: string; error?: string } }> {
  const response = await fetch(`${url}/infer`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as InferBody & { code?: string; error?: string } };
}

/** The largest absolute difference between `served` and `local`, which must have the same length. */
function gap(served: ArrayLike<number>, local: ArrayLike<number>): number {
  assert.equal(served.length, local.length);
  let most = 0;
  for (let i = 0; i < served.length; i++) most = Math.max(most, Math.abs(served[i]! - local[i]!));
  return most;
}

function mlp(inputs: number): tf.LayersModel {
  return tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [inputs], units: 8, activation: 'relu' }),
      tf.layers.dense({ units: 3, activation: 'softmax' }),
    ],
  });
}

describe('raw records preprocessed by the server', () => {
  before(async () => {
    await tf.setBackend('cpu');
  });
  after(async () => {
    await stopServer({ home });
    rmSync(home, { recursive: true, force: true });
  });

  test('a pipeline of imputer, scaler and oneHot on the server equals transform(df).toTensor(features) and the model locally', async () => {
    const penguins = lepton.datasets.penguins();
    const prep = lepton.preprocess
      .pipeline([
        lepton.preprocess.imputer({ strategy: 'median', columns: numeric }),
        lepton.preprocess.standardScaler({ columns: numeric }),
        lepton.preprocess.oneHot({ columns: ['Island'] }),
      ])
      .fit(penguins);
    const features = [...numeric, 'Island_Biscoe', 'Island_Dream', 'Island_Torgersen'];
    const model = mlp(features.length);
    const local = tf.tidy(() => (model.predict(prep.transform(penguins).toTensor(features)) as tf.Tensor).dataSync());
    const deployment = await lepton.deploy(model, {
      name: 'penguins-records',
      home,
      port: 0,
      transforms: [prep],
      features,
    });

    // Every penguin, two with missing measurements among them; half as JSON objects, half as their JSON text.
    const records = penguins.objects() as Array<Record<string, unknown>>;
    assert.ok(
      records.some((r) => r['Body Mass (g)'] === null || r['Body Mass (g)'] === undefined),
      'penguins has missing values to impute',
    );
    const data = records.map((r, i) => (i % 2 === 0 ? r : JSON.stringify(r)));
    const served = await infer(deployment.url, {
      parameters: { lepton_preprocess: true },
      inputs: [{ name: 'records', datatype: 'BYTES', shape: [data.length], data }],
    });
    assert.equal(served.status, 200, JSON.stringify(served.json));
    assert.deepEqual(served.json.outputs[0]!.shape, [records.length, 3]);
    assert.ok(
      gap(served.json.outputs[0]!.data, local) < 1e-5,
      `served and local predictions differ by ${gap(served.json.outputs[0]!.data, local)}`,
    );

    const fromFrame = await deployment.predictRecords(penguins);
    assert.ok(gap(fromFrame.dataSync(), local) < 1e-5, 'predictRecords(df) agrees too');
    fromFrame.dispose();

    const unseen = await infer(deployment.url, {
      parameters: { lepton_preprocess: true },
      inputs: [
        {
          name: 'records',
          datatype: 'BYTES',
          shape: [2],
          data: [records[0], { ...records[0], 'Flipper Length (mm)': 'long' }],
        },
      ],
    });
    assert.equal(unseen.status, 400);
    assert.equal(unseen.json.code, 'LEPTON_BAD_RECORD');
    assert.match(
      unseen.json.error!,
      /^Record 1: "Flipper Length \(mm\)" holds "long", but transforms\[0\]\.steps\[1\] \(standardScaler\) needs a number\.$/,
    );
  });

  test("a scaler alone feeds the model its columns in the scaler's order; a missing value is a 400 naming the record and field", async () => {
    const clean = lepton.datasets
      .penguins()
      .filter((d: Record<string, unknown>) => d['Body Mass (g)'] != null && d['Beak Length (mm)'] != null);
    const scaler = lepton.preprocess.standardScaler({ columns: numeric }).fit(clean);
    const model = mlp(numeric.length);
    const rows = clean.objects().slice(0, 20) as Array<Record<string, unknown>>;
    const local = tf.tidy(() =>
      (model.predict(scaler.transform(clean).toTensor(numeric).slice([0, 0], [20, -1])) as tf.Tensor).dataSync(),
    );
    const deployment = await lepton.deploy(model, { name: 'penguins-scaled', home, port: 0, transforms: [scaler] });

    const served = await deployment.predictRecords(rows);
    assert.ok(gap(served.dataSync(), local) < 1e-5, 'served and local predictions agree');
    served.dispose();

    const missing = await infer(deployment.url, {
      parameters: { lepton_preprocess: true },
      inputs: [
        { name: 'records', datatype: 'BYTES', shape: [2], data: [rows[0], { ...rows[1], 'Body Mass (g)': null }] },
      ],
    });
    assert.equal(missing.status, 400);
    assert.equal(missing.json.code, 'LEPTON_BAD_RECORD');
    assert.match(
      missing.json.error!,
      /^Record 1: "Body Mass \(g\)" is missing \(absent, null or NaN\) and no imputer fills it\.$/,
    );
    await assert.rejects(
      deployment.predictRecords([{ 'Beak Length (mm)': 39 }]),
      (e: unknown) => e instanceof lepton.DeployError && e.serverCode === 'LEPTON_BAD_RECORD',
    );
  });

  test('a deployment without transforms refuses records with 400 LEPTON_NO_TRANSFORMS', async () => {
    const deployment = await lepton.deploy(mlp(4), { name: 'penguins-plain', home, port: 0 });
    const refused = await infer(deployment.url, {
      parameters: { lepton_preprocess: true },
      inputs: [{ name: 'records', datatype: 'BYTES', shape: [1], data: [{ 'Body Mass (g)': 3750 }] }],
    });
    assert.equal(refused.status, 400);
    assert.equal(refused.json.code, 'LEPTON_NO_TRANSFORMS');
    await assert.rejects(
      deployment.predictRecords([{ 'Body Mass (g)': 3750 }]),
      (e: unknown) => e instanceof lepton.DeployError && e.serverCode === 'LEPTON_NO_TRANSFORMS',
    );
  });
});
