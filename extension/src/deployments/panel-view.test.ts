import { host } from '../testing/dom.js';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
// The server's test helpers are not part of its published package: the workspace reaches them by path.
import { fixture, testServer, type TestServer } from '../../../server/dist/testing.js';
import { ManagementClient, type Transport } from '../api/client.js';
import type { RayDeploymentsAnswer, RayStatus } from '../api/types.js';
import { DeploymentsView, START_COMMAND } from './panel-view.js';

/** Requests straight into a real model server application, as the Jupyter proxy forwards them. */
const serverTransport =
  (s: TestServer): Transport =>
  async (path, init) => {
    const r = await s.app.inject({
      method: init.method,
      url: `/${path}`,
      headers: { ...s.auth, 'content-type': 'application/json' },
      ...(init.body === undefined ? {} : { payload: init.body }),
    });
    return new Response(r.body, { status: r.statusCode, headers: { 'content-type': 'application/json' } });
  };

describe('the deployments panel', () => {
  let server: TestServer;
  let confirmations: string[];
  let answer: boolean;
  let view: DeploymentsView;
  const row = () => view.node.querySelector<HTMLElement>('.jp-LeptonDeployment[data-name="digits"]')!;
  const press = async (action: string) => {
    row().querySelector<HTMLButtonElement>(`button[data-action="${action}"]`)!.click();
    await view.settled;
  };

  before(async () => {
    server = await testServer();
    await server.service.deploy('digits', fixture('mlp'), {});
    view = new DeploymentsView(host(), new ManagementClient(serverTransport(server)), (title) => {
      confirmations.push(title);
      return Promise.resolve(answer);
    });
  });
  // A before() that failed leaves `server` unset, which its type cannot say.
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- see above
  after(() => server?.close());

  it('lists a deployment with its status, version, traffic, latency and log', async () => {
    const meta = server.service.info('digits').meta as { inputs: { name: string; shape: number[] }[] };
    const input = meta.inputs[0]!;
    const width = input.shape.slice(1).reduce((a, b) => a * b, 1);
    for (let i = 0; i < 3; i++) {
      const r = await server.app.inject({
        method: 'POST',
        url: '/v2/models/digits/infer',
        payload: {
          inputs: [{ name: input.name, shape: [1, width], datatype: 'FP32', data: new Array(width).fill(0) }],
        },
      });
      assert.equal(r.statusCode, 200, r.body);
    }
    await view.refresh();
    assert.deepEqual(view.names, ['digits']);
    assert.equal(row().dataset.status, 'ready');
    assert.match(row().textContent, /v1 \(versions 1\)/);
    assert.match(row().textContent, /3 total · p50 [\d.]+ ms · p95 [\d.]+ ms · p99 [\d.]+ ms · errors 0\.0 %/);
    assert.equal(
      row().querySelector('svg.jp-LeptonSparkline')!.getAttribute('data-max'),
      '3',
      'the sparkline holds the last seconds of traffic',
    );
    assert.match(row().querySelector('.jp-LeptonDeployment-logs pre')!.textContent, /deploy: /);
    assert.equal(
      row().querySelector<HTMLButtonElement>('button[data-action="rollback"]')!.disabled,
      true,
      'nothing to roll back to',
    );
  });

  it('does nothing unless the user confirms', async () => {
    [confirmations, answer] = [[], false];
    await press('stop');
    assert.deepEqual(confirmations, ['Stop digits?']);
    assert.equal(server.service.info('digits').status, 'ready');
  });

  it('stops, redeploys as a new version and rolls back, each confirmed', async () => {
    [confirmations, answer] = [[], true];
    await press('stop');
    assert.equal(server.service.info('digits').status, 'stopped', view.node.textContent);
    assert.equal(row().dataset.status, 'stopped');
    [confirmations] = [[]];
    await press('redeploy');
    assert.deepEqual([server.service.info('digits').status, server.service.info('digits').version], ['ready', '2']);
    assert.match(row().textContent, /v2 \(versions 1, 2\)/);
    [confirmations] = [[]];
    await press('rollback');
    assert.equal(server.service.info('digits').version, '1');
  });

  it('says how to start the model server when it is not running', async () => {
    const notRunning: Transport = () =>
      Promise.resolve(
        new Response(
          JSON.stringify({ code: 'LEPTON_SERVER_NOT_RUNNING', error: 'The Lepton model server is not running.' }),
          { status: 503 },
        ),
      );
    const empty = new DeploymentsView(host(), new ManagementClient(notRunning), () => Promise.resolve(true));
    await empty.refresh();
    assert.equal(empty.node.dataset.state, 'not-running');
    assert.equal(empty.node.querySelector('code')!.textContent, START_COMMAND);
  });
});

