import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BackendError } from './errors.js';
import { backend, type BackendName } from './select.js';

describe('backend selection', () => {
  test('a backend name Lepton does not have is refused with LEPTON_BACKEND_UNKNOWN, listing the backends', async () => {
    await assert.rejects(backend('webgl' as BackendName), (error: unknown) => {
      assert.ok(error instanceof BackendError);
      assert.equal(error.code, 'LEPTON_BACKEND_UNKNOWN');
      assert.match(error.message, /Lepton's backends are: .*wasm.*cpu/);
      return true;
    });
  });
});
