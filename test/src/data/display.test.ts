// Data and charts through the real Lepton kernel: the MIME bundles a front end receives for DataFrames and charts.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { KERNEL_PROCESS_ENV } from '@lepton/kernel';
import { KernelClient, resultData } from '../support/kernel-client.js';
import { started } from '../support/hooks.js';
import { vegaLiteOf } from '../support/mime.js';

describe('DataFrames and charts reach a real Jupyter client as rich outputs', () => {
  let kernel: KernelClient;
  before(async () => {
    kernel = await KernelClient.start();
  });
  after(() => started(kernel)?.shutdown());

  test('the kernel process runs with the environment of its kernelspec (huge pages for the typed arrays of big tables)', async () => {
    const run = await kernel.execute('process.env.GLIBC_TUNABLES');
    assert.equal(run.reply.content.status, 'ok', JSON.stringify(run.outputs));
    assert.equal(resultData(run)!['text/plain'], `'${KERNEL_PROCESS_ENV.GLIBC_TUNABLES}'`);
  });

  test('a DataFrame as the last expression is an HTML table with types and a size footer, plus text/plain', async () => {
    const run = await kernel.execute('const penguins = lepton.datasets.penguins();\npenguins', { timeout: 120 });
    assert.equal(run.reply.content.status, 'ok', JSON.stringify(run.outputs));
    const data = resultData(run)!;
    assert.match(data['text/html']!, /<table class="dataframe">/);
    assert.match(data['text/html']!, /Body Mass \(g\)<br><small>integer<\/small>/);
    assert.match(data['text/html']!, /344 rows × 7 columns/);
    assert.equal(data['text/html']!.match(/<tr>/g)!.length, 22, 'header + 10 head + ellipsis + 10 tail rows');
    assert.match(data['text/plain']!, /344 rows × 7 columns/);
  });

  test('verbs, describe and the typed preprocessing API work in cells with checked types', async () => {
    const run = await kernel.execute(
      [
        "const clean = penguins.filter((d: any) => d['Body Mass (g)'] != null && d.Sex != null && d.Sex !== '.');",
        "const { train, test } = lepton.trainTestSplit(clean, { testSize: 0.2, stratify: 'Species', seed: 1 });",
        "const scaler = lepton.preprocess.standardScaler({ columns: ['Body Mass (g)'] }).fit(train);",
        'const scaled: InstanceType<typeof lepton.DataFrame> = scaler.transform(test);',
        '[clean.numRows(), train.numRows(), test.numRows(), scaled.numRows(), JSON.stringify(scaler).length > 50]',
      ].join('\n'),
    );
    assert.equal(run.reply.content.status, 'ok', JSON.stringify(run.outputs));
    assert.equal(resultData(run)!['text/plain'], '[ 333, 266, 67, 67, true ]');
    const typed = await kernel.execute('const wrong: number = penguins.describe()');
    assert.equal(typed.reply.content.status, 'error', 'describe() is typed as a DataFrame');
  });

  test('a chart is sent as Vega-Lite v5 JSON with an SVG fallback', async () => {
    const run = await kernel.execute(
      "lepton.plot.scatter(penguins, { x: 'Beak Length (mm)', y: 'Beak Depth (mm)', color: 'Species' })",
      { timeout: 120 },
    );
    assert.equal(run.reply.content.status, 'ok', JSON.stringify(run.outputs));
    const data = resultData(run)!;
    const spec = vegaLiteOf(data);
    assert.equal(spec.$schema, 'https://vega.github.io/schema/vega-lite/v5.json');
    assert.equal(spec.mark!.type, 'point');
    assert.equal(spec.data!.values!.length, 344);
    assert.match(data['image/svg+xml']!, /^<svg [^>]*>/);
    assert.match(data['image/svg+xml']!, />Species</);
    assert.match(data['text/plain']!, /<Chart point: 344 data rows/);
  });

  test('an unknown column is an error message listing the available columns', async () => {
    const run = await kernel.execute("penguins.groupby('species')");
    assert.equal(run.reply.content.status, 'error');
    const error = run.outputs.find((m) => m.msg_type === 'error')!.content;
    assert.equal(error.ename, 'ColumnNotFoundError');
    assert.match(
      error.evalue!,
      /unknown column "species" \(did you mean "Species"\?\)\. Available columns: "Species", "Island"/,
    );
  });
});
