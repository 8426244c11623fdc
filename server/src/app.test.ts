import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fixture, testServer, type TestServer } from './testing.js';
import type { InferResponse } from './deployment.js';
import type { ErrorBody } from './errors.js';
import type { LogEntry } from './logs.js';
import type { MetricsSnapshot } from './monitor.js';

const addInputs = (a: number[], b: number[], rows = 1) => ({
  inputs: [
    { name: 'a', shape: [rows, 4], datatype: 'FP32', data: a },
    { name: 'b', shape: [rows, 4], datatype: 'FP32', data: b },
  ],
});

describe('the OIP v2 routes', () => {
  let s: TestServer;
  before(async () => {
    s = await testServer();
    const deploy = async (name: string, model: 'add' | 'mlp' | 'gather') => {
      const r = await s.app.inject({
        method: 'POST',
        url: '/lepton/v1/deployments',
        headers: s.auth,
        payload: { name, model: fixture(model).toString('base64') },
      });
      assert.equal(r.statusCode, 201, r.body);
    };
    await deploy('add', 'add');
    await deploy('mlp', 'mlp');
    await deploy('gather', 'gather');
  });
  after(() => s.close());

  it('answers live and ready', async () => {
    assert.deepEqual((await s.app.inject('/v2/health/live')).json(), { live: true });
    assert.deepEqual((await s.app.inject('/v2/health/ready')).json(), { ready: true, reasons: [] });
  });

  it('describes a model with the inputs and outputs read from the ONNX file', async () => {
    const r = await s.app.inject('/v2/models/add');
    assert.equal(r.statusCode, 200);
    assert.deepEqual(r.json(), {
      name: 'add',
      versions: ['1'],
      platform: 'onnxruntime_onnx',
      inputs: [
        { name: 'a', datatype: 'FP32', shape: [-1, 4] },
        { name: 'b', datatype: 'FP32', shape: [-1, 4] },
      ],
      outputs: [{ name: 'sum', datatype: 'FP32', shape: [-1, 4] }],
    });
    assert.equal((await s.app.inject('/v2/models/add/versions/1')).statusCode, 200);
    assert.deepEqual((await s.app.inject('/v2/models/add/ready')).json(), { name: 'add', ready: true });
  });

  it('infers through the default and an explicit version', async () => {
    for (const url of ['/v2/models/add/infer', '/v2/models/add/versions/1/infer']) {
      const r = await s.app.inject({
        method: 'POST',
        url,
        payload: { id: 'r1', ...addInputs([1, 2, 3, 4], [10, 20, 30, 40]) },
      });
      assert.equal(r.statusCode, 200, r.body);
      assert.deepEqual(r.json(), {
        model_name: 'add',
        model_version: '1',
        id: 'r1',
        outputs: [{ name: 'sum', datatype: 'FP32', shape: [1, 4], data: [11, 22, 33, 44] }],
      });
    }
  });

  it('accepts nested data and INT64 inputs', async () => {
    const r = await s.app.inject({
      method: 'POST',
      url: '/v2/models/add/infer',
      payload: addInputs(
        [
          [1, 2, 3, 4],
          [0, 0, 0, 1],
        ] as never,
        [
          [1, 1, 1, 1],
          [2, 2, 2, 2],
        ] as never,
        2,
      ),
    });
    assert.deepEqual(r.json<InferResponse>().outputs[0]!.data, [2, 3, 4, 5, 2, 2, 2, 3]);
    const g = await s.app.inject({
      method: 'POST',
      url: '/v2/models/gather/infer',
      payload: { inputs: [{ name: 'idx', shape: [2], datatype: 'INT64', data: [0, 9] }] },
    });
    assert.deepEqual(g.json<InferResponse>().outputs[0]!, {
      name: 'rows',
      datatype: 'FP32',
      shape: [2, 2],
      data: [0, 1, 18, 19],
    });
  });

  it('returns only the outputs asked for', async () => {
    const r = await s.app.inject({
      method: 'POST',
      url: '/v2/models/add/infer',
      payload: { ...addInputs([0, 0, 0, 0], [0, 0, 0, 0]), outputs: [{ name: 'sum' }] },
    });
    assert.equal(r.json<InferResponse>().outputs.length, 1);
  });

  it('runs the MLP: 10 logits per row', async () => {
    const x = Array.from({ length: 784 * 3 }, (_, i) => (i % 17) / 17);
    const r = await s.app.inject({
      method: 'POST',
      url: '/v2/models/mlp/infer',
      payload: { inputs: [{ name: 'x', shape: [3, 784], datatype: 'FP32', data: x }] },
    });
    assert.equal(r.statusCode, 200, r.body);
    assert.deepEqual(r.json<InferResponse>().outputs[0]!.shape, [3, 10]);
    assert.ok((r.json<InferResponse>().outputs[0]!.data as number[]).every(Number.isFinite));
  });

  // The corpus of bad requests: each gets its 4xx and its code, and the server stays healthy.
  const x1 = (data: unknown[], extra: Record<string, unknown> = {}) => ({
    inputs: [
      { name: 'a', shape: [1, 4], datatype: 'FP32', data, ...extra },
      { name: 'b', shape: [1, 4], datatype: 'FP32', data: [0, 0, 0, 0] },
    ],
  });
  const corpus: Array<{
    title: string;
    url?: string;
    body: string | object;
    status: number;
    code: string;
    contentType?: string;
  }> = [
    { title: 'malformed JSON', body: '{"inputs": [', status: 400, code: 'LEPTON_BAD_JSON' },
    { title: 'an empty body', body: '', status: 400, code: 'LEPTON_BAD_JSON' },
    { title: 'a body without inputs', body: { id: 'x' }, status: 400, code: 'LEPTON_BAD_REQUEST' },
    { title: 'inputs that are not an array', body: { inputs: 3 }, status: 400, code: 'LEPTON_BAD_REQUEST' },
    {
      title: 'a tensor without data',
      body: { inputs: [{ name: 'a', shape: [1, 4], datatype: 'FP32' }] },
      status: 400,
      code: 'LEPTON_BAD_REQUEST',
    },
    {
      title: 'a negative dimension',
      body: x1([1, 2, 3, 4], { shape: [-1, 4] }),
      status: 400,
      code: 'LEPTON_BAD_REQUEST',
    },
    {
      title: 'a wrong tensor name',
      body: { inputs: [{ name: 'nope', shape: [1, 4], datatype: 'FP32', data: [1, 2, 3, 4] }] },
      status: 400,
      code: 'LEPTON_UNKNOWN_INPUT',
    },
    {
      title: 'a missing input',
      body: { inputs: [{ name: 'a', shape: [1, 4], datatype: 'FP32', data: [1, 2, 3, 4] }] },
      status: 400,
      code: 'LEPTON_MISSING_INPUT',
    },
    {
      title: 'a duplicated input',
      body: { inputs: [x1([1, 2, 3, 4]).inputs[0], x1([1, 2, 3, 4]).inputs[0]] },
      status: 400,
      code: 'LEPTON_DUPLICATE_INPUT',
    },
    {
      title: 'a wrong datatype',
      body: x1([1, 2, 3, 4], { datatype: 'INT32' }),
      status: 400,
      code: 'LEPTON_BAD_DATATYPE',
    },
    { title: 'a wrong shape', body: x1([1, 2, 3, 4, 5], { shape: [1, 5] }), status: 400, code: 'LEPTON_BAD_SHAPE' },
    { title: 'a wrong rank', body: x1([1, 2, 3, 4], { shape: [4] }), status: 400, code: 'LEPTON_BAD_SHAPE' },
    { title: 'too few values for the shape', body: x1([1, 2, 3]), status: 400, code: 'LEPTON_BAD_DATA_LENGTH' },
    { title: 'a string among floats', body: x1([1, 'NaN', 3, 4]), status: 400, code: 'LEPTON_BAD_VALUE' },
    {
      title: 'Infinity (1e999) among floats',
      body: '{"inputs":[{"name":"a","shape":[1,4],"datatype":"FP32","data":[1,1e999,3,4]},{"name":"b","shape":[1,4],"datatype":"FP32","data":[0,0,0,0]}]}',
      status: 400,
      code: 'LEPTON_BAD_VALUE',
    },
    { title: 'a float beyond FP32', body: x1([1, 1e300, 3, 4]), status: 400, code: 'LEPTON_BAD_VALUE' },
    { title: 'null among floats', body: x1([1, null, 3, 4]), status: 400, code: 'LEPTON_BAD_VALUE' },
    {
      title: 'a fraction for INT64',
      url: '/v2/models/gather/infer',
      body: { inputs: [{ name: 'idx', shape: [1], datatype: 'INT64', data: [1.5] }] },
      status: 400,
      code: 'LEPTON_BAD_VALUE',
    },
    {
      title: 'inputs disagreeing on the batch',
      body: {
        inputs: [
          x1([1, 2, 3, 4]).inputs[0],
          { name: 'b', shape: [2, 4], datatype: 'FP32', data: [0, 0, 0, 0, 0, 0, 0, 0] },
        ],
      },
      status: 400,
      code: 'LEPTON_BATCH_MISMATCH',
    },
    {
      title: 'an unknown output',
      body: { ...x1([1, 2, 3, 4]), outputs: [{ name: 'nope' }] },
      status: 400,
      code: 'LEPTON_UNKNOWN_OUTPUT',
    },
    {
      title: 'an unknown model',
      url: '/v2/models/nope/infer',
      body: x1([1, 2, 3, 4]),
      status: 404,
      code: 'LEPTON_UNKNOWN_MODEL',
    },
    {
      title: 'an unknown version',
      url: '/v2/models/add/versions/7/infer',
      body: x1([1, 2, 3, 4]),
      status: 404,
      code: 'LEPTON_UNKNOWN_VERSION',
    },
    { title: 'a text body', body: 'hello', contentType: 'text/plain', status: 415, code: 'LEPTON_BAD_CONTENT_TYPE' },
    {
      title: 'records for a model deployed without transforms',
      body: { ...x1([1, 2, 3, 4]), parameters: { lepton_preprocess: true } },
      status: 400,
      code: 'LEPTON_NO_TRANSFORMS',
    },
  ];
  for (const c of corpus) {
    it(`answers ${c.status} ${c.code} to ${c.title}`, async () => {
      const r = await s.app.inject({
        method: 'POST',
        url: c.url ?? '/v2/models/add/infer',
        payload: typeof c.body === 'string' ? c.body : JSON.stringify(c.body),
        headers: { 'content-type': c.contentType ?? 'application/json' },
      });
      assert.equal(r.statusCode, c.status, r.body);
      assert.equal(r.json<ErrorBody>().code, c.code);
      assert.equal(typeof r.json<ErrorBody>().error, 'string');
    });
  }

  it('answers a failing model run with a 500 for that request only, and logs it', async () => {
    const bad = await s.app.inject({
      method: 'POST',
      url: '/v2/models/gather/infer',
      payload: { inputs: [{ name: 'idx', shape: [1], datatype: 'INT64', data: [99] }] },
    });
    assert.equal(bad.statusCode, 500);
    assert.equal(bad.json<ErrorBody>().code, 'LEPTON_INFERENCE_FAILED');
    assert.match(bad.json<ErrorBody>().error, /out of data bounds/);
    const good = await s.app.inject({
      method: 'POST',
      url: '/v2/models/gather/infer',
      payload: { inputs: [{ name: 'idx', shape: [1], datatype: 'INT64', data: [3] }] },
    });
    assert.equal(good.statusCode, 200);
    const logs = await s.app.inject({ url: '/lepton/v1/deployments/gather/logs', headers: s.auth });
    assert.ok(logs.json<{ entries: LogEntry[] }>().entries.some((e) => e.code === 'LEPTON_INFERENCE_FAILED'));
  });

  it('stays healthy after the corpus, and counts what it answered', async () => {
    assert.equal((await s.app.inject('/v2/health/ready')).statusCode, 200);
    const m = (
      await s.app.inject({ url: '/lepton/v1/deployments/add/metrics', headers: s.auth })
    ).json<MetricsSnapshot>();
    assert.ok(m.requests >= 20);
    assert.ok(m.rejected >= 15);
    assert.ok(m.lastErrors.length > 0);
    assert.ok(m.lastMinute.latencyMs.p99 > 0);
    const prom = await s.app.inject('/metrics');
    assert.match(prom.headers['content-type'] as string, /text\/plain; version=0\.0\.4/);
    assert.match(prom.body, /lepton_request_duration_seconds_bucket\{model="add",le="\+Inf"\} \d+/);
    assert.match(prom.body, /lepton_request_errors_total\{model="gather",kind="server"\} 1/);
  });
});

describe('the body limit', () => {
  it('answers 413 to a body over the configured limit', async () => {
    const s = await testServer({ bodyLimit: 1000 });
    try {
      await s.service.deploy('add', fixture('add'));
      const r = await s.app.inject({
        method: 'POST',
        url: '/v2/models/add/infer',
        payload: { inputs: [{ name: 'a', shape: [1, 4], datatype: 'FP32', data: Array(1000).fill(1) }] },
      });
      assert.equal(r.statusCode, 413);
      assert.equal(r.json<ErrorBody>().code, 'LEPTON_BODY_TOO_LARGE');
      assert.match(r.json<ErrorBody>().error, /1000 bytes/);
    } finally {
      await s.close();
    }
  });
});
