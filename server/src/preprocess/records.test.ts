import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { rmSync } from 'node:fs';
import { homePaths } from '../home.js';
import { DEFAULT_BATCHING } from '../meta.js';
import { Registry } from '../registry.js';
import { fixture, identityModel, tempHome, testServer, type TestServer } from '../testing.js';
import { recordsRequest, type TransformJSON } from './index.js';
import type { InferResponse } from '../deployment.js';
import type { ErrorBody } from '../errors.js';
import type { DeploymentInfo } from '../service.js';

const json = (
  kind: string,
  state: Record<string, unknown> | null,
  config: Record<string, unknown> = {},
): TransformJSON => ({ kind, version: 1, config, state });
const scaler = json(
  'standardScaler',
  { columns: ['mass', 'beak'], mean: [4000, 40], std: [500, 5] },
  { columns: ['mass', 'beak'] },
);
const island = json('oneHot', { columns: ['island'], categories: [['Biscoe', 'Dream']] }, { columns: ['island'] });
const fill = json('imputer', { columns: ['beak'], fill: [40] }, { strategy: 'mean', columns: ['beak'] });

describe("infer with parameters.lepton_preprocess: raw records through the deployment's transforms", () => {
  let s: TestServer;
  const deploy = (name: string, model: Buffer, meta: Record<string, unknown>) =>
    s.app.inject({
      method: 'POST',
      url: '/lepton/v1/deployments',
      headers: s.auth,
      payload: { name, model: model.toString('base64'), meta },
    });
  const infer = (name: string, body: unknown) =>
    s.app.inject({ method: 'POST', url: `/v2/models/${name}/infer`, payload: body as object });

  before(async () => {
    s = await testServer();
    // The identity model answers with the rows it was fed: the preprocessed records, here in the order the
    // transforms first name the columns (beak, mass, island_Biscoe, island_Dream).
    assert.equal((await deploy('prep', identityModel(4), { transforms: [fill, scaler, island] })).statusCode, 201);
    assert.equal((await deploy('plain', identityModel(4), {})).statusCode, 201);
  });
  after(() => s.close());

  it("preprocesses records sent as JSON objects or as their JSON text, and answers with the model's outputs", async () => {
    const records = [
      { mass: 4500, beak: 45, island: 'Dream' },
      { mass: 3500, island: 'Biscoe', Species: 'Adelie' },
    ];
    const request = recordsRequest(records);
    assert.deepEqual(request, {
      parameters: { lepton_preprocess: true },
      inputs: [{ name: 'records', datatype: 'BYTES', shape: [2], data: records }],
    });
    const expected = {
      model_name: 'prep',
      model_version: '1',
      outputs: [{ name: 'y', datatype: 'FP32', shape: [2, 4], data: [1, 1, 0, 1, 0, -1, 1, 0] }],
    };
    const objects = await infer('prep', request);
    assert.equal(objects.statusCode, 200, objects.body);
    assert.deepEqual(objects.json(), expected);
    const text = await infer('prep', {
      ...request,
      inputs: [{ ...request.inputs[0]!, data: records.map((r) => JSON.stringify(r)) }],
    });
    assert.deepEqual(text.json(), expected);
  });

  it("still takes the model's input tensors without the parameter", async () => {
    const r = await infer('prep', { inputs: [{ name: 'x', shape: [1, 4], datatype: 'FP32', data: [1, 2, 3, 4] }] });
    assert.equal(r.statusCode, 200, r.body);
    assert.deepEqual(r.json<InferResponse>().outputs[0]!.data, [1, 2, 3, 4]);
  });

  it('keeps the features given at deploy in meta.json, and carries them and the transforms over on redeploy', async () => {
    const created = await deploy('ordered', identityModel(3), {
      transforms: [scaler],
      features: ['beak', 'raw', 'mass'],
    });
    assert.equal(created.statusCode, 201, created.body);
    assert.deepEqual(created.json<DeploymentInfo>().meta!.features, ['beak', 'raw', 'mass']);
    const again = await s.app.inject({
      method: 'POST',
      url: '/lepton/v1/deployments/ordered/redeploy',
      headers: s.auth,
      payload: {},
    });
    assert.equal(again.statusCode, 201, again.body);
    assert.deepEqual(
      [again.json<DeploymentInfo>().version, again.json<DeploymentInfo>().meta!.features],
      ['2', ['beak', 'raw', 'mass']],
    );
    const r = await infer('ordered', recordsRequest([{ mass: 5000, beak: 35, raw: 7 }]));
    assert.deepEqual(r.json<InferResponse>().outputs[0]!.data, [-1, 7, 2]);
  });

  const corpus: Array<{ title: string; name?: string; body: object; status: number; code: string; message?: RegExp }> =
    [
      {
        title: 'a deployment without transforms',
        name: 'plain',
        body: recordsRequest([{ mass: 1 }]),
        status: 400,
        code: 'LEPTON_NO_TRANSFORMS',
        message: /version 1 was deployed without transforms/,
      },
      {
        title: 'a missing field',
        body: recordsRequest([{ mass: 4000, island: 'Dream' }, { beak: 40 }]),
        status: 400,
        code: 'LEPTON_BAD_RECORD',
        message: /^Record 1: "mass" is missing/,
      },
      {
        title: 'a null field',
        body: recordsRequest([{ mass: null, beak: 40 }]),
        status: 400,
        code: 'LEPTON_BAD_RECORD',
        message: /^Record 0: "mass" is missing/,
      },
      {
        title: 'a string where a number belongs',
        body: recordsRequest([{ mass: 'heavy', beak: 40 }]),
        status: 400,
        code: 'LEPTON_BAD_RECORD',
        message: /"mass" holds "heavy", but transforms\[1\] \(standardScaler\) needs a number/,
      },
      {
        title: 'an element that is not JSON text',
        body: {
          ...recordsRequest([]),
          inputs: [{ name: 'records', datatype: 'BYTES', shape: [1], data: ['mass=4000'] }],
        },
        status: 400,
        code: 'LEPTON_BAD_RECORD',
        message: /^Record 0 is a string that is not the JSON text of an object/,
      },
      {
        title: 'an element that is a number',
        body: { ...recordsRequest([]), inputs: [{ name: 'records', datatype: 'BYTES', shape: [1], data: [4000] }] },
        status: 400,
        code: 'LEPTON_BAD_RECORD',
        message: /^Record 0 is number/,
      },
      {
        title: 'no records',
        body: recordsRequest([]),
        status: 400,
        code: 'LEPTON_BAD_RECORDS',
        message: /holds no records/,
      },
      {
        title: 'another input name',
        body: {
          parameters: { lepton_preprocess: true },
          inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 4], data: [1, 2, 3, 4] }],
        },
        status: 400,
        code: 'LEPTON_BAD_RECORDS',
        message: /input "x"/,
      },
      {
        title: 'two inputs',
        body: { ...recordsRequest([{}]), inputs: [...recordsRequest([{}]).inputs, ...recordsRequest([{}]).inputs] },
        status: 400,
        code: 'LEPTON_BAD_RECORDS',
        message: /2 inputs/,
      },
      {
        title: 'another datatype',
        body: { ...recordsRequest([]), inputs: [{ name: 'records', datatype: 'FP32', shape: [1], data: [{}] }] },
        status: 400,
        code: 'LEPTON_BAD_RECORDS',
        message: /datatype FP32/,
      },
      {
        title: 'a shape that is not [n]',
        body: { ...recordsRequest([]), inputs: [{ name: 'records', datatype: 'BYTES', shape: [2], data: [{}] }] },
        status: 400,
        code: 'LEPTON_BAD_RECORDS',
        message: /shape \[2\] for 1 elements/,
      },
      {
        title: 'a parameter that is not a boolean',
        body: { ...recordsRequest([{}]), parameters: { lepton_preprocess: 'yes' } },
        status: 400,
        code: 'LEPTON_BAD_REQUEST',
        message: /lepton_preprocess must be true or false/,
      },
    ];
  for (const c of corpus) {
    it(`answers ${c.status} ${c.code} to ${c.title}`, async () => {
      const r = await infer(c.name ?? 'prep', c.body);
      assert.equal(r.statusCode, c.status, r.body);
      assert.equal(r.json<ErrorBody>().code, c.code);
      if (c.message) assert.match(r.json<ErrorBody>().error, c.message);
    });
  }

  it("refuses at deploy transforms it could not apply, naming the transform or the model's inputs", async () => {
    const refused = [
      {
        meta: { transforms: [scaler, json('robustScaler', { columns: ['mass'] })] },
        message: /transforms\[1\] \(robustScaler\) is of an unknown transform kind/,
      },
      {
        meta: { transforms: [json('standardScaler', null)] },
        message: /transforms\[0\] \(standardScaler\) is not fitted/,
      },
      {
        meta: { transforms: [scaler] },
        message: /the transforms give 2 columns \("mass", "beak"\), but the model input takes 4; deploy with features/,
      },
      {
        meta: { transforms: [scaler], features: ['mass'] },
        message: /features names 1 columns, but the model input takes 4/,
      },
      // Features without transforms are read from the records as they are (trees on raw numeric columns), so
      // they must still match the model's input.
      { meta: { features: ['mass', 'beak'] }, message: /features names 2 columns, but the model input takes 4/ },
    ];
    for (const { meta, message } of refused) {
      const r = await deploy('refused', identityModel(4), meta);
      assert.equal(r.statusCode, 400, r.body);
      assert.equal(r.json<ErrorBody>().code, 'LEPTON_BAD_META');
      assert.match(r.json<ErrorBody>().error, message);
    }
    const add = await deploy('refused', fixture('add'), { transforms: [scaler] });
    assert.equal(add.json<ErrorBody>().code, 'LEPTON_BAD_META');
    assert.match(
      add.json<ErrorBody>().error,
      /one FP32 input of shape \[batch, features\]; this model has "a" FP32 \[-1, 4\], "b" FP32 \[-1, 4\]/,
    );
    assert.equal(
      (await s.app.inject({ url: '/lepton/v1/deployments/refused', headers: s.auth })).statusCode,
      404,
      'nothing was deployed',
    );
  });
});

