// The JupyterLab extension in real JupyterLab in real Chromium, used as a user uses it: train with the live chart,
// deploy from the model card, watch the deployment in the panel, stop it there. Screenshots of each step go to
// test-output/screenshots/extension-*.png.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { browserMissing, launchChromium, screenshotPath } from '../support/browser.js';
import { startLab, type RunningLab } from '../support/lab.js';
import { started } from '../support/hooks.js';
import { jsonIn, type MimeBundle } from '../support/mime.js';
import type { TrainingBundle } from '@lepton/lib/contract';

const cells = [
  `const features = ['Beak Length (mm)', 'Beak Depth (mm)', 'Flipper Length (mm)', 'Body Mass (g)'];
const clean = lepton.datasets.penguins().filter((d: any) => d['Body Mass (g)'] != null && d['Beak Length (mm)'] != null);
const { train, test } = lepton.trainTestSplit(clean, { testSize: 0.25, stratify: 'Species', seed: 7 });
const scaler = lepton.preprocess.standardScaler({ columns: features }).fit(train);
const species = lepton.preprocess.labelEncoder({ columns: ['Species'] }).fit(train);
const tensors = (df: typeof train) => ({ x: scaler.transform(df).toTensor(features), y: species.transform(df).toTensor('Species', { dtype: 'int32' }) });
const trainData = tensors(train), testData = tensors(test);
'data ready'`,
  `const model = lepton.models.mlp({ inputs: features.length, hidden: [32], classes: 3, seed: 1 });
const history = await lepton.fit(model, trainData, { loss: 'sparseCategoricalCrossentropy', optimizer: 'adam', epochs: 120, batchSize: 4, validation: 0.2, seed: 1 });`,
  `model`,
  `const served = (await lepton.deployments()).find((d) => d.name === 'e2e-penguins')!;
const predicted = await served.predict(testData.x);
\`predicted \${predicted.shape[0]} rows\``,
  `const patient = lepton.models.mlp({ inputs: features.length, hidden: [32], classes: 3, seed: 2 });
const long = await lepton.fit(patient, trainData, { loss: 'sparseCategoricalCrossentropy', optimizer: 'adam', epochs: 2000, batchSize: 4, seed: 2 });
\`\${long.status} after \${long.epochs.length} of 2000 epochs\``,
];

const notebook = {
  cells: cells.map((source) => ({ cell_type: 'code', source, metadata: {}, outputs: [], execution_count: null })),
  metadata: { kernelspec: { name: 'lepton', display_name: 'TypeScript (Lepton)', language: 'typescript' } },
  nbformat: 4,
  nbformat_minor: 5,
};

