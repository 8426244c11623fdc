// Image files through the real server process: a model trained with lepton.fit on an image dataset is deployed
// with its image preprocessing and class names, and answers image files (predictImages, or a plain fetch of
// base64 files with parameters.lepton_preprocess) with the probabilities the model gives the training pixels
// locally and their labels; a corrupt file is a 400 naming its index, and the other images are not lost.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import * as lepton from '@lepton/lib';
import { stopServer } from '@lepton/server';

const home = mkdtempSync(join(tmpdir(), 'lepton-images-it-'));
const dir = mkdtempSync(join(tmpdir(), 'lepton-images-it-data-'));

/** 8 images per class of 20×14 pixels (resized to 10×10 by the dataset), JPEG and PNG, with a seeded pattern. */
async function writeImages(): Promise<void> {
  for (const [c, name] of ['circle', 'square', 'stripe'].entries()) {
    mkdirSync(join(dir, name));
    for (let i = 0; i < 8; i++) {
      const px = Buffer.alloc(20 * 14 * 3);
      for (let p = 0; p < 20 * 14; p++) {
        const [x, y] = [p % 20, Math.floor(p / 20)];
        const on =
          c === 0 ? (x - 10) ** 2 + (y - 7) ** 2 < 25 : c === 1 ? x > 5 && x < 15 && y > 2 && y < 11 : (x + i) % 4 < 2;
        px.set(on ? [230, 30 + i * 10, 40] : [20, 40, 200 - i * 5], p * 3);
      }
      const image = sharp(px, { raw: { width: 20, height: 14, channels: 3 } });
      writeFileSync(
        join(dir, name, `${i}.${i % 2 ? 'jpg' : 'png'}`),
        await (i % 2 ? image.jpeg({ quality: 95 }) : image.png()).toBuffer(),
      );
    }
  }
}

describe('image files preprocessed by the server', () => {
  before(async () => {
    await tf.setBackend('cpu');
    await writeImages();
  });
  after(async () => {
    await stopServer({ home });
    rmSync(home, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  });

  test('a model trained on an image dataset serves image files with the local probabilities and class labels; a corrupt file is a 400 naming it', async () => {
    const ds = await lepton.read.images(dir, { size: [10, 10], cache: join(home, 'cache') });
    const model = lepton.models.cnn({ inputShape: [10, 10, 3], filters: [4], dense: 8, classes: 3, seed: 1 });
    await lepton.fit(model, ds, {
      loss: 'sparseCategoricalCrossentropy',
      epochs: 2,
      batchSize: 8,
      seed: 1,
      live: false,
    });
    const deployment = await lepton.deploy(model, { name: 'shapes', home, port: 0 });
    const status = await deployment.status();
    assert.deepEqual(
      [status.meta?.rawInput, status.meta?.classes],
      [{ kind: 'image', size: [10, 10], channels: 3, fit: 'cover' }, ['circle', 'square', 'stripe']],
    );

    const { x } = await ds.tensors();
    const local = (model.predict(x) as tf.Tensor).arraySync() as number[][];
    const served = await deployment.predictImages(ds.paths);
    let most = 0;
    served.forEach((p, i) => {
      for (let c = 0; c < 3; c++) most = Math.max(most, Math.abs(p.probabilities[c]! - local[i]![c]!));
      const best = local[i]!.indexOf(Math.max(...local[i]!));
      assert.equal(p.label, ds.classNames[best]);
      assert.equal(p.probability, p.probabilities[best]);
    });
    assert.ok(most < 1e-5, `served and local probabilities differ by ${most}`);

    // A plain HTTP client: base64 files, one corrupt.
    const files = ds.paths.slice(0, 3).map((p) => readFileSync(p).toString('base64'));
    const corrupt = Buffer.from('GIF89a but not really').toString('base64');
    const post = (data: string[]) =>
      fetch(`${deployment.url}/infer`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          parameters: { lepton_preprocess: true },
          inputs: [{ name: 'images', datatype: 'BYTES', shape: [data.length], data }],
        }),
      });
    const bad = await post([files[0]!, corrupt, files[1]!]);
    assert.equal(bad.status, 400);
    const body = (await bad.json()) as { code: string; error: string; details: { indexes: number[] } };
    assert.deepEqual([body.code, body.details.indexes], ['LEPTON_BAD_IMAGE', [1]]);
    assert.match(body.error, /^Image 1 \(/);
    const good = (await (await post(files)).json()) as { outputs: Array<{ name: string; data: unknown[] }> };
    assert.equal(good.outputs[1]!.name, 'label');
    assert.deepEqual(
      good.outputs[1]!.data,
      served.slice(0, 3).map((p) => p.label),
    );

    // The card's curl example sends an image file; run as shown, it answers the file's label.
    const card = deployment.toJSON();
    assert.deepEqual(card.rawInput, { kind: 'image', input: 'images' });
    const curl = /^ {2}curl: (curl .*)$/m.exec(String(deployment[lepton.displaySymbol]()['text/plain']))![1]!;
    assert.match(curl, /base64 -w0 image\.png/);
    copyFileSync(ds.paths[0]!, join(dir, 'image.png'));
    const shown = JSON.parse(execFileSync('bash', ['-c', curl], { cwd: dir, encoding: 'utf8' })) as {
      outputs: Array<{ name: string; data: unknown[] }>;
    };
    assert.deepEqual(shown.outputs.find((o) => o.name === 'label')?.data, [served[0]!.label]);

    // predictImages: an error naming the bad image, or with onBadImage: 'skip', the others predicted.
    const buffers = [readFileSync(ds.paths[0]!), Buffer.from(corrupt, 'base64'), readFileSync(ds.paths[1]!)];
    await assert.rejects(
      deployment.predictImages(buffers),
      (e: Error & { serverCode?: string }) => e.serverCode === 'LEPTON_BAD_IMAGE' && /Image 1 \(/.test(e.message),
    );
    const skipped = await deployment.predictImages(buffers, { onBadImage: 'skip' });
    assert.deepEqual(
      skipped.map((p) => p.label),
      [served[0]!.label, null, served[1]!.label],
    );
    assert.match(skipped[1]!.error!, /./);
  });
});
