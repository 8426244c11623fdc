// The official Jupyter kernel conformance suite (Debian's python3-jupyter-kernel-test) against the Lepton kernel.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../support/project.js';

const systemPython = '/usr/bin/python3';
const hasSuite = existsSync(systemPython) && spawnSync(systemPython, ['-c', 'import jupyter_kernel_test']).status === 0;

test(
  'the Lepton kernel passes jupyter_kernel_test',
  { skip: hasSuite ? false : 'python3-jupyter-kernel-test is not installed (.ci/run installs it)' },
  () => {
    const run = spawnSync(systemPython, ['-m', 'unittest', '-v', 'test_lepton_kernel'], {
      cwd: join(repoRoot, 'test', 'conformance'),
      env: { ...process.env, JUPYTER_PATH: join(repoRoot, '.venv', 'share', 'jupyter') },
      encoding: 'utf8',
      timeout: 300_000,
    });
    assert.equal(run.status, 0, run.stderr.slice(-6000));
  },
);