describe('the deployments panel with a local Ray cluster', () => {
  /** A Ray deployment as `python -m lepton_ray.control list` reports it (the contract's RayStatus). */
  const penguins: RayStatus = {
    name: 'penguins',
    version: '2',
    status: 'RUNNING',
    message: '',
    replicaStates: { RUNNING: 2 },
    replicas: [
      { id: 'a1', pid: 101, node: 'host', startedAt: 1 },
      { id: 'b2', pid: 102, node: 'host', startedAt: 2 },
    ],
    inputs: [
      { name: 'Body Mass (g)', datatype: 'FP32', shape: [-1, 1] },
      { name: 'Island', datatype: 'BYTES', shape: [-1, 1] },
    ],
    outputs: [{ name: 'probabilities', datatype: 'FP32', shape: [-1, 3] }],
    columns: [
      { name: 'Body Mass (g)', type: 'float' },
      { name: 'Island', type: 'string' },
    ],
    httpPort: 41235,
    config: { replicas: 2, autoscaling: null, batching: { maxBatch: 16 }, version: '2' },
  };
  let ray: RayDeploymentsAnswer;
  let server: TestServer;
  let view: DeploymentsView;
  const rayRow = () =>
    view.node.querySelector<HTMLElement>('.jp-LeptonDeployment[data-name="penguins"][data-engine="ray"]');

  before(async () => {
    server = await testServer();
    await server.service.deploy('digits', fixture('mlp'), {});
    const local = serverTransport(server);
    // The Jupyter server extension answers lepton/ray/deployments; everything else goes to the real model server.
    const transport: Transport = async (path, init) =>
      path === 'lepton/ray/deployments' ? new Response(JSON.stringify(ray), { status: 200 }) : local(path, init);
    view = new DeploymentsView(host(), new ManagementClient(transport), () => Promise.resolve(true));
  });
  // A before() that failed leaves `server` unset, which its type cannot say.
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- see above
  after(() => server?.close());

  it('lists Ray deployments after the local ones, with the engine, state, replicas and endpoint', async () => {
    ray = { running: true, httpUrl: 'http://127.0.0.1:41235', deployments: [penguins] };
    await view.refresh();
    assert.deepEqual([view.names, view.rayNames], [['digits'], ['penguins']]);
    const rows = [...view.node.querySelectorAll<HTMLElement>('.jp-LeptonDeployment')].map(
      (r) => `${r.dataset.engine}:${r.dataset.name}`,
    );
    assert.deepEqual(rows, ['lepton:digits', 'ray:penguins']);
    const row = rayRow()!;
    assert.equal(row.querySelector('.jp-LeptonDeployment-engine')!.textContent, 'Ray Serve');
    assert.equal(
      view.node.querySelector('[data-engine="lepton"] .jp-LeptonDeployment-engine')!.textContent,
      'Lepton server',
    );
    assert.equal(row.dataset.status, 'ready');
    assert.equal(row.querySelector('.jp-LeptonBadge')!.textContent, 'ready');
    assert.match(row.textContent, /v2/);
    assert.equal(row.querySelector('.jp-LeptonDeployment-replicas')!.textContent, 'replicas: 2 running');
    assert.equal(
      row.querySelector('.jp-LeptonDeployment-endpoint code')!.textContent,
      'http://127.0.0.1:41235/v2/models/penguins',
    );
    assert.equal(row.querySelectorAll('button').length, 0, 'Ray deployments are managed from the notebook');
  });

  it('updates a Ray row in place while it scales, and drops it once removed', async () => {
    ray = {
      running: true,
      httpUrl: 'http://127.0.0.1:41235',
      deployments: [
        {
          ...penguins,
          status: 'DEPLOYING',
          message: 'Scaling up',
          replicaStates: { RUNNING: 2, STARTING: 1 },
          config: { autoscaling: { min: 1, max: 4 }, version: '2' },
        },
      ],
    };
    const before = rayRow();
    await view.refresh();
    assert.equal(rayRow(), before, 'the same row, updated');
    assert.equal(rayRow()!.dataset.status, 'loading');
    assert.equal(
      rayRow()!.querySelector('.jp-LeptonDeployment-replicas')!.textContent,
      'replicas: 2 running, 1 starting (autoscaling 1–4) · Scaling up',
    );
    ray = { running: false, httpUrl: null, deployments: [] };
    await view.refresh();
    assert.deepEqual([view.names, view.rayNames], [['digits'], []]);
    assert.equal(rayRow(), null);
  });

  it('says when the cluster cannot be listed, and keeps the local rows', async () => {
    ray = { running: true, httpUrl: null, deployments: [], error: "Ray's list failed: the cluster is unreachable" };
    await view.refresh();
    assert.deepEqual(view.names, ['digits']);
    assert.match(view.node.textContent, /Ray Serve: Ray's list failed: the cluster is unreachable/);
  });
});
