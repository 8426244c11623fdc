// The model server as a real, detached process on a loopback port with a temporary Lepton home: deploy through
// the management API, infer with plain HTTP, stream logs, a bounded load run, a corpus of bad requests, kill -9
// and restore, and `lepton serve` / `--stop` through the CLI.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ensureServer, findServer, stopServer, type RunningServer } from '@lepton/server';
import type { InferAnswer } from '../support/infer-answer.js';

const require = createRequire(import.meta.url);
const serverDir = dirname(dirname(require.resolve('@lepton/server')));
const fixture = (name: string) => readFileSync(join(serverDir, 'fixtures', `${name}.onnx`));
const cli = join(dirname(dirname(require.resolve('@lepton/kernel'))), 'bin', 'lepton.js');

interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number };
  errors: number;
  timeouts: number;
  non2xx: number;
}
const autocannon = require('autocannon') as (options: object) => Promise<AutocannonResult>;

const home = mkdtempSync(join(tmpdir(), 'lepton-server-it-'));
const pids = new Set<number>();

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function start(): Promise<RunningServer> {
  const server = await ensureServer({ home, port: 0, workers: 1, bodyLimit: 256 * 1024, timeoutMs: 20_000 });
  pids.add(server.info.pid);
  return server;
}

const mlpRequest = (rows: number) => ({
  inputs: [
    {
      name: 'x',
      shape: [rows, 784],
      datatype: 'FP32',
      data: Array.from({ length: rows * 784 }, (_, i) => (i % 13) / 13),
    },
  ],
});

async function post(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: InferAnswer }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as InferAnswer };
}

