// The model server under faults and overload (issue 26), each fault reproduced through the real process on a
// loopback port: a full disk (a small tmpfs), a broken registry, a flood of requests on a slow model, clients that
// go away, slowloris connections, oversized and hostile bodies, redeploys under load, Host and token guards.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { request as httpRequest } from 'node:http';
import { createRequire } from 'node:module';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ensureServer, isAlive, stopServer, type RunningServer, ServerClientError } from '@lepton/server';
// The server's test helpers are not part of its published package: the workspace reaches them by path.
import { slowModel, unaryModel } from '../../../server/dist/testing.js';
import type { InferAnswer } from '../support/infer-answer.js';

const require = createRequire(import.meta.url);
const serverDir = dirname(dirname(require.resolve('@lepton/server')));
const fixture = (name: string) => readFileSync(join(serverDir, 'fixtures', `${name}.onnx`));

interface AutocannonResult {
  requests: { total: number };
  errors: number;
  timeouts: number;
  non2xx: number;
}
type Autocannon = ((
  options: object,
  done: (error: Error | null, result: AutocannonResult) => void,
) => { stop(): void }) & {
  (options: object): Promise<AutocannonResult>;
};
const autocannon = require('autocannon') as Autocannon;

const pids = new Set<number>();
const homes: string[] = [];

async function start(
  home: string,
  args: string[] = [],
  options: { host?: string; workers?: number } = {},
): Promise<RunningServer> {
  const server = await ensureServer({
    home,
    port: 0,
    workers: options.workers ?? 1,
    timeoutMs: 30_000,
    args,
    ...(options.host ? { host: options.host } : {}),
  });
  pids.add(server.info.pid);
  return server;
}

function newHome(): string {
  const home = mkdtempSync(join(tmpdir(), 'lepton-reliability-'));
  homes.push(home);
  return home;
}

const rowsOf = (width: number, rows: number, value = 0.5) => ({
  inputs: [{ name: 'x', shape: [rows, width], datatype: 'FP32', data: Array(rows * width).fill(value) }],
});

async function post(
  url: string,
  body: unknown,
  signal?: AbortSignal,
): Promise<{ status: number; json: InferAnswer; headers: Headers }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    signal: signal ?? null,
  });
  return { status: response.status, json: (await response.json()) as InferAnswer, headers: response.headers };
}

async function code(call: Promise<unknown>): Promise<string> {
  return call.then(
    () => 'ok',
    (error: unknown) => {
      if (!(error instanceof ServerClientError)) throw error;
      return `${error.status} ${error.code}`;
    },
  );
}

async function metricsOf(server: RunningServer, name: string) {
  return server.client.metrics(name);
}

async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

after(async () => {
  for (const home of homes) await stopServer({ home, timeoutMs: 5000 }).catch(() => false);
  for (const pid of pids) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  for (const home of homes) rmSync(home, { recursive: true, force: true });
});

/** A 4 MiB tmpfs, or undefined where this machine cannot mount one (not root, no CAP_SYS_ADMIN). */
function smallDisk(): string | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'lepton-full-disk-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', dir], { stdio: 'ignore' });
    return dir;
  } catch {
    rmSync(dir, { recursive: true, force: true });
    return undefined;
  }
}

/** Fills the file system of `dir` to the last byte with one file; returns its path. */
function fill(dir: string): string {
  const filler = join(dir, 'filler');
  const chunk = Buffer.alloc(64 * 1024, 1);
  const fd = openSync(filler, 'w');
  try {
    // Big writes until ENOSPC, then ever smaller ones down to a byte.
    for (let size = chunk.length; size >= 1;) {
      try {
        writeSync(fd, chunk, 0, size);
      } catch {
        size = Math.floor(size / 2);
      }
    }
    return filler;
  } finally {
    closeSync(fd);
  }
}

