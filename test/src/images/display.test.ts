// Image datasets through the real Lepton kernel: reading a folder in a cell gives a front end thumbnails with
// labels, counts per class and the skipped files; a missing folder is an error naming it, and the kernel lives on;
// large JPEGs, read at 1/8 scale on worker threads started from the kernel, give the pixels decodeImage gives.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { decodeImage } from '@lepton/server/preprocess';
import { KernelClient, resultData } from '../support/kernel-client.js';
import { started } from '../support/hooks.js';

describe('an ImageDataset in a real kernel', () => {
  let kernel: KernelClient;
  const home = mkdtempSync(join(tmpdir(), 'lepton-images-kernel-'));
  before(async () => {
    kernel = await KernelClient.start();
  });
  after(() => {
    void started(kernel)?.shutdown();
    rmSync(home, { recursive: true, force: true });
  });

  test('displays thumbnails with their labels, counts per class as bars, and what was skipped', async () => {
    const dir = join(home, 'digits');
    const run = await kernel.execute(
      [
        "import * as fs from 'node:fs';",
        `const dir = lepton.datasets.mnistFolder({ dir: ${JSON.stringify(dir)}, n: 60, seed: 2 });`,
        'fs.writeFileSync(`${dir}/7/bad.jpg`, "not a jpeg");',
        `const ds = await lepton.read.images(dir, { size: [28, 28], channels: 1, cache: ${JSON.stringify(join(home, 'cache'))} });`,
        'ds',
      ].join('\n'),
      { timeout: 120 },
    );
    assert.equal(run.reply.content.status, 'ok', JSON.stringify(run.outputs));
    const data = resultData(run)!;
    assert.match(
      data['text/plain']!,
      /^ImageDataset: 60 images 28×28×1 in 10 classes \(0: \d, 1: \d, .*, 9: \d\); 1 skipped$/,
    );
    const html: string = data['text/html']!;
    assert.equal(
      html.match(/<img src="data:image\/png;base64,iVBORw0KGgo/g)?.length,
      40,
      '4 thumbnails for each of 10 classes',
    );
    for (const digit of ['0', '9']) assert.match(html, new RegExp(`<figcaption[^>]*><b style="">${digit}</b>`));
    assert.equal(
      html.match(/<tr><td style="text-align:right;padding-right:6px">\d<\/td>/g)?.length,
      10,
      'one bar per class',
    );
    assert.match(html, /1 file skipped<\/summary>.*7\/bad\.jpg<\/code>: /s);
  });

  test('reads large JPEGs on worker threads from a cell, to the pixels decodeImage gives here', async () => {
    const dir = join(home, 'photos');
    const files: Buffer[] = [];
    for (const [c, name] of ['a', 'b'].entries()) {
      mkdirSync(join(dir, name), { recursive: true });
      for (let i = 0; i < 3; i++) {
        const pixels = Buffer.alloc(256 * 256 * 3);
        for (let p = 0; p < 256 * 256; p++)
          pixels.set([p % 256, (p >> 8) ^ (c * 90), (i * 70 + (p >> 10)) % 256], p * 3);
        const bytes = await sharp(pixels, { raw: { width: 256, height: 256, channels: 3 } })
          .jpeg({ quality: 90 })
          .toBuffer();
        files.push(bytes);
        writeFileSync(join(dir, name, `${i}.jpg`), bytes);
      }
    }
    const run = await kernel.execute(
      [
        `const photos = await lepton.read.images(${JSON.stringify(dir)}, { size: [32, 32], cache: false });`,
        'const { x: photoPixels } = await photos.tensors();',
        // A digest: a long string would be elided in the display.
        "(await import('node:crypto')).createHash('sha256').update(Uint8Array.from(await photoPixels.data(), (v) => Math.round(v * 255))).digest('hex')",
      ].join('\n'),
      { timeout: 120 },
    );
    assert.equal(run.reply.content.status, 'ok', JSON.stringify(run.outputs));
    const want = createHash('sha256');
    for (const bytes of files) want.update(await decodeImage(bytes, { size: [32, 32], channels: 3, fit: 'cover' }));
    assert.equal(resultData(run)!['text/plain'], `'${want.digest('hex')}'`);
  });

  test('a missing folder is an ImageError naming it, and the kernel keeps running', async () => {
    const run = await kernel.execute(
      `await lepton.read.images(${JSON.stringify(join(home, 'nowhere'))}, { size: [8, 8] })`,
    );
    assert.equal(run.reply.content.status, 'error');
    const error = run.outputs.find((m) => m.msg_type === 'error')!.content;
    assert.equal(error.ename, 'ImageError');
    assert.match(error.evalue!, /nowhere does not exist\. Pass a folder holding one sub-folder of images per class/);
    const after = await kernel.execute('ds.classNames.join()');
    assert.equal(resultData(after)!['text/plain'], "'0,1,2,3,4,5,6,7,8,9'");
  });
});
