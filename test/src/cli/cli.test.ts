// The `lepton` command as users run it: kernelspec install, and `lepton lab` (what `npm start` runs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, requireVenv } from '../support/project.js';

const cli = join(repoRoot, 'kernel', 'bin', 'lepton.js');

test('lepton install --prefix DIR writes the kernelspec where Jupyter looks for it', () => {
  const prefix = mkdtempSync(join(tmpdir(), 'lepton-prefix-'));
  try {
    const run = spawnSync(process.execPath, [cli, 'install', '--prefix', prefix], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    const dir = join(prefix, 'share', 'jupyter', 'kernels', 'lepton');
    const spec = JSON.parse(readFileSync(join(dir, 'kernel.json'), 'utf8'));
    assert.equal(spec.display_name, 'TypeScript (Lepton)');
    assert.equal(spec.language, 'typescript');
    assert.equal(spec.interrupt_mode, 'signal');
    assert.deepEqual(spec.argv.slice(-3), ['kernel', '--conn', '{connection_file}']);
    for (const logo of ['logo-32x32.png', 'logo-64x64.png']) assert.ok(existsSync(join(dir, logo)), logo);
    const listed = spawnSync(requireVenv(), ['-m', 'jupyter', 'kernelspec', 'list', '--json'], {
      encoding: 'utf8',
      env: { ...process.env, JUPYTER_PATH: join(prefix, 'share', 'jupyter') },
    });
    assert.equal(JSON.parse(listed.stdout).kernelspecs.lepton?.resource_dir, dir);
  } finally {
    rmSync(prefix, { recursive: true, force: true });
  }
});

test('lepton install --prefix without a folder says how to call it', () => {
  const run = spawnSync(process.execPath, [cli, 'install', '--prefix'], { encoding: 'utf8' });
  assert.equal(run.status, 1);
  assert.match(run.stderr, /--prefix needs a folder/);
});

test('an unknown command prints the usage', () => {
  const run = spawnSync(process.execPath, [cli, 'fly'], { encoding: 'utf8' });
  assert.equal(run.status, 2);
  assert.match(run.stderr, /Unknown command "fly"/);
});

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

test('lepton lab serves JupyterLab on notebooks/ with the Lepton kernel as the default', { timeout: 180_000 }, async () => {
  const port = await freePort();
  const token = 'lepton-test-token';
  const lab = spawn(process.execPath, [cli, 'lab', '--no-browser', `--port=${port}`, `--IdentityProvider.token=${token}`], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  lab.stdout.on('data', (chunk) => (log += chunk));
  lab.stderr.on('data', (chunk) => (log += chunk));
  try {
    const base = `http://127.0.0.1:${port}`;
    let specs: any;
    for (let attempt = 0; attempt < 120 && !specs; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      specs = await fetch(`${base}/api/kernelspecs?token=${token}`).then((r) => (r.ok ? r.json() : undefined), () => undefined);
    }
    assert.ok(specs, `JupyterLab did not answer:\n${log}`);
    assert.equal(specs.default, 'lepton');
    assert.equal(specs.kernelspecs.lepton.spec.display_name, 'TypeScript (Lepton)');
    const contents = (await fetch(`${base}/api/contents?token=${token}`).then((r) => r.json())) as { content: { name: string }[] };
    assert.ok(contents.content.some((item: { name: string }) => item.name === '00-tour.ipynb'), 'notebooks/ is not the root');
    assert.match(log, new RegExp(`http://(localhost|127\\.0\\.0\\.1):${port}/lab`), 'the URL was not printed');
  } finally {
    lab.kill('SIGINT');
    await new Promise((resolve) => lab.once('exit', resolve));
  }
});
