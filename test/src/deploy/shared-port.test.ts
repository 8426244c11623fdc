// Two Lepton homes on one machine: a user who ran the tutorials keeps a server on 127.0.0.1:8707 (it outlives its
// kernel). Deploying from a second home, with no port named anywhere, must start that home's own server on a free
// port and say so once — not fail with "port taken".
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_PORT, ensureServer, isLeptonServer, readServerFile, stopServer } from '@lepton/server';
import { KernelClient, resultData, streamText, type Execution } from '../support/kernel-client.js';

const homeA = mkdtempSync(join(tmpdir(), 'lepton-home-a-'));
const homeB = mkdtempSync(join(tmpdir(), 'lepton-home-b-'));

function ok(run: Execution): Execution {
  assert.equal(run.reply.content.status, 'ok', JSON.stringify(run.reply.content));
  return run;
}

/** Whether something accepts connections on 127.0.0.1:port. */
async function portAnswers(port: number): Promise<boolean> {
  try {
    await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(1000) });
    return true;
  } catch (error) {
    return !/ECONNREFUSED/.test(String((error as Error & { cause?: unknown }).cause ?? error));
  }
}

describe('a Lepton home deploying while another home’s server holds port 8707', () => {
  let kernel: KernelClient | undefined;
  let skip: string | undefined;
  before(async () => {
    // Home A takes 8707 unless a Lepton server (the user's own) already holds it: either way one does.
    if (!(await isLeptonServer('127.0.0.1', DEFAULT_PORT))) {
      if (await portAnswers(DEFAULT_PORT))
        skip = `port ${DEFAULT_PORT} is held by a program that is not a Lepton server`;
      else await ensureServer({ home: homeA, port: DEFAULT_PORT });
    }
    // No port anywhere: LEPTON_PORT is emptied so the kernel asks for the default.
    if (!skip) kernel = await KernelClient.start({ env: { LEPTON_HOME: homeB, LEPTON_PORT: '' } });
  });
  after(async () => {
    try {
      await kernel?.shutdown();
    } finally {
      await stopServer({ home: homeB });
      await stopServer({ home: homeA });
      rmSync(homeA, { recursive: true, force: true });
      rmSync(homeB, { recursive: true, force: true });
    }
  });

  test('starts its own server on a free port, says so once, and serves', async (t) => {
    if (skip) {
      t.skip(skip);
      return;
    }
    const first = ok(
      await kernel!.execute(
        [
          'const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [2], units: 1, name: "y" })] });',
          'const d = await lepton.deploy(model, { name: "second-home" });',
          'd.url',
        ].join('\n'),
        { timeout: 120 },
      ),
    );
    const own = readServerFile(homeB);
    assert.ok(own, 'home B records its own server');
    assert.notEqual(own.port, DEFAULT_PORT, 'home B’s server is not on 8707');
    assert.match(
      streamText(first),
      new RegExp(
        `Port ${DEFAULT_PORT} is held by the Lepton server of another Lepton home.*free port \\(${own.port}\\)`,
      ),
    );
    assert.equal(
      JSON.parse(String(resultData(first)?.['text/plain']).replace(/'/g, '"')),
      `${own.url}/v2/models/second-home`,
    );
    assert.equal(await isLeptonServer('127.0.0.1', DEFAULT_PORT), true, 'the other home’s server still holds 8707');

    const again = ok(
      await kernel!.execute(
        'await lepton.deploy(model, { name: "second-home" }); (await lepton.deployments()).length',
        { timeout: 60 },
      ),
    );
    assert.doesNotMatch(streamText(again), /is held by/, 'the note is said once, by the call that started the server');
    assert.equal(readServerFile(homeB)?.pid, own.pid, 'the same server of home B is found again');
  });
});
