import assert from 'node:assert/strict';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { DataFrame } from '../data/frame.js';
import { getHost, setHost } from '../display/host.js';
import { displaySymbol } from '../display/mime.js';
import { images } from './read.js';

/** Raw RGB(A) pixels: `colour(x, y)` per pixel. */
function raw(width: number, height: number, channels: 3 | 4, colour: (x: number, y: number) => number[]): Buffer {
  const out = Buffer.alloc(width * height * channels);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) out.set(colour(x, y), (y * width + x) * channels);
  return out;
}

const solid = (rgb: number[], width = 10, height = 8) =>
  sharp(
    raw(width, height, 3, () => rgb),
    { raw: { width, height, channels: 3 } },
  );

/** Files of every case under a fresh folder; returns the folder. */
async function makeFolder(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'lepton-images-'));
  const put = async (path: string, bytes: Buffer | Promise<Buffer>) => {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), await bytes);
  };
  await put('red/a.png', solid([255, 0, 0]).png().toBuffer());
  await put('red/b.jpg', solid([255, 0, 0]).jpeg().toBuffer());
  await put('red/c.webp', solid([255, 0, 0]).webp({ lossless: true }).toBuffer());
  await put('red/d.gif', solid([255, 0, 0]).gif().toBuffer());
  await put('red/e.tiff', solid([255, 0, 0]).tiff().toBuffer());
  await put('red/nested/f.avif', solid([255, 0, 0], 16, 16).avif({ lossless: true }).toBuffer());
  await put('blue/a.png', solid([0, 0, 255], 33, 7).png().toBuffer());
  await put('blue/grey.png', solid([40, 40, 40]).grayscale().png().toBuffer());
  // RGBA: fully transparent pixels are flattened on white.
  await put(
    'blue/rgba.png',
    sharp(
      raw(6, 6, 4, () => [0, 0, 255, 0]),
      { raw: { width: 6, height: 6, channels: 4 } },
    )
      .png()
      .toBuffer(),
  );
  // 8 wide, 4 tall, left half red, right half blue, stored with EXIF orientation 6 (shown rotated 90° clockwise).
  await put(
    'blue/rotated.jpg',
    sharp(
      raw(8, 4, 3, (x) => (x < 4 ? [255, 0, 0] : [0, 0, 255])),
      { raw: { width: 8, height: 4, channels: 3 } },
    )
      .jpeg({ quality: 100 })
      .withMetadata({ orientation: 6 })
      .toBuffer(),
  );
  await put('blue/corrupt.jpg', (async () => (await solid([0, 0, 255]).jpeg().toBuffer()).subarray(0, 30))());
  await put('blue/text.jpg', Buffer.from('not an image at all'));
  await put('blue/empty.png', Buffer.alloc(0));
  await put('blue/.DS_Store', Buffer.from('x'));
  await put('blue/notes.txt', Buffer.from('x'));
  await put('README.md', Buffer.from('x'));
  return dir;
}