describe('the Lepton JupyterLab extension', { skip: browserMissing }, () => {
  let lab: RunningLab;
  let browser: Browser;
  let page: Page;
  const folder = mkdtempSync(join(tmpdir(), 'lepton-e2e-notebooks-'));
  const errors: string[] = [];
  const api = (path: string, init: Omit<RequestInit, 'headers'> & { headers?: Record<string, string> } = {}) =>
    fetch(`${lab.base}/${path}`, {
      ...init,
      headers: { authorization: `token ${lab.token}`, ...init.headers },
      signal: AbortSignal.timeout(20_000),
    });

  before(async () => {
    writeFileSync(join(folder, 'e2e.ipynb'), JSON.stringify(notebook));
    lab = await startLab([`--notebook-dir=${folder}`]);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1500, height: 1000 } });
    page.on('pageerror', (error) => error.message !== 'No active debugger session' && errors.push(error.message));
    page.on(
      'console',
      (message) => message.type() === 'error' && /lepton/i.test(message.text()) && errors.push(message.text()),
    );
  });
  after(async () => {
    await started(browser)?.close();
    await started(lab)?.stop();
    rmSync(folder, { recursive: true, force: true });
  });

  test('the proxy says how to start the model server while none runs', async () => {
    const response = await api('lepton/v1/deployments');
    assert.equal(response.status, 503);
    const body = (await response.json()) as { code: string; error: string };
    assert.equal(body.code, 'LEPTON_SERVER_NOT_RUNNING');
    assert.match(body.error, /npx lepton serve/);
    assert.equal(
      (await fetch(`${lab.base}/lepton/v1/deployments`)).status,
      403,
      'the proxy must need Jupyter credentials',
    );
  });

  test(
    'trains with a live chart, deploys from the model card, and stops the deployment from the panel',
    { timeout: 300_000 },
    async () => {
      try {
        await trainDeployAndStop();
      } catch (error) {
        await page.screenshot({ path: screenshotPath('extension-failure'), fullPage: true });
        throw error;
      }
    },
  );

  /** Runs a command from JupyterLab's palette, as a user does with Ctrl+Shift+C. */
  async function runCommand(label: string): Promise<void> {
    // A fresh or reloaded page can take the shortcut before the shell has keyboard focus, and a slow machine can take
    // seconds to show the palette: press it until the palette shows, giving the shell focus between tries.
    // The palette can also close again right after it opened (the notebook taking focus as its kernel connects):
    // then the typing is retried from the shortcut.
    const palette = page.locator('.lm-CommandPalette-input');
    for (let tries = 0; ; tries++) {
      if (!(await palette.isVisible())) {
        if (tries > 0)
          await page
            .locator('#jp-top-panel')
            .click({ position: { x: 5, y: 5 } })
            .catch(() => undefined);
        await page.keyboard.press('Control+Shift+c');
        await palette.waitFor({ state: 'visible', timeout: 4000 }).catch(() => undefined);
      }
      try {
        await palette.fill(label, { timeout: 5000 });
        break;
      } catch (error) {
        if (tries >= 14) throw error;
      }
    }
    await page.keyboard.press('Enter');
  }

  async function trainDeployAndStop(): Promise<void> {
    await page.goto(`${lab.base}/lab/tree/e2e.ipynb?reset&token=${lab.token}`);
    await page.locator('.jp-Notebook').first().waitFor({ timeout: 60_000 });
    // Cells are run once the kernel is up (a Shift+Enter before that can be lost while the session connects).
    await page.getByText('TypeScript (Lepton) | Idle').first().waitFor({ timeout: 90_000 });

    // The panel before any deployment: the server is not running, and the panel says how to start it.
    await runCommand('Lepton: Show Deployments');
    const panel = page.locator('.jp-LeptonDeployments');
    await panel.locator('code', { hasText: 'npx lepton serve' }).waitFor({ timeout: 20_000 });
    await page.screenshot({ path: screenshotPath('extension-0-panel-no-server') });

    // Run the first three cells: data, training (live chart), the model (its card).
    await page.locator('.jp-Cell .jp-InputArea-editor').first().click();
    for (let i = 0; i < 3; i++) await page.keyboard.press('Shift+Enter');
    const chart = page.locator('.jp-LeptonTraining').first();
    await chart.locator('svg.jp-LeptonChart').first().waitFor({ timeout: 120_000 });
    const seen: number[] = [];
    const deadline = Date.now() + 180_000;
    while (Date.now() < deadline) {
      const [status, points] = [
        await chart.getAttribute('data-status'),
        Number(await chart.getAttribute('data-points')),
      ];
      if (status === 'running' && seen.at(-1) !== points) seen.push(points);
      if (status !== 'running') break;
      await page.waitForTimeout(250);
    }
    assert.ok(
      seen.length >= 3 && Math.max(...seen) > seen[0]!,
      `the chart did not grow while training: point counts seen ${seen.join(', ')}`,
    );
    await chart.and(page.locator('[data-status="finished"]')).waitFor({ timeout: 30_000 });
    assert.ok((await chart.locator('svg.jp-LeptonChart').count()) >= 2, 'one chart per metric (loss and accuracy)');
    await chart.locator('.jp-LeptonChart-best text').first().waitFor();
    await chart.scrollIntoViewIfNeeded();
    await chart.screenshot({ path: screenshotPath('extension-1-training-chart') });

    // Deploy from the model card; its live status appears in place.
    const card = page.locator('.jp-LeptonModelCard');
    await card.waitFor({ timeout: 60_000 });
    await card.getByRole('textbox').fill('e2e-penguins');
    await card.getByRole('button', { name: /^Deploy/ }).click();
    await card.locator('.jp-LeptonBadge[data-status="ready"]').waitFor({ timeout: 120_000 });
    await card.scrollIntoViewIfNeeded();
    await card.screenshot({ path: screenshotPath('extension-2-model-card-deployed') });

    // A predict call from the notebook; the panel shows the deployment ready, with its traffic.
    await page.locator('.jp-Cell .jp-InputArea-editor').nth(3).click();
    await page.keyboard.press('Shift+Enter');
    await page.locator('.jp-OutputArea-output', { hasText: /predicted \d+ rows/ }).waitFor({ timeout: 60_000 });
    const row = panel.locator('.jp-LeptonDeployment[data-name="e2e-penguins"]');
    await row.and(page.locator('[data-status="ready"]')).waitFor({ timeout: 30_000 });
    await row.locator('.jp-LeptonDeployment-traffic', { hasText: /[1-9]\d* total/ }).waitFor({ timeout: 30_000 });
    assert.ok(
      Number(await row.locator('svg.jp-LeptonSparkline').getAttribute('data-max')) >= 1,
      'the sparkline shows the request',
    );
    await row.locator('.jp-LeptonDeployment-logs summary').click();
    await row.locator('.jp-LeptonDeployment-logs pre', { hasText: 'deploy' }).waitFor({ timeout: 10_000 });
    await page.screenshot({ path: screenshotPath('extension-3-panel-ready') });

    // Stop it from the panel, confirming; the management API says it stopped.
    await row.getByRole('button', { name: 'Stop e2e-penguins' }).click();
    await page.getByRole('button', { name: 'Confirm' }).click();
    await row.and(page.locator('[data-status="stopped"]')).waitFor({ timeout: 30_000 });
    const info = (await (await api('lepton/v1/deployments/e2e-penguins')).json()) as { status: string };
    assert.equal(info.status, 'stopped');
    await page.screenshot({ path: screenshotPath('extension-4-panel-stopped') });

    // The saved notebook keeps the finished chart and the model card (what a reload then shows). Ctrl+S saves the
    // notebook only while the notebook has focus (after the panel's dialog it may be elsewhere): the notebook's tab is
    // activated first, and the save is pressed again every few seconds until the file has the finished chart.
    const save = async () => {
      await page.locator('.lm-DockPanel-tabBar .lm-TabBar-tab', { hasText: 'e2e.ipynb' }).first().click();
      await page.keyboard.press('Control+s');
    };
    await save();
    // A read while the save is being written can answer an error instead of the notebook: that read counts as empty.
    type Saved = { content?: { cells?: { outputs: { data?: MimeBundle }[] }[] } };
    const savedOutputs = async () =>
      ((await (await api('api/contents/e2e.ipynb')).json()) as Saved).content?.cells?.flatMap((c) => c.outputs) ?? [];
    const trainingOf = (outputs: { data?: MimeBundle }[]) =>
      jsonIn(
        outputs.find((o) => o.data?.['application/vnd.lepton.training+json'])?.data,
        'application/vnd.lepton.training+json',
      ) as TrainingBundle | undefined;
    // The save lands when it lands (large outputs, a slow machine), and an autosave from mid-training may be on disk
    // before it: read the file until the finished chart is in it, 30 s at most.
    let outputs = await savedOutputs();
    for (
      let lastSave = Date.now(), deadline = lastSave + 30_000;
      trainingOf(outputs)?.status !== 'finished' && Date.now() < deadline;
      outputs = await savedOutputs()
    ) {
      await page.waitForTimeout(250);
      if (Date.now() - lastSave < 5000) continue;
      await save();
      lastSave = Date.now();
    }
    const training = trainingOf(outputs);
    assert.equal(training?.status, 'finished', 'the saved notebook keeps the final training state');
    assert.ok(training.epochs.length === 120);
    assert.ok(
      outputs.some((o) => o.data?.['application/vnd.lepton.model+json']),
      'the saved notebook keeps the model card',
    );

    // A page reload keeps the deployments: the panel, opened again, lists the stopped one; the saved chart is back.
    await page.reload();
    await page.getByText('TypeScript (Lepton) | Idle').first().waitFor({ timeout: 90_000 });
    await runCommand('Lepton: Show Deployments');
    await row.and(page.locator('[data-status="stopped"]')).waitFor({ timeout: 30_000 });
    await page.locator('.jp-LeptonTraining[data-status="finished"]').first().waitFor({ timeout: 30_000 });

    // A long run stopped with the chart's Stop button ends at a batch boundary and keeps its epochs.
    await page.locator('.jp-Cell .jp-InputArea-editor').nth(4).click();
    await page.keyboard.press('Shift+Enter');
    const second = page.locator('.jp-LeptonTraining').nth(1);
    await second.and(page.locator('[data-status="running"]')).waitFor({ timeout: 60_000 });
    await page.waitForTimeout(2000);
    await second.getByRole('button', { name: 'Stop' }).click();
    await second.and(page.locator('[data-status="stopped"]')).waitFor({ timeout: 30_000 });
    const ended = page.locator('.jp-OutputArea-output', { hasText: /stopped after \d+ of 2000 epochs/ });
    await ended.waitFor({ timeout: 30_000 });
    assert.ok(Number(/after (\d+) of/.exec((await ended.textContent()) ?? '')?.[1]) < 2000);
    await second.scrollIntoViewIfNeeded();
    await second.screenshot({ path: screenshotPath('extension-5-training-stopped') });

    // A kernel restart leaves the deployments alone: the panel still lists them.
    const [kernelInfo] = (await (await api('api/kernels')).json()) as { id: string }[];
    assert.equal((await api(`api/kernels/${kernelInfo!.id}/restart`, { method: 'POST' })).status, 200);
    await page.getByText('TypeScript (Lepton) | Idle').first().waitFor({ timeout: 90_000 });
    await panel.getByRole('button', { name: 'Refresh' }).click();
    await row.and(page.locator('[data-status="stopped"]')).waitFor({ timeout: 30_000 });

    // The views follow JupyterLab's theme: in the dark theme the chart is drawn on a dark background.
    // (Evaluated in the page, as text: these tests compile without the DOM's types.)
    const background = () =>
      page.evaluate<string>(
        "getComputedStyle(document.querySelector('.jp-LeptonTraining svg.jp-LeptonChart')).backgroundColor",
      );
    const light = await background();
    await runCommand('Use Theme: JupyterLab Dark');
    await page.waitForFunction("document.body.dataset.jpThemeLight === 'false'", undefined, { timeout: 30_000 });
    const dark = await background();
    assert.notEqual(dark, light, `the chart background stayed ${light} in the dark theme`);
    await page.screenshot({ path: screenshotPath('extension-6-dark-theme') });

    assert.deepEqual(errors, []);
  }
});