describe('the model server process', () => {
  let server: RunningServer;
  before(async () => {
    server = await start();
  });
  after(async () => {
    await stopServer({ home, timeoutMs: 5000 }).catch(() => false);
    for (const pid of pids) if (alive(pid)) process.kill(pid, 'SIGKILL');
    rmSync(home, { recursive: true, force: true });
  });

  test('starts detached on loopback, records pid and port, and a second start finds it', async () => {
    assert.equal(server.started, true);
    assert.equal(server.info.host, '127.0.0.1');
    const again = await ensureServer({ home, port: 0 });
    assert.equal(again.started, false);
    assert.equal(again.info.pid, server.info.pid);
    assert.equal((await fetch(`${server.info.url}/v2/health/live`)).status, 200);
  });

  test('deploys through the management API and infers over plain HTTP', async () => {
    const info = await server.client.deploy('mlp', fixture('mlp'), {
      metrics: { accuracy: 0.97 },
      alerts: { p99Ms: 500 },
    });
    assert.deepEqual([info.name, info.version, info.status], ['mlp', '1', 'ready']);
    const r = await post(`${server.info.url}/v2/models/mlp/infer`, mlpRequest(2));
    assert.equal(r.status, 200);
    assert.deepEqual(r.json.outputs![0]!.shape, [2, 10]);
    assert.equal(r.json.model_version, '1');
  });

  test('refuses management requests without the token', async () => {
    for (const headers of [{}, { authorization: 'Bearer 0000' }] as Record<string, string>[]) {
      const r = await fetch(`${server.info.url}/lepton/v1/deployments`, { headers });
      assert.equal(r.status, 401);
      assert.equal(((await r.json()) as { code: string }).code, 'LEPTON_UNAUTHORIZED');
    }
  });

  test('streams log entries live', async () => {
    const controller = new AbortController();
    const seen: string[] = [];
    let opened!: () => void;
    const open = new Promise<void>((resolve) => (opened = resolve));
    const streaming = server.client.streamLogs(
      'mlp',
      (entry) => {
        seen.push(entry.event);
        if (entry.event === 'deploy') controller.abort();
      },
      controller.signal,
      opened,
    );
    // The stream sends only entries after it opened: redeploy once its headers are in (the server subscribed by then).
    await open;
    const info = await server.client.redeploy('mlp', fixture('mlp'));
    assert.equal(info.version, '2');
    await Promise.race([
      streaming,
      new Promise((_, reject) =>
        setTimeout(() => {
          reject(new Error('no log event within 5 s'));
        }, 5000),
      ),
    ]);
    assert.deepEqual(seen, ['deploy']);
  });

  test('answers a corpus of bad requests with coded 4xx and stays healthy', async () => {
    const url = `${server.info.url}/v2/models/mlp/infer`;
    const cases: Array<[string, unknown, number, string]> = [
      [url, '{"inputs":', 400, 'LEPTON_BAD_JSON'],
      [url, { inputs: [{ name: 'y', shape: [1, 784], datatype: 'FP32', data: [] }] }, 400, 'LEPTON_UNKNOWN_INPUT'],
      [
        url,
        { inputs: [{ name: 'x', shape: [1, 783], datatype: 'FP32', data: Array(783).fill(0) }] },
        400,
        'LEPTON_BAD_SHAPE',
      ],
      [
        url,
        { inputs: [{ name: 'x', shape: [1, 784], datatype: 'FP64', data: Array(784).fill(0) }] },
        400,
        'LEPTON_BAD_DATATYPE',
      ],
      [
        url,
        {
          inputs: [{ name: 'x', shape: [1, 784], datatype: 'FP32', data: [...new Array<number>(783).fill(0), 'NaN'] }],
        },
        400,
        'LEPTON_BAD_VALUE',
      ],
      [
        url,
        { inputs: [{ name: 'x', shape: [1, 784], datatype: 'FP32', data: Array(40_000).fill(0.123456) }] },
        413,
        'LEPTON_BODY_TOO_LARGE',
      ],
      [`${server.info.url}/v2/models/nope/infer`, mlpRequest(1), 404, 'LEPTON_UNKNOWN_MODEL'],
      [`${server.info.url}/v2/models/mlp/versions/9/infer`, mlpRequest(1), 404, 'LEPTON_UNKNOWN_VERSION'],
    ];
    for (const [target, body, status, code] of cases) {
      const r = await post(target, body);
      assert.equal(r.status, status, `${code}: ${JSON.stringify(r.json)}`);
      assert.equal(r.json.code, code);
    }
    assert.equal((await fetch(`${server.info.url}/v2/health/ready`)).status, 200);
    assert.equal((await post(url, mlpRequest(1))).status, 200);
  });

  test('serves a bounded load run with no errors, and batches under load', async () => {
    const result = await autocannon({
      url: `${server.info.url}/v2/models/mlp/infer`,
      method: 'POST',
      connections: 16,
      duration: 2,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(mlpRequest(1)),
    });
    console.log(
      `# load: ${Math.round(result.requests.average)} req/s, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, ${result.requests.total} requests`,
    );
    assert.equal(result.errors, 0);
    assert.equal(result.timeouts, 0);
    assert.equal(result.non2xx, 0);
    assert.ok(result.requests.total > 100);
    const metrics = await server.client.metrics('mlp');
    assert.ok(metrics.requests >= result.requests.total);
    assert.ok(metrics.lastMinute.latencyMs.p99 > 0);
    const prom = await (await fetch(`${server.info.url}/metrics`)).text();
    assert.match(prom, /lepton_requests_total\{model="mlp"\} \d+/);
  });

  test('restores the registry after kill -9', async () => {
    await server.client.rollback('mlp', 1);
    await server.client.deploy('add', fixture('add'));
    await server.client.stop('add');
    const before = server.info.pid;
    process.kill(before, 'SIGKILL');
    for (let i = 0; i < 100 && alive(before); i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(await findServer({ home }), undefined);
    server = await start();
    assert.equal(server.started, true);
    assert.notEqual(server.info.pid, before);
    const list = await server.client.list();
    assert.deepEqual(
      list.map((d) => [d.name, d.version, d.status]),
      [
        ['add', '1', 'stopped'],
        ['mlp', '1', 'ready'],
      ],
    );
    const r = await post(`${server.info.url}/v2/models/mlp/infer`, mlpRequest(1));
    assert.equal(r.status, 200);
    assert.equal(r.json.model_version, '1');
    const events = (await server.client.logs('mlp')).map((e) => e.event);
    assert.equal(events.at(-1), 'restore');
  });

  test('lepton serve finds the running server and lepton serve --stop stops it', async () => {
    // Asynchronously, so this process can reap the server it started once it exits.
    const run = promisify(execFile);
    const env = { ...process.env, LEPTON_HOME: home };
    const found = await run(process.execPath, [cli, 'serve', '--port', '0'], { env, encoding: 'utf8' });
    assert.ok(found.stdout.includes(`Found the Lepton server at ${server.info.url}`), found.stdout);
    const stopped = await run(process.execPath, [cli, 'serve', '--stop'], { env, encoding: 'utf8' });
    assert.match(stopped.stdout, /Stopped the Lepton server/);
    assert.equal(alive(server.info.pid), false);
    assert.equal(existsSync(join(home, 'server.json')), false);
  });
});
