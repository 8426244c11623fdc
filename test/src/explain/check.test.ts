// Data-quality checks and model explanations through the real Lepton kernel: the bundles a front end receives.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { KernelClient, resultData } from '../support/kernel-client.js';
import { started } from '../support/hooks.js';
import { jsonOf } from '../support/mime.js';
import type { DataQualityData } from '@lepton/lib';

describe('lepton.check and lepton.explain in a real kernel', () => {
  let kernel: KernelClient;
  before(async () => {
    kernel = await KernelClient.start();
  });
  after(() => started(kernel)?.shutdown());

  test('check(penguins, { target }) is an HTML report with findings, fixes, columns and class balance', async () => {
    const run = await kernel.execute("lepton.check(lepton.datasets.penguins(), { target: 'Species' })", {
      timeout: 120,
    });
    assert.equal(run.reply.content.status, 'ok', JSON.stringify(run.outputs));
    const data = resultData(run)!;
    const html: string = data['text/html']!;
    assert.match(html, /Data quality: 344 rows × 7 columns, target Species/);
    assert.match(html, /Findings/);
    assert.match(
      html,
      /lepton\.preprocess\.imputer\(\{ columns: \[&quot;Beak Length \(mm\)&quot;\], strategy: 'median' \}\)\.fitTransform\(df\)/,
    );
    assert.match(html, /Class balance of Species/);
    for (const species of ['Adelie', 'Gentoo', 'Chinstrap']) assert.ok(html.includes(species), species);
    const json = jsonOf(data, 'application/json') as DataQualityData;
    assert.equal(json.rows, 344);
    assert.equal(
      json.classBalance!.reduce((a, c) => a + c.count, 0),
      344,
    );
    assert.ok(json.columnReports.find((c) => c.name === 'Sex')!.missing > 0);
    assert.match(data['text/plain']!, /Data quality: 344 rows × 7 columns/);
  });

  test('the report is typed: its findings are available in a cell', async () => {
    const run = await kernel.execute(
      'const report = lepton.check(lepton.datasets.penguins());\nreport.findings.length > 0',
      { timeout: 120 },
    );
    assert.equal(run.reply.content.status, 'ok', JSON.stringify(run.outputs));
    assert.equal(resultData(run)!['text/plain'], 'true');
  });
});
