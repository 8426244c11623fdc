import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { ServerClient, ServerClientError } from '@lepton/server';
import { inferWithRetry, isTransient } from './http.js';

const answer = {
  model_name: 'm',
  model_version: '1',
  outputs: [{ name: 'y', datatype: 'FP32', shape: [1, 1], data: [0.5] }],
};

/** A server whose first `failures` requests fail as `fail` does, and whose later ones answer. */
async function flaky(
  failures: number,
  fail: (res: import('node:http').ServerResponse) => void,
): Promise<{ server: Server; url: string; seen: () => number }> {
  let seen = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      seen++;
      if (seen <= failures) {
        fail(res);
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen: () => seen };
}

test('a request whose connection drops (a replica killed under it) is sent once more and answered', async () => {
  const { server, url, seen } = await flaky(1, (res) => res.socket?.destroy());
  try {
    const response = await inferWithRetry(new ServerClient(url, ''), 'm', { inputs: [] });
    assert.deepEqual(response.outputs[0]!.data, [0.5]);
    assert.equal(seen(), 2);
  } finally {
    server.close();
  }
});

test('an uncoded 5xx from the proxy is retried once, a second failure reaches the caller', async () => {
  const { server, url, seen } = await flaky(2, (res) => res.writeHead(500).end('Internal Server Error'));
  try {
    await assert.rejects(
      inferWithRetry(new ServerClient(url, ''), 'm', { inputs: [] }),
      (error: ServerClientError) => error.status === 500,
    );
    assert.equal(seen(), 2);
  } finally {
    server.close();
  }
});

test("the model's own coded answers (a bad shape, an inference failure) are not retried", async () => {
  const { server, url, seen } = await flaky(1, (res) =>
    res
      .writeHead(400, { 'content-type': 'application/json' })
      .end(JSON.stringify({ error: 'bad shape', code: 'LEPTON_BAD_SHAPE' })),
  );
  try {
    await assert.rejects(
      inferWithRetry(new ServerClient(url, ''), 'm', { inputs: [] }),
      (error: ServerClientError) => error.code === 'LEPTON_BAD_SHAPE',
    );
    assert.equal(seen(), 1);
    assert.equal(isTransient(new ServerClientError(500, 'LEPTON_INFERENCE_FAILED', 'failed')), false);
  } finally {
    server.close();
  }
});
