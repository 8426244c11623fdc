// The tour notebook in real JupyterLab in real Chromium, run as a user runs it: open, Run All, read the outputs.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { browserMissing, launchChromium, screenshotPath } from '../support/browser.js';
import { startLab, type RunningLab } from '../support/lab.js';
import { started } from '../support/hooks.js';

describe('the tour in JupyterLab', { skip: browserMissing }, () => {
  let lab: RunningLab;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];

  before(async () => {
    lab = await startLab();
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    // JupyterLab's debugger plugin rejects "No active debugger session" for any kernel without debug support
    // (the Lepton kernel says debugger: false); every other page error fails the test.
    page.on('pageerror', (error) => error.message !== 'No active debugger session' && errors.push(error.message));
  });
  after(async () => {
    await started(browser)?.close();
    await started(lab)?.stop();
  });

  test(
    'opens 00-tour.ipynb on the Lepton kernel, runs every cell and shows their outputs',
    { timeout: 240_000 },
    async () => {
      await page.goto(`${lab.base}/lab/tree/00-tour.ipynb?reset&token=${lab.token}`);
      await page.locator('.jp-Notebook').first().waitFor({ timeout: 60_000 });
      // Run All once the kernel is up (cells run before the session connects can be lost).
      await page.getByText('TypeScript (Lepton) | Idle').first().waitFor({ timeout: 90_000 });
      await page.getByRole('menuitem', { name: 'Run', exact: true }).click();
      await page.getByRole('menuitem', { name: /^Run All Cells/ }).click();
      const last = page.locator('.jp-OutputArea-output').filter({ hasText: /ran 5 steps; Lepton/ });
      await last.waitFor({ timeout: 180_000 });
      // The data table, the charts (the training chart is the Lepton extension's live chart), the evaluation.
      await page
        .locator('.jp-OutputArea-output', { hasText: '344 rows × 7 columns' })
        .first()
        .waitFor({ timeout: 10_000 });
      await page
        .locator('.jp-OutputArea-output', { hasText: /test accuracy: \d\.\d{3}/ })
        .first()
        .waitFor({ timeout: 10_000 });
      await page.locator('.jp-OutputArea-output', { hasText: 'penguins.onnx' }).first().waitFor({ timeout: 10_000 });
      assert.ok((await page.locator('.jp-RenderedVegaCommon5').count()) >= 1, 'the scatter plot is not drawn');
      await page.locator('.jp-LeptonTraining[data-status="finished"]').waitFor({ timeout: 10_000 });
      // The deployment's card is live: its status line comes from the model server through the Jupyter server.
      await page.locator('.jp-LeptonDeploymentCard .jp-LeptonBadge[data-status]').first().waitFor({ timeout: 10_000 });
      await page.locator('.jp-OutputArea-output span', { hasText: 'done' }).first().waitFor({ timeout: 10_000 });
      await page.screenshot({ path: screenshotPath('tour'), fullPage: false });
      const trainingChart = page.locator('.jp-LeptonTraining');
      await trainingChart.scrollIntoViewIfNeeded();
      await trainingChart.screenshot({ path: screenshotPath('tour-training-chart') });
      assert.equal(
        await page.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]').count(),
        0,
        'a cell printed to stderr',
      );
      assert.deepEqual(errors, []);
    },
  );
});
