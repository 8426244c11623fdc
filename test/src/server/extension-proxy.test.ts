// The JupyterLab server extension's proxy to the model server (issue 26, item 6), through a real `lepton lab`:
// Jupyter's Authorizer decides who may read or change deployments, and the management token is sent only to the
// model server that proves it holds it (a stale server.json after kill -9 must not leak it to the port's new owner).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureServer, stopServer } from '@lepton/server';
import { startLab, type RunningLab } from '../support/lab.js';

// An Authorizer that refuses every resource but `api` (the status route the launcher polls) while its flag file exists.
const AUTHORIZER = `
import os
from jupyter_server.auth.authorizer import Authorizer

class FlagAuthorizer(Authorizer):
    def is_authorized(self, handler, user, action, resource):
        return resource == "api" or not os.path.exists(os.environ["LEPTON_TEST_DENY_FLAG"])
`;
import { started } from '../support/hooks.js';

describe('the JupyterLab proxy to the model server', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lepton-authz-'));
  const flag = join(dir, 'deny');
  let lab: RunningLab;
  let impostor: Server;
  let impostorPort = 0;
  const seen: Array<{ url: string; authorization?: string }> = [];
  const api = (path: string, init: Omit<RequestInit, 'headers'> & { headers?: Record<string, string> } = {}) =>
    fetch(`${lab.base}/${path}`, {
      ...init,
      headers: { authorization: `token ${lab.token}`, ...init.headers },
      signal: AbortSignal.timeout(20_000),
    });

  before(async () => {
    writeFileSync(join(dir, 'lepton_test_authz.py'), AUTHORIZER);
    process.env.PYTHONPATH = [dir, process.env.PYTHONPATH].filter(Boolean).join(':');
    process.env.LEPTON_TEST_DENY_FLAG = flag;
    lab = await startLab(['--ServerApp.authorizer_class=lepton_test_authz.FlagAuthorizer']);
    // A program that took the model server's port after a kill -9: it answers everything and records what it got.
    impostor = createServer((request, response) => {
      seen.push({
        url: request.url ?? '',
        ...(request.headers.authorization ? { authorization: request.headers.authorization } : {}),
      });
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ server: 'lepton', pid: process.pid, proof: '0'.repeat(64), deployments: [] }));
    });
    await new Promise<void>((resolve) => impostor.listen(0, '127.0.0.1', resolve));
    impostorPort = (impostor.address() as { port: number }).port;
  });
  after(async () => {
    started(impostor)?.close();
    await started(lab)?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('an Authorizer that refuses the user refuses the Lepton routes as it refuses /api/contents', async () => {
    writeFileSync(flag, '');
    try {
      assert.equal((await api('api/contents')).status, 403);
      assert.equal((await api('lepton/v1/deployments')).status, 403);
      assert.equal((await api('lepton/v1/deployments/anything/stop', { method: 'POST', body: '{}' })).status, 403);
      assert.equal((await api('lepton/v1/deployments/anything', { method: 'DELETE' })).status, 403);
    } finally {
      rmSync(flag, { force: true });
    }
    assert.equal((await api('api/contents')).status, 200);
  });

  test('a stale server.json never gets the management token sent to whatever now holds the port', async () => {
    const token = 'f'.repeat(64);
    writeFileSync(join(lab.home, 'server-token'), token + '\n');
    const record = (pid: number) => {
      writeFileSync(
        join(lab.home, 'server.json'),
        JSON.stringify({
          pid,
          host: '127.0.0.1',
          port: impostorPort,
          url: `http://127.0.0.1:${impostorPort}`,
          startedAt: new Date().toISOString(),
          version: '0.1.0',
        }),
      );
    };
    // The recorded process is gone (pid 2^22 - 1 is above Linux's default pid_max).
    record(4_194_303);
    const dead = await api('lepton/v1/deployments');
    assert.equal(dead.status, 503);
    assert.equal(((await dead.json()) as { code: string }).code, 'LEPTON_SERVER_NOT_RUNNING');
    // A live pid, but the program at the port cannot prove it holds the token.
    record(process.pid);
    const unproven = await api('lepton/v1/deployments');
    assert.equal(unproven.status, 503);
    assert.equal(((await unproven.json()) as { code: string }).code, 'LEPTON_SERVER_UNPROVEN');
    assert.ok(seen.length > 0, 'the impostor was asked for its identity');
    assert.deepEqual(
      seen.filter((s) => s.authorization !== undefined),
      [],
      'no request to the impostor carried a token',
    );
    assert.ok(seen.every((s) => !s.url.includes(token)));
  });

  test('the real model server proves itself and the proxy forwards', async () => {
    rmSync(join(lab.home, 'server.json'), { force: true });
    rmSync(join(lab.home, 'server-token'), { force: true });
    const server = await ensureServer({ home: lab.home, port: 0, workers: 0 });
    try {
      const response = await api('lepton/v1/deployments');
      assert.equal(response.status, 200);
      assert.deepEqual(await response.json(), { deployments: [] });
    } finally {
      await stopServer({ home: lab.home });
    }
    assert.ok(server.started);
  });
});
