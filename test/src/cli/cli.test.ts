// The `lepton` command as users run it: kernelspec install, and `lepton lab` (what `npm start` runs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KERNEL_PROCESS_ENV } from '@lepton/kernel';
import { repoRoot, requireVenv } from '../support/project.js';
import { startLab } from '../support/lab.js';
import type { KernelSpec, KernelspecList } from '../support/jupyter-json.js';

const cli = join(repoRoot, 'kernel', 'bin', 'lepton.js');

test('lepton install --prefix DIR writes the kernelspec where Jupyter looks for it', () => {
  const prefix = mkdtempSync(join(tmpdir(), 'lepton-prefix-'));
  try {
    const run = spawnSync(process.execPath, [cli, 'install', '--prefix', prefix], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    const dir = join(prefix, 'share', 'jupyter', 'kernels', 'lepton');
    const spec = JSON.parse(readFileSync(join(dir, 'kernel.json'), 'utf8')) as KernelSpec;
    assert.equal(spec.display_name, 'TypeScript (Lepton)');
    assert.equal(spec.language, 'typescript');
    assert.equal(spec.interrupt_mode, 'signal');
    assert.deepEqual(spec.argv.slice(-3), ['kernel', '--conn', '{connection_file}']);
    assert.deepEqual(
      spec.env,
      KERNEL_PROCESS_ENV,
      'the kernel process starts with glibc huge pages for malloc (process-env.ts)',
    );
    for (const logo of ['logo-32x32.png', 'logo-64x64.png']) assert.ok(existsSync(join(dir, logo)), logo);
    const listed = spawnSync(requireVenv(), ['-m', 'jupyter', 'kernelspec', 'list', '--json'], {
      encoding: 'utf8',
      env: { ...process.env, JUPYTER_PATH: join(prefix, 'share', 'jupyter') },
    });
    assert.equal((JSON.parse(listed.stdout) as KernelspecList).kernelspecs.lepton?.resource_dir, dir);
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

test(
  'lepton lab serves JupyterLab on notebooks/ with the Lepton kernel as the default',
  { timeout: 300_000 },
  async () => {
    const lab = await startLab();
    try {
      const get = (path: string): Promise<unknown> =>
        fetch(`${lab.base}${path}?token=${lab.token}`).then((r) => r.json());
      const specs = (await get('/api/kernelspecs')) as KernelspecList;
      assert.equal(specs.default, 'lepton');
      assert.equal(specs.kernelspecs.lepton!.spec.display_name, 'TypeScript (Lepton)');
      // Jupyter Server's contents API: a directory's `content` lists its entries.
      const contents = (await get('/api/contents')) as { content: { name: string }[] };
      assert.ok(
        contents.content.some((item) => item.name === '00-tour.ipynb'),
        'notebooks/ is not the root',
      );
      assert.match(lab.log(), /http:\/\/(localhost|127\.0\.0\.1):\d+\/lab/, 'the URL was not printed');
      // The page JupyterLab serves leaves out the news toast that would cover the tutorial (lepton setup's page config).
      const page = await fetch(`${lab.base}/lab?token=${lab.token}`).then((r) => r.text());
      const config = JSON.parse(
        /<script id="jupyter-config-data" type="application\/json">([\s\S]*?)<\/script>/.exec(page)![1]!,
      ) as { disabledExtensions: string[] };
      assert.ok(
        config.disabledExtensions.includes('@jupyterlab/apputils-extension:announcements'),
        JSON.stringify(config.disabledExtensions),
      );
    } finally {
      await lab.stop();
    }
  },
);

test(
  'lepton serve passes --inference-token to a new server, which then refuses inference without it',
  { timeout: 60_000 },
  async () => {
    const home = mkdtempSync(join(tmpdir(), 'lepton-serve-'));
    const env = { ...process.env, LEPTON_HOME: home, LEPTON_PORT: '0' };
    try {
      const token = 't'.repeat(32);
      const run = spawnSync(process.execPath, [cli, 'serve', '--inference-token', token], { encoding: 'utf8', env });
      assert.equal(run.status, 0, run.stderr);
      const url = /Started the Lepton server at (http:\/\/\S+) /.exec(run.stdout)?.[1];
      assert.ok(url, run.stdout);
      const infer = (authorization?: string) =>
        fetch(`${url}/v2/models/none/infer`, {
          method: 'POST',
          body: '{"inputs":[]}',
          headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
        }).then((r) => r.status);
      assert.equal(await infer(), 401, 'no token: refused before the model is looked up');
      assert.notEqual(await infer(`Bearer ${token}`), 401, 'with the token the request gets past the check');
      const bad = spawnSync(process.execPath, [cli, 'serve', '--inference-tokn', token], { encoding: 'utf8', env });
      assert.equal(bad.status, 2);
      assert.match(bad.stderr, /unknown option or missing value "--inference-tokn".*--inference-token VALUE/);
    } finally {
      spawnSync(process.execPath, [cli, 'serve', '--stop'], { encoding: 'utf8', env });
      rmSync(home, { recursive: true, force: true });
    }
  },
);