describe('a full disk', () => {
  const disk = smallDisk();
  let server: RunningServer;
  let home: string;
  before(async () => {
    if (disk) {
      home = join(disk, 'home');
      mkdirSync(home);
    } else {
      // No tmpfs here: the deployment logs go to /dev/full, which fails every write with ENOSPC.
      home = newHome();
      mkdirSync(join(home, 'logs'), { recursive: true });
      for (const name of ['add', 'gather']) execFileSync('ln', ['-s', '/dev/full', join(home, 'logs', `${name}.log`)]);
    }
    homes.push(home);
    server = await start(home, [], { workers: 0 });
    await server.client.deploy('add', fixture('add'));
    await server.client.deploy('gather', fixture('gather'));
    if (disk) fill(disk);
  });
  after(() => {
    if (!disk) return;
    try {
      execFileSync('umount', ['-l', disk], { stdio: 'ignore' });
      rmSync(disk, { recursive: true, force: true });
    } catch {
      // Already gone.
    }
  });

  test('logging degrades without killing the server: failures are counted in status and /metrics', async () => {
    // A 500 anyone can cause without a token writes a log entry.
    const url = `${server.info.url}/v2/models/gather/infer`;
    // The log file's last page still has room (tmpfs allocates pages): enough entries cross into a new page.
    for (let i = 0; i < 200 && (await server.client.status('gather')).log.writeFailures === 0; i++) {
      const r = await post(url, { inputs: [{ name: 'idx', shape: [1], datatype: 'INT64', data: [99] }] });
      assert.equal(r.status, 500);
    }
    await until('a counted log failure', async () => (await server.client.status('gather')).log.writeFailures > 0);
    assert.ok(isAlive(server.info.pid), 'the server process is alive');
    const status = await server.client.status('gather');
    assert.match(status.log.lastError ?? '', /ENOSPC|no space/i);
    const prom = await (await fetch(`${server.info.url}/metrics`)).text();
    assert.match(prom, /lepton_log_write_failures_total\{model="gather"\} [1-9]/);
    const ok = await post(url, { inputs: [{ name: 'idx', shape: [1], datatype: 'INT64', data: [1] }] });
    assert.equal(ok.status, 200);
  });

  test(
    'a deploy or a stop on a full disk fails with 507 and the serving version keeps serving',
    { skip: disk ? false : 'needs a tmpfs (mount -t tmpfs), which this machine refuses' },
    async () => {
      assert.equal(await code(server.client.redeploy('add', fixture('add'))), '507 LEPTON_STORAGE_FULL');
      assert.equal(await code(server.client.stop('add')), '507 LEPTON_STORAGE_FULL');
      const info = await server.client.status('add');
      assert.deepEqual([info.status, info.version, info.versions], ['ready', '1', ['1']]);
      const r = await post(`${server.info.url}/v2/models/add/infer`, {
        inputs: [
          { name: 'a', shape: [1, 4], datatype: 'FP32', data: [1, 2, 3, 4] },
          { name: 'b', shape: [1, 4], datatype: 'FP32', data: [1, 1, 1, 1] },
        ],
      });
      assert.equal(r.status, 200);
      assert.deepEqual(r.json.outputs![0]!.data, [2, 3, 4, 5]);
      // Space again: the same deploy goes through.
      rmSync(join(disk!, 'filler'));
      assert.equal((await server.client.redeploy('add', fixture('add'))).version, '2');
      assert.ok(isAlive(server.info.pid));
    },
  );
});

