import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { decodeImage, type ImageSpec } from '@lepton/server/preprocess';
import { contentKey } from './cache.js';
import { decodeSmallJpegOffThread, readFileOffThread } from './decode-pool.js';
import { images } from './read.js';

const spec: Pick<ImageSpec, 'size' | 'channels' | 'fit'> = { size: [32, 32], channels: 3, fit: 'cover' };

/** A 256×256 JPEG of ramps and a disc placed by `seed`: read at 1/8 scale, it is already 32×32. */
function photo(seed: number): Promise<Buffer> {
  const pixels = Buffer.alloc(256 * 256 * 3);
  const [cx, cy] = [40 + ((seed * 37) % 170), 40 + ((seed * 91) % 170)];
  for (let y = 0; y < 256; y++) {
    for (let x = 0; x < 256; x++) {
      const disc = (x - cx) ** 2 + (y - cy) ** 2 < 900;
      pixels.set(disc ? [240, 220, 30] : [x, y, (seed * 40) % 256], (y * 256 + x) * 3);
    }
  }
  return sharp(pixels, { raw: { width: 256, height: 256, channels: 3 } })
    .jpeg({ quality: 90 })
    .toBuffer();
}

describe('decoding JPEGs on worker threads', () => {
  let dir: string;
  const files: Buffer[] = [];
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lepton-pool-'));
    for (const [c, name] of ['a', 'b'].entries()) {
      mkdirSync(join(dir, name));
      for (let i = 0; i < 6; i++) {
        const bytes = await photo(c * 6 + i);
        files.push(bytes);
        writeFileSync(join(dir, name, `${i}.jpg`), bytes);
      }
    }
    // A JPEG cut short in its scan: the worker leaves it, sharp refuses it, the dataset skips it.
    writeFileSync(join(dir, 'b', 'cut.jpg'), files[0]!.subarray(0, Math.floor(files[0]!.length * 0.6)));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('gives the pixels decodeImage gives on the calling thread', async () => {
    for (const bytes of files.slice(0, 4)) {
      const offThread = await decodeSmallJpegOffThread(bytes, spec, 64_000_000);
      assert.ok(offThread, 'a 256×256 baseline JPEG is read by the worker');
      assert.deepEqual(offThread, await decodeImage(bytes, spec));
    }
  });

  it('answers each file of a burst larger than a batch with its own pixels, files by path and by bytes mixed', async () => {
    // More files at once than MAX_BATCH a worker: several batches a worker, answered out of order across workers.
    const paths = ['a', 'b'].flatMap((name) => Array.from({ length: 6 }, (_, i) => join(dir, name, `${i}.jpg`)));
    const [byPath, byBytes] = await Promise.all([
      Promise.all(paths.map((path) => readFileOffThread(path, true, spec, 64_000_000))),
      Promise.all(files.map((bytes) => decodeSmallJpegOffThread(bytes, spec, 64_000_000))),
    ]);
    for (const [i, bytes] of files.entries()) {
      const expected = await decodeImage(bytes, spec);
      assert.deepEqual(byBytes[i], expected, `file ${i} sent as bytes`);
      const read = byPath[i];
      assert.ok(read, `file ${i} is read by a worker`);
      assert.deepEqual(read.pixels, expected, `file ${i} sent by path`);
      assert.equal(read.key, contentKey(bytes), `file ${i}'s key`);
    }
  });

  it('leaves to the caller the files sharp must decode: progressive, truncated, over the pixel limit', async () => {
    const progressive = await sharp(files[0]).jpeg({ progressive: true }).toBuffer();
    assert.equal(await decodeSmallJpegOffThread(progressive, spec, 64_000_000), undefined);
    assert.equal(await decodeSmallJpegOffThread(files[0]!.subarray(0, 2000), spec, 64_000_000), undefined);
    assert.equal(await decodeSmallJpegOffThread(files[0]!, spec, 1000), undefined);
  });

  it('reads a file by path on a worker: its stat, the SHA-256 of its bytes, and the pixels decodeImage gives', async () => {
    const path = join(dir, 'a', '0.jpg');
    const read = await readFileOffThread(path, true, spec, 64_000_000);
    assert.ok(read, 'a worker reads the file');
    const { size, mtimeMs } = statSync(path);
    assert.deepEqual([read.size, read.mtimeMs, read.key], [size, mtimeMs, contentKey(files[0]!)]);
    assert.deepEqual(read.pixels, await decodeImage(files[0]!, spec));
    assert.equal(read.bytes, undefined);
  });

  it('hands back the bytes of a file sharp must decode, and nothing for a file it cannot read', async () => {
    const pngPath = join(dir, 'photo.png');
    const png = await sharp(files[1]).png().toBuffer();
    writeFileSync(pngPath, png);
    const read = await readFileOffThread(pngPath, false, spec, 64_000_000);
    assert.ok(read);
    assert.equal(read.pixels, undefined);
    assert.equal(read.key, undefined, 'not hashed unless asked');
    assert.deepEqual(Buffer.from(read.bytes!), png);
    rmSync(pngPath);
    assert.equal(await readFileOffThread(join(dir, 'missing.jpg'), true, spec, 64_000_000), undefined);
  });

  it('fills a dataset in order with the worker-decoded pixels, and skips the truncated file', async () => {
    const ds = await images(dir, { size: [32, 32], cache: false });
    assert.deepEqual(
      ds.skipped.map((s) => s.path.slice(dir.length + 1)),
      ['b/cut.jpg'],
    );
    const { x } = await ds.tensors();
    const got = await x.data();
    x.dispose();
    const length = 32 * 32 * 3;
    for (let i = 0; i < files.length; i++) {
      const want = await decodeImage(files[i]!, spec);
      const mismatch = want.findIndex((v, j) => Math.abs(got[i * length + j]! * 255 - v) > 1e-3);
      assert.equal(mismatch, -1, `image ${i} differs at byte ${mismatch}`);
    }
  });

  it('lets the process exit once the workers are idle', () => {
    // A script that decodes one file and returns: idle workers must not keep it running.
    const script = `import { decodeSmallJpegOffThread } from ${JSON.stringify(new URL('./decode-pool.js', import.meta.url).href)};
      const bytes = Buffer.from(${JSON.stringify(files[0]!.toString('base64'))}, 'base64');
      const pixels = await decodeSmallJpegOffThread(bytes, { size: [32, 32], channels: 3, fit: 'cover' }, 64000000);
      console.log(pixels ? pixels.length : 'none');`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(out.trim(), String(32 * 32 * 3));
  });
});
