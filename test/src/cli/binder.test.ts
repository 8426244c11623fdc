// Binder launches the repository with the same install steps `npm start` runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../support/project.js';

const { scripts } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
  scripts: Record<string, string>;
};
const postBuild = readFileSync(join(repoRoot, 'binder', 'postBuild'), 'utf8');
const steps = postBuild
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line && !line.startsWith('#'));

test('npm start builds, then runs lepton lab, which runs lepton setup first', () => {
  assert.equal(scripts.prestart, 'npm run build');
  assert.equal(scripts.start, 'node kernel/bin/lepton.js lab');
  const lab = readFileSync(join(repoRoot, 'kernel', 'src', 'cli', 'lab.ts'), 'utf8');
  assert.match(lab, /const venv = setup\(\);/);
});

test('binder/postBuild runs npm ci, the same build, and the same lepton setup step, in that order', () => {
  const order = ['npm ci', scripts.prestart!, 'node kernel/bin/lepton.js setup'].map((step) =>
    steps.findIndex((line) => line.endsWith(step)),
  );
  assert.ok(
    order.every((index) => index >= 0),
    `postBuild lacks a step: ${JSON.stringify(steps)}`,
  );
  assert.deepEqual(
    [...order].sort((a, b) => a - b),
    order,
  );
});

test('binder/postBuild makes the Lepton kernel the default, as lepton lab does', () => {
  assert.match(postBuild, /default_kernel_name = 'lepton'/);
});

test('binder/environment.yml provides a current Node.js LTS (22 or later; 20 reached its end of life) and Python 3', () => {
  const env = readFileSync(join(repoRoot, 'binder', 'environment.yml'), 'utf8');
  const node = /nodejs=(\d+)/.exec(env);
  assert.ok(node && Number(node[1]) >= 22 && Number(node[1]) % 2 === 0, `an even (LTS) Node.js ≥ 22: ${node?.[0]}`);
  assert.match(env, /python=3/);
});

test('every workspace package declares the same Node.js engines as the root', () => {
  const root = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
    engines?: { node?: string };
    workspaces: string[];
  };
  assert.ok(root.engines?.node);
  for (const workspace of root.workspaces) {
    const pkg = JSON.parse(readFileSync(join(repoRoot, workspace, 'package.json'), 'utf8')) as {
      engines?: { node?: string };
    };
    assert.equal(pkg.engines?.node, root.engines.node, `${workspace}/package.json engines.node`);
  }
});
