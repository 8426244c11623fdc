import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { ErrorBody } from '../errors.js';
import { homePaths } from '../home.js';
import { fixture, testServer, type TestServer } from '../testing.js';
import type { RouteName, RouteTypes } from './requests.js';

/** What route `N` answers on success, as the route table types it. */
type Reply<N extends RouteName> = RouteTypes[N]['reply'];

describe('the management API', () => {
  let s: TestServer;
  before(async () => {
    s = await testServer();
  });
  after(() => s.close());
  const call = (method: 'GET' | 'POST', url: string, payload?: object) =>
    s.app.inject({ method, url: `/lepton/v1${url}`, headers: s.auth, ...(payload ? { payload } : {}) });
  const model = (name: 'add' | 'mlp' | 'gather') => fixture(name).toString('base64');

  it('refuses requests without the token, or with a wrong one', async () => {
    for (const headers of [
      {},
      { authorization: 'Bearer wrong' },
      { authorization: s.token },
      { authorization: `Basic ${s.token}` },
    ]) {
      const r = await s.app.inject({ url: '/lepton/v1/deployments', headers });
      assert.equal(r.statusCode, 401);
      assert.equal(r.json<ErrorBody>().code, 'LEPTON_UNAUTHORIZED');
    }
    const r = await s.app.inject({
      method: 'POST',
      url: '/lepton/v1/deployments',
      payload: { name: 'x', model: model('add') },
    });
    assert.equal(r.statusCode, 401);
    assert.equal(s.service.find('x'), undefined);
  });

  it('keeps the token in a file only its owner can read', () => {
    assert.equal(statSync(homePaths(s.home).tokenFile).mode & 0o777, 0o600);
  });

  it('deploys, redeploys as a new version, rolls back, stops and starts', async () => {
    const first = await call('POST', '/deployments', {
      name: 'm',
      model: model('add'),
      meta: { metrics: { accuracy: 0.9 }, alerts: { p99Ms: 20, errorRate: 0.01 } },
    });
    assert.equal(first.statusCode, 201, first.body);
    assert.equal(first.json<Reply<'deploy'>>().version, '1');
    const second = await call('POST', '/deployments/m/redeploy', { model: model('add'), meta: { description: 'v2' } });
    assert.equal(second.statusCode, 201, second.body);
    const redeployed = second.json<Reply<'redeploy'>>();
    assert.deepEqual([redeployed.version, redeployed.versions], ['2', ['1', '2']]);
    assert.ok(redeployed.meta, 'the new version has its metadata');
    assert.deepEqual(redeployed.meta.alerts, { p99Ms: 20, errorRate: 0.01 }, 'alert rules carry over');
    assert.equal(redeployed.meta.description, 'v2');
    const back = await call('POST', '/deployments/m/rollback', {});
    assert.equal(back.json<Reply<'rollback'>>().version, '1');
    assert.equal((await s.app.inject('/v2/models/m/versions/1/ready')).statusCode, 200);
    assert.equal(
      (await s.app.inject('/v2/models/m/versions/2/ready')).json<ErrorBody>().code,
      'LEPTON_MODEL_NOT_READY',
    );
    const rolledForward = await call('POST', '/deployments/m/rollback', { version: 2 });
    assert.equal(rolledForward.json<Reply<'rollback'>>().version, '2');
    const unknown = await call('POST', '/deployments/m/rollback', { version: 9 });
    assert.equal(unknown.json<ErrorBody>().code, 'LEPTON_UNKNOWN_VERSION');
    const stopped = await call('POST', '/deployments/m/stop');
    assert.equal(stopped.json<Reply<'stop'>>().status, 'stopped');
    const r = await s.app.inject({
      method: 'POST',
      url: '/v2/models/m/infer',
      payload: { inputs: [{ name: 'a', shape: [1, 4], datatype: 'FP32', data: [1, 2, 3, 4] }] },
    });
    assert.equal(r.statusCode, 409);
    assert.equal(r.json<ErrorBody>().code, 'LEPTON_MODEL_NOT_READY');
    assert.equal((await call('POST', '/deployments/m/start')).json<Reply<'start'>>().status, 'ready');
    const list = (await call('GET', '/deployments')).json<Reply<'deployments'>>().deployments;
    assert.deepEqual(
      list.map((d) => [d.name, d.version, d.status]),
      [['m', '2', 'ready']],
    );
    const events = (await call('GET', '/deployments/m/logs?tail=10')).json<Reply<'logs'>>().entries.map((e) => e.event);
    assert.deepEqual(events, ['deploy', 'deploy', 'rollback', 'rollback', 'stop', 'start']);
    const again = await call('POST', '/deployments/m/redeploy', {});
    assert.equal(again.statusCode, 201, again.body);
    const served = again.json<Reply<'redeploy'>>();
    assert.deepEqual(
      [served.version, served.status, served.meta?.alerts],
      ['3', 'ready', { p99Ms: 20, errorRate: 0.01 }],
      'a redeploy without a model serves the active one again as a new version',
    );
  });

  it('rejects a bad name, bytes that are not a model, and metadata that disagrees with the model', async () => {
    const cases: Array<[object, number, string]> = [
      [{ name: '../etc', model: model('add') }, 400, 'LEPTON_BAD_NAME'],
      [{ name: 'x', model: Buffer.from('not onnx').toString('base64') }, 400, 'LEPTON_BAD_MODEL'],
      [{ name: 'x', model: 'not base64!' }, 400, 'LEPTON_BAD_REQUEST'],
      [
        { name: 'x', model: model('add'), meta: { inputs: [{ name: 'a', datatype: 'INT32', shape: [-1, 4] }] } },
        400,
        'LEPTON_BAD_META',
      ],
      [{ name: 'x', model: model('add'), meta: { alerts: { p99Ms: -1 } } }, 400, 'LEPTON_BAD_META'],
      [{ model: model('add') }, 400, 'LEPTON_BAD_REQUEST'],
    ];
    for (const [payload, status, code] of cases) {
      const r = await call('POST', '/deployments', payload);
      assert.equal(r.statusCode, status, r.body);
      assert.equal(r.json<ErrorBody>().code, code);
    }
    assert.equal(s.service.find('x'), undefined);
    assert.equal((await call('GET', '/deployments/nope')).json<ErrorBody>().code, 'LEPTON_UNKNOWN_MODEL');
    assert.equal((await call('POST', '/deployments/nope/redeploy', { model: model('add') })).statusCode, 404);
  });

  it('reports metrics of every deployment as JSON', async () => {
    await s.app.inject({
      method: 'POST',
      url: '/v2/models/m/infer',
      payload: {
        inputs: [
          { name: 'a', shape: [1, 4], datatype: 'FP32', data: [1, 2, 3, 4] },
          { name: 'b', shape: [1, 4], datatype: 'FP32', data: [1, 2, 3, 4] },
        ],
      },
    });
    const metrics = (await call('GET', '/metrics')).json<Reply<'allMetrics'>>().deployments['m'];
    assert.ok(metrics, 'the metrics name the deployment');
    assert.equal(metrics.status, 'ready');
    assert.ok(metrics.requests >= 1);
    assert.ok(metrics.lastMinute.latencyMs.p50 > 0);
  });
});