describe('a broken registry', () => {
  const home = newHome();
  let server: RunningServer;
  before(async () => {
    const first = await start(home, [], { workers: 0 });
    for (const name of ['good', 'garbled', 'nometa', 'ghost']) await first.client.deploy(name, fixture('add'));
    await first.client.redeploy('good', fixture('add'));
    await stopServer({ home, timeoutMs: 5000 });
    const models = join(home, 'models');
    writeFileSync(join(models, 'garbled', '1', 'meta.json'), '{"format": 1, "inp');
    rmSync(join(models, 'nometa', '1', 'meta.json'));
    const state = JSON.parse(readFileSync(join(models, 'ghost', 'state.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(models, 'ghost', 'state.json'), JSON.stringify({ ...state, active: '7' }));
    server = await start(home, [], { workers: 0 });
  });

  test('starts anyway: the broken entries are listed as failed with the reason and the fix, the rest serve', async () => {
    const list = Object.fromEntries((await server.client.list()).map((d) => [d.name, d.status]));
    assert.deepEqual(list, { garbled: 'failed', ghost: 'failed', good: 'ready', nometa: 'failed' });
    const reasons = {
      garbled: /meta\.json is garbled.*remove version 1/,
      nometa: /no readable meta\.json.*remove version 1/,
      ghost: /names version 7, which is not in the registry.*Roll back/,
    };
    for (const [name, reason] of Object.entries(reasons))
      assert.match((await server.client.status(name)).failure ?? '', reason, name);
    const add = {
      inputs: [
        { name: 'a', shape: [1, 4], datatype: 'FP32', data: [1, 2, 3, 4] },
        { name: 'b', shape: [1, 4], datatype: 'FP32', data: [0, 0, 0, 0] },
      ],
    };
    assert.equal((await post(`${server.info.url}/v2/models/good/infer`, add)).status, 200);
    assert.equal((await post(`${server.info.url}/v2/models/garbled/infer`, add)).json.code, 'LEPTON_MODEL_NOT_READY');
  });

  test('a failed deployment recovers by rollback, and versions and deployments are removed through the API', async () => {
    assert.equal((await server.client.rollback('ghost', 1)).status, 'ready');
    assert.equal(await code(server.client.remove('good', 2)), '409 LEPTON_VERSION_IN_USE');
    assert.deepEqual((await server.client.remove('good', 1)).removed, ['1']);
    assert.deepEqual((await server.client.status('good')).versions, ['2']);
    for (const name of ['garbled', 'nometa']) assert.deepEqual((await server.client.remove(name)).removed, ['1']);
    assert.equal(existsSync(join(home, 'models', 'garbled')), false);
    assert.equal(await code(server.client.status('garbled')), '404 LEPTON_UNKNOWN_MODEL');
    assert.equal(await code(server.client.remove('nope')), '404 LEPTON_UNKNOWN_MODEL');
    assert.deepEqual(
      (await server.client.list()).map((d) => d.name),
      ['ghost', 'good'],
    );
  });
});

describe('overload', () => {
  const home = newHome();
  let server: RunningServer;
  const slow = slowModel(1024, 96);
  before(async () => {
    server = await start(home, ['--max-elements', '100000', '--request-timeout', '2000'], { workers: 1 });
  });

  test('a full queue answers 503 with Retry-After at once, counted, and never computes the refused requests', async () => {
    await server.client.deploy('shed', slow, { batching: { maxBatch: 1, maxQueue: 4, timeoutMs: 60_000 } });
    const answers = await Promise.all(
      Array.from({ length: 24 }, () => post(`${server.info.url}/v2/models/shed/infer`, rowsOf(1024, 1))),
    );
    const shed = answers.filter((a) => a.status === 503);
    assert.ok(shed.length > 0, 'some requests were shed');
    for (const a of shed) {
      assert.equal(a.json.code, 'LEPTON_OVERLOADED');
      assert.equal(a.headers.get('retry-after'), '1');
    }
    assert.equal(answers.filter((a) => a.status === 200).length + shed.length, 24);
    const m = await metricsOf(server, 'shed');
    assert.equal(m.shed, shed.length);
    assert.equal(m.requests, 24);
    const prom = await (await fetch(`${server.info.url}/metrics`)).text();
    assert.match(prom, new RegExp(`lepton_requests_shed_total\\{model="shed"\\} ${shed.length}`));
    assert.match(prom, new RegExp(`lepton_model_runs_total\\{model="shed"\\} ${24 - shed.length}\\n`));
    assert.equal((await fetch(`${server.info.url}/v2/health/ready`)).status, 200);
  });

  test('a request still queued at its deadline is dropped unrun with a 503', async () => {
    await server.client.deploy('deadline', slow, { batching: { maxBatch: 1, maxQueue: 64, timeoutMs: 150 } });
    // 8 rows a request make each run of the 96-layer model tens of ms even on a fast CPU: 16 cannot all start in 150 ms.
    const answers = await Promise.all(
      Array.from({ length: 16 }, () => post(`${server.info.url}/v2/models/deadline/infer`, rowsOf(1024, 8))),
    );
    const expired = answers.filter((a) => a.json.code === 'LEPTON_DEADLINE_EXCEEDED');
    assert.ok(expired.length > 0, 'some requests met their deadline in the queue');
    for (const a of expired) assert.equal(a.status, 503);
    const prom = await (await fetch(`${server.info.url}/metrics`)).text();
    assert.match(prom, new RegExp(`lepton_requests_expired_total\\{model="deadline"\\} ${expired.length}\\n`));
    assert.match(prom, new RegExp(`lepton_model_runs_total\\{model="deadline"\\} ${16 - expired.length}\\n`));
  });

  test('clients that go away take their queued work with them, and are counted', async () => {
    await server.client.deploy('gone', slow, { batching: { maxBatch: 1, maxQueue: 256, timeoutMs: 60_000 } });
    const controller = new AbortController();
    const sent = Array.from({ length: 40 }, () =>
      post(`${server.info.url}/v2/models/gone/infer`, rowsOf(1024, 1), controller.signal).catch(() => 'aborted'),
    );
    await until('a queue of at least 10', async () =>
      /lepton_queue_depth\{model="gone"\} (1\d|[2-9]\d)/.test(await (await fetch(`${server.info.url}/metrics`)).text()),
    );
    controller.abort();
    await Promise.all(sent);
    await until('every request settled', async () => {
      const m = await metricsOf(server, 'gone');
      return (
        m.requests + m.aborted >= 40 &&
        /lepton_queue_depth\{model="gone"\} 0\n/.test(await (await fetch(`${server.info.url}/metrics`)).text())
      );
    });
    const m = await metricsOf(server, 'gone');
    assert.ok(m.aborted >= 10, `aborted ${m.aborted}`);
    const prom = await (await fetch(`${server.info.url}/metrics`)).text();
    const runs = Number(/lepton_model_runs_total\{model="gone"\} (\d+)/.exec(prom)![1]);
    assert.ok(runs <= 40 - 10, `${runs} runs for 40 requests, of which ${m.aborted} went away`);
  });

  test('a request over the element cap is refused before it is copied, and health stays answered', async () => {
    await server.client.deploy('mlp', fixture('mlp'));
    const big = await post(`${server.info.url}/v2/models/mlp/infer`, {
      inputs: [{ name: 'x', shape: [200, 784], datatype: 'FP32', data: Array(200 * 784).fill(0) }],
    });
    assert.equal(big.status, 413);
    assert.equal(big.json.code, 'LEPTON_TOO_MANY_ELEMENTS');
    assert.match(big.json.error!, /at most 100000/);
    assert.equal((await fetch(`${server.info.url}/v2/health/live`)).status, 200);
  });

  test('slowloris connections are closed at the request timeout while real clients are served', async () => {
    const { port } = server.info;
    const sockets: Socket[] = [];
    let closed = 0;
    for (let i = 0; i < 200; i++) {
      const socket = connect(port, '127.0.0.1');
      socket.on('error', () => {});
      socket.on('close', () => closed++);
      socket.write(`POST /v2/models/mlp/infer HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n`);
      sockets.push(socket);
    }
    const drip = setInterval(() => {
      for (const s of sockets) if (!s.destroyed) s.write('X-Slow: 1\r\n');
    }, 500);
    try {
      const r = await post(`${server.info.url}/v2/models/mlp/infer`, rowsOf(784, 1));
      assert.equal(r.status, 200);
      await until('the slow connections to be closed', () => closed === 200, 15_000);
    } finally {
      clearInterval(drip);
      for (const s of sockets) s.destroy();
    }
    assert.equal((await post(`${server.info.url}/v2/models/mlp/infer`, rowsOf(784, 1))).status, 200);
  });
});

describe('redeploy and rollback under load', () => {
  const home = newHome();
  let server: RunningServer;
  before(async () => {
    server = await start(home, [], { workers: 1 });
    await server.client.deploy('mlp', fixture('mlp'));
  });

  test('20 swaps under 50 connections lose no request', async () => {
    const body = JSON.stringify(rowsOf(784, 1));
    let result: AutocannonResult | undefined;
    const finished = new Promise<void>((resolve, reject) => {
      const instance = autocannon(
        {
          url: `${server.info.url}/v2/models/mlp/infer`,
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
          connections: 50,
          duration: 120,
        },
        (error: Error | null, r) => {
          if (error) {
            reject(error);
            return;
          }
          result = r;
          resolve();
        },
      );
      void (async () => {
        try {
          await new Promise((resolve) => setTimeout(resolve, 300));
          for (let i = 0; i < 20; i++) {
            if (i % 2 === 0) await server.client.redeploy('mlp', fixture('mlp'));
            else await server.client.rollback('mlp');
          }
        } catch (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
        } finally {
          instance.stop();
        }
      })();
    });
    await finished;
    assert.ok(result!.requests.total > 100, `${result!.requests.total} requests`);
    assert.deepEqual(
      { errors: result!.errors, timeouts: result!.timeouts, non2xx: result!.non2xx },
      { errors: 0, timeouts: 0, non2xx: 0 },
    );
    assert.ok(isAlive(server.info.pid));
    const m = await metricsOf(server, 'mlp');
    assert.equal(m.errors, 0);
    assert.equal((await server.client.status('mlp')).versions.length, 11);
  });
});

describe('hostile and odd requests', () => {
  const home = newHome();
  let server: RunningServer;
  before(async () => {
    server = await start(home, [], { workers: 0 });
    await server.client.deploy('mlp', fixture('mlp'));
    await server.client.deploy('sqrt', unaryModel('Sqrt', 2));
  });

  test('JSON nested 100,000 levels deep is a 400, not a 500', async () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    for (const data of [deep, `[${deep}]`]) {
      const r = await post(
        `${server.info.url}/v2/models/mlp/infer`,
        `{"inputs":[{"name":"x","shape":[1,784],"datatype":"FP32","data":${data}}]}`,
      );
      assert.equal(r.status, 400, JSON.stringify(r.json));
    }
    assert.equal((await server.client.metrics('mlp')).errors, 0);
  });

  test('ragged nested data with the right total length is refused', async () => {
    const r = await post(`${server.info.url}/v2/models/sqrt/infer`, {
      inputs: [{ name: 'x', shape: [2, 2], datatype: 'FP32', data: [[1, 2, 3], [4]] }],
    });
    assert.equal(r.status, 400);
    assert.equal(r.json.code, 'LEPTON_RAGGED_DATA');
    const ok = await post(`${server.info.url}/v2/models/sqrt/infer`, {
      inputs: [
        {
          name: 'x',
          shape: [2, 2],
          datatype: 'FP32',
          data: [
            [1, 4],
            [9, 16],
          ],
        },
      ],
    });
    assert.deepEqual(ok.json.outputs![0]!.data, [1, 2, 3, 4]);
  });

  test('an output holding NaN is a 200 flagged parameters.non_finite, and counted', async () => {
    const r = await post(`${server.info.url}/v2/models/sqrt/infer`, {
      inputs: [{ name: 'x', shape: [1, 2], datatype: 'FP32', data: [-1, 4] }],
    });
    assert.equal(r.status, 200);
    assert.deepEqual(r.json.parameters, { non_finite: true });
    assert.deepEqual(r.json.outputs![0]!.data, [null, 2]);
    assert.equal((await server.client.metrics('sqrt')).nonFinite, 1);
    const fine = await post(`${server.info.url}/v2/models/sqrt/infer`, {
      inputs: [{ name: 'x', shape: [1, 2], datatype: 'FP32', data: [1, 4] }],
    });
    assert.equal(fine.json.parameters, undefined);
  });

  test('a Host the server was not bound for is refused (DNS rebinding), loopback names are answered', async () => {
    const get = (host: string) =>
      new Promise<number>((resolve, reject) => {
        const req = httpRequest(
          { host: '127.0.0.1', port: server.info.port, path: '/v2/models/mlp', headers: { host } },
          (res) => {
            res.resume();
            resolve(res.statusCode!);
          },
        );
        req.on('error', reject);
        req.end();
      });
    assert.equal(await get(`evil.example:${server.info.port}`), 403);
    assert.equal(await get(`localhost:${server.info.port}`), 200);
    assert.equal(await get(`127.0.0.1:${server.info.port}`), 200);
  });

  test('on every interface, an inference token guards inference; without one the server warns', async () => {
    const open = newHome();
    await start(open, [], { host: '0.0.0.0', workers: 0 });
    await until('the warning', () =>
      /without an inference token/.test(readFileSync(join(open, 'logs', 'server.log'), 'utf8')),
    );
    await stopServer({ home: open, timeoutMs: 5000 });

    const guarded = newHome();
    const token = 'a'.repeat(32);
    const s = await start(guarded, ['--inference-token', token], { host: '0.0.0.0', workers: 0 });
    await s.client.deploy('sqrt', unaryModel('Sqrt', 2));
    const body = JSON.stringify({ inputs: [{ name: 'x', shape: [1, 2], datatype: 'FP32', data: [1, 4] }] });
    const infer = (authorization?: string) =>
      fetch(`${s.info.url}/v2/models/sqrt/infer`, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
      }).then((r) => r.status);
    assert.equal(await infer(), 401);
    assert.equal(await infer(`Bearer ${token}`), 200);
    assert.equal((await fetch(`${s.info.url}/v2/health/ready`)).status, 200);
    assert.doesNotMatch(readFileSync(join(guarded, 'logs', 'server.log'), 'utf8'), /without an inference token/);
    await stopServer({ home: guarded, timeoutMs: 5000 });
  });
});
