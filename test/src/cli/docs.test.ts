// `npm run docs`: TypeDoc builds the API docs of every public name of lib/, then of server/ (its main entry point
// and the `home` and `wire` subpaths, server/typedoc.json), without a warning (missing TSDoc, unexported
// referenced types and broken links are warnings, and warnings fail the build).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../support/project.js';

test('npm run docs builds the API docs with TypeDoc, without warnings', { timeout: 180_000 }, () => {
  const out = mkdtempSync(join(tmpdir(), 'lepton-docs-'));
  try {
    const run = spawnSync(
      process.execPath,
      [join(repoRoot, 'node_modules', 'typedoc', 'bin', 'typedoc'), '--out', out],
      { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' } },
    );
    const output = run.stdout + run.stderr;
    assert.equal(run.status, 0, output);
    assert.doesNotMatch(output, /warning/i, output);
    assert.ok(existsSync(join(out, 'index.html')));
    assert.ok(existsSync(join(out, 'functions', 'fit.html')), 'lepton.fit has its page');
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test(
  'npm run docs builds the API docs of the model server beside those of the library, without warnings',
  { timeout: 180_000 },
  () => {
    const out = mkdtempSync(join(tmpdir(), 'lepton-server-docs-'));
    try {
      const typedoc = join(repoRoot, 'node_modules', 'typedoc', 'bin', 'typedoc');
      const run = spawnSync(process.execPath, [typedoc, '--options', join('server', 'typedoc.json'), '--out', out], {
        cwd: repoRoot,
        encoding: 'utf8',
        env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
      });
      const output = run.stdout + run.stderr;
      assert.equal(run.status, 0, output);
      assert.doesNotMatch(output, /warning/i, output);
      assert.ok(
        existsSync(join(out, 'classes', 'index.ServerClient.html')),
        'the client of @lepton/server has its page',
      );
      assert.ok(existsSync(join(out, 'functions', 'home.leptonHome.html')), '@lepton/server/home has its page');
      assert.ok(
        existsSync(join(out, 'types', 'routes_requests.RouteTypes.html')),
        "@lepton/server/routes has its page: the clients' types derived from the route table",
      );
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  },
);
