// Saliency maps and partial dependence through the real Lepton kernel: the MIME bundles a front end receives.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { inflateSync } from 'node:zlib';
import { KernelClient, resultData } from '../support/kernel-client.js';
import { started } from '../support/hooks.js';
import { vegaLiteOf } from '../support/mime.js';

/** Width, height and colour type of a PNG, read from its IHDR chunk, after checking that its pixels inflate. */
function pngInfo(base64: string): { width: number; height: number; colorType: number } {
  const file = Buffer.from(base64, 'base64');
  assert.equal(file.subarray(1, 4).toString('latin1'), 'PNG');
  assert.equal(file.toString('latin1', 12, 16), 'IHDR');
  const [width, height, colorType] = [file.readUInt32BE(16), file.readUInt32BE(20), file[25]!];
  const idatLength = file.readUInt32BE(33);
  assert.equal(file.toString('latin1', 37, 41), 'IDAT');
  assert.equal(inflateSync(file.subarray(41, 41 + idatLength)).length, (width * 3 + 1) * height);
  return { width, height, colorType };
}

describe('lepton.explain.saliency and partialDependence in a real kernel', () => {
  let kernel: KernelClient;
  before(async () => {
    kernel = await KernelClient.start();
  });
  after(() => started(kernel)?.shutdown());

  test('saliency on MNIST digits displays image/png (a heatmap over each digit) with captions', async () => {
    const code = [
      'const digits = lepton.datasets.mnist({ n: 600, testSize: 0.1, seed: 0 });',
      'const cnn = lepton.models.cnn({ inputShape: [28, 28, 1], filters: [8], dense: 32, dropout: 0, classes: 10, seed: 1 });',
      "await lepton.fit(cnn, { x: digits.train.images, y: digits.train.labels }, { loss: 'sparseCategoricalCrossentropy', epochs: 1, batchSize: 32, seed: 1, live: false });",
      "lepton.explain.saliency(cnn, digits.test.images.slice(0, 4), { method: 'integratedGradients', steps: 8 })",
    ].join('\n');
    const run = await kernel.execute(code, { timeout: 180 });
    assert.equal(run.reply.content.status, 'ok', JSON.stringify(run.outputs));
    const data = resultData(run)!;
    // Four 168×168 overlays (28 px × 6) side by side with 6 px gaps, in RGB.
    assert.deepEqual(pngInfo(data['image/png']!), { width: 4 * 168 + 3 * 6, height: 168, colorType: 2 });
    const html: string = data['text/html']!;
    assert.equal(html.match(/<img src="data:image\/png;base64,/g)?.length, 4);
    assert.match(html, /predicted \d \(\d\.\d\d\)/);
    assert.match(data['text/plain']!, /^Saliency \(integrated gradients of the logit\): 4 images of 28×28/);
  });

  test('saliency on a tabular model is a clear error in the cell', async () => {
    const run = await kernel.execute(
      'lepton.explain.saliency(lepton.models.mlp({ inputs: 4, classes: 3 }), tf.zeros([2, 4]))',
      { timeout: 60 },
    );
    assert.equal(run.reply.content.status, 'error');
    assert.match(run.reply.content.evalue!, /the model's input is \[null, 4\], not images/);
  });

  test('partial dependence of a penguin classifier is a Vega-Lite line chart (one feature) and heat map (two)', async () => {
    const code = [
      "const features = ['Beak Length (mm)', 'Beak Depth (mm)', 'Flipper Length (mm)', 'Body Mass (g)'];",
      "const clean = lepton.datasets.penguins().filter((d: any) => d['Body Mass (g)'] != null && d['Beak Length (mm)'] != null);",
      'const scaler = lepton.preprocess.standardScaler({ columns: features }).fit(clean);',
      "const species = lepton.preprocess.labelEncoder({ columns: ['Species'] }).fit(clean);",
      'const penguinModel = lepton.models.mlp({ inputs: 4, hidden: [8], classes: 3, seed: 1 });',
      "await lepton.fit(penguinModel, { x: scaler.transform(clean).toTensor(features), y: species.transform(clean).toTensor('Species', { dtype: 'int32' }) }, { loss: 'sparseCategoricalCrossentropy', epochs: 5, seed: 1, live: false });",
      'const pdOptions = { x: features, transform: scaler, classNames: species.classes().map(String) };',
      "lepton.explain.partialDependence(penguinModel, clean, 'Flipper Length (mm)', pdOptions)",
    ].join('\n');
    const run = await kernel.execute(code, { timeout: 120 });
    assert.equal(run.reply.content.status, 'ok', JSON.stringify(run.outputs));
    const data = resultData(run)!;
    const spec = vegaLiteOf(data);
    assert.equal(spec.mark!.type, 'line');
    assert.equal(spec.encoding!.x!.field, 'Flipper Length (mm)');
    assert.deepEqual([...new Set(spec.data!.values!.map((r) => r.output))].sort(), ['Adelie', 'Chinstrap', 'Gentoo']);
    assert.match(data['image/svg+xml']!, /^<svg/);
    assert.match(data['text/plain']!, /^Partial dependence on Flipper Length \(mm\) \(average over 342 rows\)/);

    const pair = await kernel.execute(
      "lepton.explain.partialDependence(penguinModel, clean, ['Flipper Length (mm)', 'Beak Length (mm)'], { ...pdOptions, target: 'Gentoo', gridSize: 6 })",
      { timeout: 120 },
    );
    assert.equal(pair.reply.content.status, 'ok', JSON.stringify(pair.outputs));
    const heat = vegaLiteOf(resultData(pair));
    assert.equal(heat.mark!.type, 'rect');
    assert.equal(heat.data!.values!.length, 36);
    assert.match(heat.title as string, /Partial dependence on Flipper Length \(mm\) × Beak Length \(mm\) \(Gentoo\)/);
  });
});
