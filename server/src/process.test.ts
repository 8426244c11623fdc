// How the server process is started: the V8 flags that keep collections off the batch-1 request path.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureServer, SERVER_V8_FLAGS, stopServer } from './process.js';

describe('ensureServer', () => {
  it('starts the server process with the larger young generation before its entry script', async () => {
    const home = mkdtempSync(join(tmpdir(), 'lepton-process-'));
    try {
      const server = await ensureServer({ home, port: 0, workers: 0 });
      // /proc/PID/cmdline: the arguments, NUL-separated; V8 flags only count before the script.
      const argv = readFileSync(`/proc/${server.info.pid}/cmdline`, 'utf8').split('\0');
      const script = argv.findIndex((arg) => arg.endsWith('main.js'));
      assert.ok(script > 0, `no entry script in ${argv.join(' ')}`);
      assert.deepEqual(argv.slice(1, script), [...SERVER_V8_FLAGS]);
      assert.ok(SERVER_V8_FLAGS.some((flag) => flag.startsWith('--max-semi-space-size=')));
    } finally {
      await stopServer({ home });
      rmSync(home, { recursive: true, force: true });
    }
  });
});
