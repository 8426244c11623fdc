// The JupyterLab extension in a JupyterLab the user already has: the wheel `lepton build-extension` builds, installed
// by `lepton install --extension` into a fresh env holding only JupyterLab; Jupyter's own tools list it enabled, and
// that JupyterLab, in Chromium, shows the deployments panel with the user's settings applied.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Browser } from 'playwright-core';
import { browserMissing, launchChromium, screenshotPath } from '../support/browser.js';
import { freshJupyterLab, isolatedJupyterEnv, run, type FreshJupyterLab } from '../support/fresh-jupyterlab.js';
import { startJupyterLab, type RunningLab } from '../support/lab.js';
import { repoRoot, venvPython } from '../support/project.js';
import { started } from '../support/hooks.js';
import type { KernelspecList } from '../support/jupyter-json.js';

const cli = join(repoRoot, 'kernel', 'bin', 'lepton.js');
// Jupyter colours "enabled" and "OK" on POSIX terminals and pipes alike.
const colours = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');
const plain = (text: string) => text.replace(colours, '');

describe('the Lepton extension in a JupyterLab the user already has', () => {
  let env: FreshJupyterLab;
  const home = mkdtempSync(join(tmpdir(), 'lepton-wheel-home-'));
  // Jupyter's tools run as the user runs them, but blind to this machine's user-level Jupyter folders.
  const jupyterEnv = {
    ...process.env,
    ...isolatedJupyterEnv(home),
    LEPTON_HOME: join(home, 'lepton'),
    LEPTON_PORT: '0',
  };
  const jupyter = (...args: string[]) => plain(run(env.bin('jupyter'), args, { env: jupyterEnv }));

  before(() => {
    env = freshJupyterLab();
  });
  after(() => {
    rmSync(home, { recursive: true, force: true });
  });

  test('lepton build-extension builds a wheel with the labextension, its settings schemas, the server config and the module', () => {
    const output = run(process.execPath, [cli, 'build-extension'], { timeoutMs: 300_000 });
    const wheel = /Built (\S+\.whl)/.exec(output)?.[1];
    assert.ok(wheel, output);
    const names = run(venvPython, [
      '-c',
      'import sys, zipfile; print("\\n".join(zipfile.ZipFile(sys.argv[1]).namelist()))',
      wheel,
    ]).split('\n');
    const data = 'lepton_jupyter-0.1.0.data/data/';
    for (const expected of [
      `${data}share/jupyter/labextensions/@lepton/extension/package.json`,
      `${data}share/jupyter/labextensions/@lepton/extension/install.json`,
      `${data}share/jupyter/labextensions/@lepton/extension/schemas/@lepton/extension/deployments-panel.json`,
      `${data}share/jupyter/labextensions/@lepton/extension/schemas/@lepton/extension/training.json`,
      `${data}etc/jupyter/jupyter_server_config.d/lepton_jupyter.json`,
      'lepton_jupyter/__init__.py',
      'lepton_jupyter/handlers.py',
    ]) {
      assert.ok(names.includes(expected), `${expected} is not in the wheel:\n${names.join('\n')}`);
    }
    assert.ok(
      names.some((name) => name.startsWith(`${data}share/jupyter/labextensions/@lepton/extension/static/remoteEntry.`)),
      'no prebuilt bundle',
    );
  });

  test(
    'lepton install --extension puts the kernelspec and the wheel into the chosen Jupyter, which lists Lepton enabled',
    { timeout: 300_000 },
    () => {
      assert.doesNotMatch(
        jupyter('labextension', 'list'),
        /@lepton\/extension/,
        'the fresh env already had the extension',
      );
      const output = run(
        process.execPath,
        [cli, 'install', '--sys-prefix', '--extension', '--python', env.bin('python')],
        { env: jupyterEnv, timeoutMs: 300_000 },
      );
      // The output says which Jupyter it targeted and how to choose another.
      assert.match(
        output,
        new RegExp(`Jupyter: \\S*fresh-jupyterlab/bin/python\\S* \\(--python\\), JupyterLab 4\\.\\d+`),
      );
      assert.match(output, /name its Python: npx lepton install --sys-prefix --extension --python/);
      assert.match(
        output,
        /Installed the Lepton JupyterLab extension lepton_jupyter-0\.1\.0-py3-none-any\.whl into the environment /,
      );

      assert.match(
        jupyter('labextension', 'list'),
        /@lepton\/extension v0\.1\.0 enabled\s+OK \(python, lepton_jupyter\)/,
      );
      const servers = jupyter('server', 'extension', 'list');
      assert.match(servers, /lepton_jupyter enabled/);
      assert.match(servers, /lepton_jupyter\s+OK/);
      const specs = JSON.parse(
        run(env.bin('jupyter'), ['kernelspec', 'list', '--json'], { env: jupyterEnv }),
      ) as KernelspecList;
      assert.equal(specs.kernelspecs.lepton?.resource_dir, join(env.prefix, 'share', 'jupyter', 'kernels', 'lepton'));
    },
  );

  test('lepton install --extension says what to do when there is no Jupyter to install into', () => {
    const noJupyter = spawnSync(process.execPath, [cli, 'install', '--user', '--extension'], {
      encoding: 'utf8',
      env: { ...jupyterEnv, PATH: dirname(process.execPath) },
    });
    assert.equal(noJupyter.status, 1);
    assert.match(noJupyter.stderr, /no `jupyter` command on PATH.*--python \/path\/to\/python/s);

    const bare = join(home, 'bare-venv');
    run('python3', ['-m', 'venv', '--without-pip', bare]);
    const noLab = spawnSync(
      process.execPath,
      [cli, 'install', '--sys-prefix', '--extension', '--python', join(bare, 'bin', 'python')],
      { encoding: 'utf8', env: jupyterEnv },
    );
    assert.equal(noLab.status, 1);
    assert.match(
      noLab.stderr,
      /There is no JupyterLab in \S+bare-venv\S+ \(--python\)\. Install it there .*'jupyterlab>=4\.6'/,
    );

    const own = spawnSync(process.execPath, [cli, 'install', '--sys-prefix', '--extension', '--python', venvPython], {
      encoding: 'utf8',
      env: jupyterEnv,
      timeout: 300_000,
    });
    assert.equal(own.status, 1);
    assert.match(own.stderr, /is the project's own \.venv/);
  });

  describe('in Chromium', { skip: browserMissing }, () => {
    let lab: RunningLab;
    let browser: Browser;

    before(async () => {
      const notebooks = join(home, 'notebooks');
      mkdirSync(notebooks);
      lab = await startJupyterLab(env.bin('jupyter'), [`--notebook-dir=${notebooks}`]);
      browser = await launchChromium();
    });
    after(async () => {
      await started(browser)?.close();
      await started(lab)?.stop();
    });

    test(
      "that JupyterLab opens the deployments panel, served by the installed server extension, with the user's refresh interval",
      { timeout: 180_000 },
      async () => {
        const api = (path: string, init: RequestInit = {}) =>
          fetch(`${lab.base}/${path}`, {
            ...init,
            headers: { authorization: `token ${lab.token}`, 'content-type': 'application/json' },
            signal: AbortSignal.timeout(20_000),
          });
        // The settings schemas ship in the wheel: JupyterLab knows both, with their defaults.
        const training = (await (await api('lab/api/settings/@lepton/extension:training')).json()) as {
          schema: { properties: Record<string, { default: unknown }> };
        };
        assert.equal(training.schema.properties.maxPoints?.default, 800);
        const saved = await api('lab/api/settings/@lepton/extension:deployments-panel', {
          method: 'PUT',
          body: JSON.stringify({ raw: '{ "refreshInterval": 5 }' }),
        });
        assert.equal(saved.status, 204, await saved.text());

        const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
        try {
          await page.goto(`${lab.base}/lab?reset&token=${lab.token}`);
          await page
            .locator('.jp-LauncherCard', { hasText: 'TypeScript (Lepton)' })
            .first()
            .waitFor({ timeout: 90_000 });
          await page.keyboard.press('Control+Shift+c');
          await page.locator('.lm-CommandPalette-input').fill('Lepton: Show Deployments');
          await page.keyboard.press('Enter');
          const panel = page.locator('.jp-LeptonDeploymentsPanel');
          // No model server runs for this home: the proxy (the server extension) answers, and the panel says how to start one.
          await panel.locator('code', { hasText: 'npx lepton serve' }).waitFor({ timeout: 30_000 });
          // The setting saved above reached the plugin through the setting registry.
          await page
            .locator('.jp-LeptonDeploymentsPanel[data-refresh-ms="5000"]')
            .waitFor({ state: 'attached', timeout: 30_000 });
          await page.screenshot({ path: screenshotPath('wheel-deployments-panel') });
        } catch (error) {
          await page.screenshot({ path: screenshotPath('wheel-failure'), fullPage: true });
          throw error;
        } finally {
          await page.close();
        }
      },
    );
  });
});
