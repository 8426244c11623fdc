// Image datasets through the real Lepton kernel: reading a folder in a cell gives a front end thumbnails with
// labels, counts per class and the skipped files; a missing folder is an error naming it, and the kernel lives on.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KernelClient, resultData } from '../support/kernel-client.js';

describe('an ImageDataset in a real kernel', () => {
  let kernel: KernelClient;
  const home = mkdtempSync(join(tmpdir(), 'lepton-images-kernel-'));
  before(async () => {
    kernel = await KernelClient.start();
  });
  after(() => {
    kernel?.shutdown();
    rmSync(home, { recursive: true, force: true });
  });

  test('displays thumbnails with their labels, counts per class as bars, and what was skipped', async () => {
    const dir = join(home, 'digits');
    const run = await kernel.execute([
      "import * as fs from 'node:fs';",
      `const dir = lepton.datasets.mnistFolder({ dir: ${JSON.stringify(dir)}, n: 60, seed: 2 });`,
      'fs.writeFileSync(`${dir}/7/bad.jpg`, "not a jpeg");',
      `const ds = await lepton.read.images(dir, { size: [28, 28], channels: 1, cache: ${JSON.stringify(join(home, 'cache'))} });`,
      'ds',
    ].join('\n'), { timeout: 120 });
    assert.equal(run.reply.content.status, 'ok', JSON.stringify(run.outputs));
    const data = resultData(run)!;
    assert.match(data['text/plain'], /^ImageDataset: 60 images 28×28×1 in 10 classes \(0: \d, 1: \d, .*, 9: \d\); 1 skipped$/);
    const html: string = data['text/html'];
    assert.equal(html.match(/<img src="data:image\/png;base64,iVBORw0KGgo/g)?.length, 40, '4 thumbnails for each of 10 classes');
    for (const digit of ['0', '9']) assert.match(html, new RegExp(`<figcaption[^>]*><b style="">${digit}</b>`));
    assert.equal(html.match(/<tr><td style="text-align:right;padding-right:6px">\d<\/td>/g)?.length, 10, 'one bar per class');
    assert.match(html, /1 file skipped<\/summary>.*7\/bad\.jpg<\/code>: /s);
  });

  test('a missing folder is an ImageError naming it, and the kernel keeps running', async () => {
    const run = await kernel.execute(`await lepton.read.images(${JSON.stringify(join(home, 'nowhere'))}, { size: [8, 8] })`);
    assert.equal(run.reply.content.status, 'error');
    const error = run.outputs.find((m) => m.msg_type === 'error')!.content;
    assert.equal(error.ename, 'ImageError');
    assert.match(error.evalue, /nowhere does not exist\. Pass a folder holding one sub-folder of images per class/);
    const after = await kernel.execute('ds.classNames.join()');
    assert.equal(resultData(after)!['text/plain'], "'0,1,2,3,4,5,6,7,8,9'");
  });
});