describe('lepton.read.images', () => {
  let dir: string;
  let cache: string;
  before(async () => {
    dir = await makeFolder();
    cache = mkdtempSync(join(tmpdir(), 'lepton-image-cache-'));
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(cache, { recursive: true, force: true });
  });

  it('reads every format sharp decodes, labels images by sorted class folder, skips bad files with the reason and ignores other files', async () => {
    const ds = await images(dir, { size: [4, 4], cache });
    assert.deepEqual(ds.classNames, ['blue', 'red']);
    assert.deepEqual(ds.counts(), { blue: 4, red: 6 });
    assert.deepEqual(
      ds.skipped.map((s) => s.path.slice(dir.length + 1)),
      ['blue/corrupt.jpg', 'blue/empty.png', 'blue/text.jpg'],
    );
    assert.match(ds.skipped.find((s) => s.path.endsWith('empty.png'))!.reason, /empty/);
    assert.deepEqual(
      ds.ignored.map((p) => p.slice(dir.length + 1)),
      ['README.md', 'blue/.DS_Store', 'blue/notes.txt'],
    );
    const { x, y } = await ds.tensors();
    assert.deepEqual(x.shape, [10, 4, 4, 3]);
    const red = ds.labels
      .map((l, i) => [l, i])
      .filter(([l]) => l === 1)
      .map(([, i]) => i!);
    const pixels = await x.array();
    for (const i of red)
      assert.ok(pixels[i]![2]![2]![0]! > 0.9 && pixels[i]![2]![2]![2]! < 0.1, `${ds.paths[i]} decodes red`);
    assert.deepEqual(Array.from(await y.data()), ds.labels);
    x.dispose();
    y.dispose();
  });

  it('converts grey to RGB and RGB to grey, flattens alpha on white, and applies the EXIF orientation', async () => {
    const ds = await images(dir, { size: [8, 4], fit: 'fill', cache });
    const at = async (name: string) => ds.pixels(ds.paths.findIndex((p) => p.endsWith(name)));
    const grey = await at('grey.png');
    assert.deepEqual([grey[0], grey[1], grey[2]], [40, 40, 40]);
    const rgba = await at('rgba.png');
    assert.deepEqual([rgba[0], rgba[1], rgba[2]], [255, 255, 255]);
    // Rotated upright it is 4 wide and 8 tall: the red half on top.
    const rotated = await at('rotated.jpg');
    const pixel = (row: number) => Array.from(rotated.subarray((row * 4 + 1) * 3, (row * 4 + 1) * 3 + 3));
    assert.ok(pixel(0)[0]! > 200 && pixel(0)[2]! < 60, `top is red: ${pixel(0).join(',')}`);
    assert.ok(pixel(7)[2]! > 200 && pixel(7)[0]! < 60, `bottom is blue: ${pixel(7).join(',')}`);
    const grey1 = await images(dir, { size: [4, 4], channels: 1, cache });
    assert.equal((await grey1.pixels(0)).length, 16);
    const red = await grey1.pixels(grey1.labels.indexOf(1));
    // libvips converts through linear light: red's luminance (0.2126) is about 127 once gamma-encoded.
    assert.ok(Math.abs(red[0]! - 127) < 8, `red in grey is about 127, got ${red[0]}`);
  });

  it('splits each class the same way for the same seed, and differently for another', async () => {
    const a = await images(dir, { size: [4, 4], cache, validationSplit: 0.5, seed: 3 });
    const b = await images(dir, { size: [4, 4], cache, validationSplit: 0.5, seed: 3 });
    assert.deepEqual(a.validation!.paths, b.validation!.paths);
    assert.deepEqual(a.validation!.counts(), { blue: 2, red: 3 });
    assert.equal(a.train.length + a.validation!.length, 10);
    const seeds = await Promise.all(
      [4, 5, 6, 7].map(async (seed) =>
        (await images(dir, { size: [4, 4], cache, validationSplit: 0.5, seed })).validation!.paths.join(),
      ),
    );
    assert.ok(
      seeds.some((p) => p !== a.validation!.paths.join()),
      'another seed gives another split',
    );
  });

  it('reads a stratified, seeded sample of limit files (bad ones among them are skipped)', async () => {
    const ds = await images(dir, { size: [4, 4], cache, limit: 4, seed: 2 });
    assert.equal(ds.counts().red, 2);
    assert.equal(ds.length + ds.skipped.length, 4);
    assert.deepEqual((await images(dir, { size: [4, 4], cache, limit: 4, seed: 2 })).paths, ds.paths);
  });

  it('caches pixels by content and options in one pack per options: reading again appends nothing, other options get their own pack, a torn record is decoded again', async () => {
    const own = mkdtempSync(join(tmpdir(), 'lepton-image-cache-'));
    const packs = () =>
      readdirSync(own, { recursive: true })
        .map(String)
        .filter((f) => f.endsWith('pixels.pack'))
        .sort();
    // A record: the 32-byte content key, 4×4×3 pixel bytes, a 4-byte CRC.
    const records = (pack: string) => statSync(join(own, pack)).size / (32 + 4 * 4 * 3 + 4);
    try {
      const first = await images(dir, { size: [4, 4], cache: own });
      const [pack] = packs();
      assert.equal(packs().length, 1);
      assert.equal(records(pack!), 10);
      await images(dir, { size: [4, 4], cache: own });
      assert.equal(records(pack!), 10);
      await images(dir, { size: [5, 5], cache: own });
      assert.equal(packs().length, 2);
      // Tear the first record, and leave half a record at the end (a crash mid-append): the next read decodes the
      // file again, appends it whole, and its pixels are the same.
      const bytes = readFileSync(join(own, pack!));
      bytes.fill(0, 32, 40);
      writeFileSync(join(own, pack!), Buffer.concat([bytes, Buffer.alloc(30)]));
      const again = await images(dir, { size: [4, 4], cache: own });
      assert.equal(records(pack!), 11);
      for (let i = 0; i < first.length; i++) assert.deepEqual(await again.pixels(i), await first.pixels(i));
    } finally {
      rmSync(own, { recursive: true, force: true });
    }
  });

  it('finds unchanged files by their size and mtime without reading them, and reads a file again once its mtime changes', async () => {
    const own = mkdtempSync(join(tmpdir(), 'lepton-image-cache-'));
    const folder = mkdtempSync(join(tmpdir(), 'lepton-images-stat-'));
    try {
      mkdirSync(join(folder, 'a'));
      const file = join(folder, 'a', 'x.tif');
      // Same size in bytes: uncompressed TIFFs of one size.
      const red = await solid([255, 0, 0]).tiff({ compression: 'none' }).toBuffer();
      const blue = await solid([0, 0, 255]).tiff({ compression: 'none' }).toBuffer();
      assert.equal(red.length, blue.length);
      writeFileSync(file, red);
      const when = new Date('2026-01-02T03:04:05.678Z');
      utimesSync(file, when, when);
      assert.deepEqual(
        [...(await (await images(folder, { size: [2, 2], cache: own })).pixels(0)).subarray(0, 3)],
        [255, 0, 0],
      );
      // New bytes, same size and mtime: the stat index vouches for the old content, so the file is not read.
      writeFileSync(file, blue);
      utimesSync(file, when, when);
      assert.deepEqual(
        [...(await (await images(folder, { size: [2, 2], cache: own })).pixels(0)).subarray(0, 3)],
        [255, 0, 0],
      );
      // A new mtime: read, hashed and decoded again.
      const later = new Date('2026-01-02T03:04:06.678Z');
      utimesSync(file, later, later);
      assert.deepEqual(
        [...(await (await images(folder, { size: [2, 2], cache: own })).pixels(0)).subarray(0, 3)],
        [0, 0, 255],
      );
    } finally {
      rmSync(own, { recursive: true, force: true });
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('needs size when the images differ in size, naming two of them', async () => {
    await assert.rejects(
      images(dir, { cache }),
      (e: Error & { code?: string }) =>
        e.code === 'LEPTON_MIXED_SIZES' && /pass size: \[height, width\]/.test(e.message),
    );
    const same = mkdtempSync(join(tmpdir(), 'lepton-images-'));
    try {
      for (const c of ['a', 'b']) {
        mkdirSync(join(same, c));
        writeFileSync(join(same, c, '1.png'), await solid([1, 2, 3], 5, 3).png().toBuffer());
      }
      assert.deepEqual((await images(same, { cache })).size, [3, 5]);
    } finally {
      rmSync(same, { recursive: true, force: true });
    }
  });

  it("is an error naming the file with onBadFile: 'error'", async () => {
    await assert.rejects(
      images(dir, { size: [4, 4], cache, onBadFile: 'error' }),
      (e: Error & { code?: string }) =>
        e.code === 'LEPTON_BAD_IMAGE' && /blue\/(corrupt|empty|text)\.(jpg|png) could not be decoded/.test(e.message),
    );
  });

  const folders: Array<{ title: string; make: (root: string) => string; code: string; message: RegExp }> = [
    {
      title: 'a missing folder',
      make: (root) => join(root, 'nope'),
      code: 'LEPTON_MISSING_FOLDER',
      message: /nope does not exist\. Pass a folder holding one sub-folder of images per class/,
    },
    {
      title: 'a folder without class folders',
      make: (root) => root,
      code: 'LEPTON_NO_IMAGES',
      message: /has no class sub-folders/,
    },
    {
      title: 'an empty class folder',
      make: (root) => {
        mkdirSync(join(root, 'cats'));
        mkdirSync(join(root, 'dogs'));
        writeFileSync(join(root, 'dogs', 'x.txt'), 'x');
        return root;
      },
      code: 'LEPTON_EMPTY_CLASS',
      message: /The class folder .*cats holds no image files/,
    },
  ];
  for (const c of folders) {
    it(`is an error for ${c.title}, naming it and saying what was expected`, async () => {
      const root = mkdtempSync(join(tmpdir(), 'lepton-images-'));
      try {
        await assert.rejects(
          images(c.make(root), { size: [4, 4], cache }),
          (e: Error & { code?: string }) => e.code === c.code && c.message.test(e.message),
        );
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    });
  }

  it('reads labels from a table of paths', async () => {
    const df = DataFrame.from([
      { file: 'red/a.png', label: 'warm' },
      { file: 'blue/a.png', label: 'cold' },
      { file: 'red/b.jpg', label: 'warm' },
    ]);
    const ds = await images(df, { path: 'file', label: 'label', root: dir, size: [4, 4], cache });
    assert.deepEqual(
      [ds.classNames, ds.labels],
      [
        ['cold', 'warm'],
        [1, 0, 1],
      ],
    );
    await assert.rejects(
      images(df, { path: 'file', label: 'label', size: [4, 4], cache }),
      /red\/a\.png \(from column "file"\) does not exist; pass root/,
    );
  });

  it('streams shuffled batches of the asked size from the disk cache (memory: false), the same order for the same seed', async () => {
    const ds = await images(dir, { size: [4, 4], cache, seed: 1, memory: false });
    const epoch = async () => {
      const labels: number[] = [];
      const sizes: number[] = [];
      await ds.batches(4).forEachAsync(({ xs, ys }) => {
        sizes.push(xs.shape[0]);
        labels.push(...(ys.dataSync() as Float32Array));
        xs.dispose();
        ys.dispose();
      });
      return { labels, sizes };
    };
    const a = await epoch();
    assert.deepEqual(a.sizes, [4, 4, 2]);
    assert.deepEqual([...a.labels].sort(), [...ds.labels].sort());
    const b = await epoch();
    assert.deepEqual(b.labels.length, 10);
    const again = await images(dir, { size: [4, 4], cache, seed: 1, memory: false });
    const c: number[] = [];
    await again.batches(4).forEachAsync(({ xs, ys }) => {
      c.push(...(ys.dataSync() as Float32Array));
      tf.dispose([xs, ys]);
    });
    assert.deepEqual(c, a.labels, 'the same seed gives the same first epoch');
    const inMemory = await images(dir, { size: [4, 4], cache, seed: 1 });
    assert.deepEqual(await inMemory.pixels(3), await ds.pixels(3), 'pixels held in memory equal the cached ones');
  });

  it('stops decoding when the cell is interrupted', async () => {
    const host = getHost();
    setHost({ ...host, signal: () => AbortSignal.abort(new Error('Interrupted by the user.')) });
    try {
      await assert.rejects(images(dir, { size: [6, 6], cache: false }), /Interrupted by the user/);
    } finally {
      setHost(host);
    }
  });

  it('displays thumbnails with labels, counts per class and the skipped files', async () => {
    const ds = await images(dir, { size: [4, 4], cache });
    const bundle = ds[displaySymbol]();
    const html = bundle['text/html'] as string;
    assert.equal((html.match(/<img src="data:image\/png;base64,/g) ?? []).length, 8);
    assert.match(html, /<b style="">red<\/b>/);
    assert.match(html, /3 files skipped/);
    assert.match(html, /corrupt\.jpg<\/code>: /);
    assert.match(
      bundle['text/plain'] as string,
      /ImageDataset: 10 images 4×4×3 in 2 classes \(blue: 4, red: 6\); 3 skipped; 3 ignored/,
    );
  });
});