describe('a registry written before deploy checked transforms', () => {
  it('answers 409 LEPTON_PREPROCESS_UNAVAILABLE to records for transforms it cannot apply, and still serves tensors', async () => {
    const home = tempHome();
    const registry = new Registry(homePaths(home).models);
    const x = { name: 'x', datatype: 'FP32' as const, shape: [-1, 2] };
    registry.addVersion('legacy', identityModel(2), {
      format: 1,
      inputs: [x],
      outputs: [{ ...x, name: 'y' }],
      transforms: [json('standardScaler', null)],
      metrics: {},
      description: '',
      alerts: {},
      batching: DEFAULT_BATCHING,
      sha256: '',
      bytes: 0,
      createdAt: new Date().toISOString(),
    });
    registry.setState('legacy', { active: '1', running: true });
    const s = await testServer({ home });
    try {
      const r = await s.app.inject({
        method: 'POST',
        url: '/v2/models/legacy/infer',
        payload: recordsRequest([{ mass: 1 }]),
      });
      assert.equal(r.statusCode, 409, r.body);
      assert.equal(r.json<ErrorBody>().code, 'LEPTON_PREPROCESS_UNAVAILABLE');
      assert.match(
        r.json<ErrorBody>().error,
        /version 1 cannot preprocess records: .*transforms\[0\] \(standardScaler\) is not fitted/,
      );
      const tensors = await s.app.inject({
        method: 'POST',
        url: '/v2/models/legacy/infer',
        payload: { inputs: [{ name: 'x', shape: [1, 2], datatype: 'FP32', data: [1, 2] }] },
      });
      assert.equal(tensors.statusCode, 200, tensors.body);
    } finally {
      await s.close();
      rmSync(home, { recursive: true, force: true });
    }
  });
});
