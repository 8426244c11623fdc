import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { fitByArea, orient } from './area-resize.js';
import { decodeImage, ImageDecodeError } from './image.js';
import { decodeJpegEighth, readJpegHeader, type SmallImage } from './jpeg-eighth.js';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures');

/** A smooth photo-like image (ramps and a bright disc, nothing clipped at 0 or 255) of `channels` bytes a pixel. */
function smooth(width: number, height: number, channels: 1 | 3) {
  const pixels = Buffer.alloc(width * height * channels);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const disc = (x - width * 0.6) ** 2 + (y - height * 0.4) ** 2 < (Math.min(width, height) / 5) ** 2;
      const colour = disc
        ? [230, 210, 40]
        : [20 + (200 * x) / width, 20 + (200 * y) / height, 220 - (100 * (x + y)) / (width + height)];
      for (let k = 0; k < channels; k++) pixels[(y * width + x) * channels + k] = Math.round(colour[k]!);
    }
  }
  return sharp(pixels, { raw: { width, height, channels } });
}

/** Reads `jpeg` at 1/8 scale; fails the test when the reader leaves it to sharp. */
function eighthOf(jpeg: Uint8Array): SmallImage {
  const header = readJpegHeader(jpeg);
  assert.ok(header, 'the headers are read');
  const eighth = decodeJpegEighth(jpeg, header);
  assert.ok(eighth, 'the scan is read');
  return eighth;
}

/**
 * The largest and the mean difference between `eighth` and libjpeg's full decode of the same file averaged over each
 * 8×8 block (over the pixels inside the image at the right and bottom edges).
 */
async function againstBlockMeans(jpeg: Uint8Array, eighth: SmallImage): Promise<{ worst: number; mean: number }> {
  const decoder = eighth.channels === 1 ? sharp(jpeg).toColourspace('b-w') : sharp(jpeg);
  const { data, info } = await decoder.raw().toBuffer({ resolveWithObject: true });
  assert.equal(info.channels, eighth.channels);
  assert.deepEqual([eighth.width, eighth.height], [Math.ceil(info.width / 8), Math.ceil(info.height / 8)]);
  let worst = 0;
  let sum = 0;
  for (let y = 0; y < eighth.height; y++) {
    for (let x = 0; x < eighth.width; x++) {
      for (let k = 0; k < info.channels; k++) {
        let total = 0;
        let count = 0;
        for (let yy = y * 8; yy < Math.min(info.height, y * 8 + 8); yy++) {
          for (let xx = x * 8; xx < Math.min(info.width, x * 8 + 8); xx++, count++)
            total += data[(yy * info.width + xx) * info.channels + k]!;
        }
        const difference = Math.abs(eighth.pixels[(y * eighth.width + x) * info.channels + k]! - total / count);
        worst = Math.max(worst, difference);
        sum += difference;
      }
    }
  }
  return { worst, mean: sum / eighth.pixels.length };
}

/** `jpeg` without its APP2 segments: sharp writes an ICC profile with EXIF metadata, which sends a file to sharp. */
function withoutIccProfile(jpeg: Buffer): Buffer {
  const parts = [jpeg.subarray(0, 2)];
  let at = 2;
  while (at < jpeg.length) {
    const marker = jpeg[at + 1]!;
    if (marker === 0xda) {
      parts.push(jpeg.subarray(at));
      break;
    }
    const end = at + 2 + ((jpeg[at + 2]! << 8) | jpeg[at + 3]!);
    if (marker !== 0xe2) parts.push(jpeg.subarray(at, end));
    at = end;
  }
  return Buffer.concat(parts);
}

/** Noise photos of assorted sizes and qualities: sharp optimises each file's Huffman tables, so each has new ones. */
async function photosWithTheirOwnTables(count: number): Promise<Buffer[]> {
  const files: Buffer[] = [];
  let state = 7;
  for (let i = 0; i < count; i++) {
    const width = 24 + 8 * (i % 5);
    const noise = Buffer.alloc(width * 32 * 3);
    for (let j = 0; j < noise.length; j++) noise[j] = (state = (Math.imul(state, 1103515245) + 12345) >>> 0) >>> 24;
    files.push(
      await sharp(noise, { raw: { width, height: 32, channels: 3 } })
        .jpeg({ quality: 50 + i, optimiseCoding: true })
        .toBuffer(),
    );
  }
  return files;
}

/** Each Huffman table of `jpeg`'s DHT segments, as a DHT segment of its own that defines table `id` of its class. */
function huffmanTablesAs(jpeg: Buffer, id: number): Buffer[] {
  const segments: Buffer[] = [];
  for (let at = 2; jpeg[at + 1] !== 0xda; at += 2 + ((jpeg[at + 2]! << 8) | jpeg[at + 3]!)) {
    if (jpeg[at + 1] !== 0xc4) continue;
    const end = at + 2 + ((jpeg[at + 2]! << 8) | jpeg[at + 3]!);
    for (let p = at + 4; p < end;) {
      let n = 0;
      for (let i = p + 1; i < p + 17; i++) n += jpeg[i]!;
      const table = Buffer.from(jpeg.subarray(p, p + 17 + n));
      table[0] = (table[0]! & 0xf0) | id;
      segments.push(Buffer.concat([Buffer.from([0xff, 0xc4, 0, 2 + table.length]), table]));
      p += 17 + n;
    }
  }
  return segments;
}

describe('reading a JPEG at 1/8 scale without sharp', () => {
  it('skips blocks that end at their 63rd coefficient without an end-of-block code, and blocks that end early', async () => {
    // Noise at quality 100 fills every coefficient of most blocks (no EOB follows the last one); the stripes leave
    // a few coefficients and an EOB. A reader that expects an EOB after position 63 loses its place in the bits.
    let seed = 1;
    const noise = Buffer.alloc(128 * 64 * 3);
    for (let i = 0; i < noise.length; i++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      noise[i] = 64 + (seed >>> 25);
    }
    const stripes = Buffer.alloc(128 * 64 * 3);
    for (let i = 0; i < stripes.length; i++) stripes[i] = 60 + 40 * (Math.floor(i / 9) % 4);
    for (const [name, pixels] of [
      ['noise', noise],
      ['stripes', stripes],
    ] as const) {
      for (const quality of [75, 100]) {
        const image = () => sharp(pixels, { raw: { width: 128, height: 64, channels: 3 } });
        for (const [kind, jpeg] of [
          ['grey', await image().toColourspace('b-w').jpeg({ quality }).toBuffer()],
          ['4:4:4', await image().jpeg({ quality, chromaSubsampling: '4:4:4' }).toBuffer()],
        ] as const) {
          const { worst, mean } = await againstBlockMeans(jpeg, eighthOf(jpeg));
          assert.ok(
            worst <= 3 && mean <= 0.6,
            `${name} ${kind} q${String(quality)}: ${worst.toFixed(1)}, ${mean.toFixed(2)}`,
          );
        }
      }
    }
  });

  it('gives each 8×8 block the mean of libjpeg’s full decode of it, for 4:2:0, 4:4:4 and grey files of odd sizes', async () => {
    const files: Array<[string, Buffer]> = [];
    for (const [width, height] of [
      [256, 256],
      [263, 197],
    ] as const) {
      for (const quality of [50, 95]) {
        files.push([
          `${width}×${height} 4:2:0 q${quality}`,
          await smooth(width, height, 3).jpeg({ quality, chromaSubsampling: '4:2:0' }).toBuffer(),
        ]);
        files.push([
          `${width}×${height} 4:4:4 q${quality}`,
          await smooth(width, height, 3).jpeg({ quality, chromaSubsampling: '4:4:4' }).toBuffer(),
        ]);
        files.push([
          `${width}×${height} grey q${quality}`,
          await smooth(width, height, 1).toColourspace('b-w').jpeg({ quality }).toBuffer(),
        ]);
      }
    }
    for (const [name, jpeg] of files) {
      const eighth = eighthOf(jpeg);
      assert.equal(eighth.channels, name.includes('grey') ? 1 : 3, name);
      const { worst, mean } = await againstBlockMeans(jpeg, eighth);
      // Subsampled chroma differs most at sharp colour edges: libjpeg upsamples it with a triangle filter, this
      // reader averages each half block exactly (measured: ≤ 10 levels there, means ≤ 0.5).
      const bound = name.includes('4:2:0') ? 12 : 3;
      assert.ok(
        worst <= bound && mean <= 0.6,
        `${name}: largest difference ${worst.toFixed(1)}, mean ${mean.toFixed(2)} levels`,
      );
    }
  });

  it('follows restart markers, within a few levels of the block means', async () => {
    for (const name of ['restart-420.jpg', 'restart-grey.jpg']) {
      const jpeg = readFileSync(join(fixtures, name));
      const header = readJpegHeader(jpeg);
      assert.ok(header && header.frame.restartInterval > 0, `${name} has restart markers`);
      const { worst, mean } = await againstBlockMeans(jpeg, eighthOf(jpeg));
      assert.ok(
        worst <= 6 && mean <= 1.5,
        `${name}: largest difference ${worst.toFixed(1)}, mean ${mean.toFixed(2)} levels`,
      );
    }
  });

  it('refuses a restart segment with bytes left unread before its marker, as a truncated one', () => {
    const jpeg = readFileSync(join(fixtures, 'restart-420.jpg'));
    const header = readJpegHeader(jpeg);
    assert.ok(header);
    const marker = jpeg.indexOf(Buffer.from([0xff, 0xd0]), header.frame.scanStart);
    assert.ok(marker > 0, 'the fixture has an RST0 marker');
    // Eight bytes of stray data: more than the reader's lookahead, so they are never read before the marker.
    const stray = Buffer.concat([jpeg.subarray(0, marker), Buffer.alloc(8, 0x55), jpeg.subarray(marker)]);
    assert.equal(decodeJpegEighth(stray, header), undefined);
    const cut = Buffer.concat([jpeg.subarray(0, marker - 40), jpeg.subarray(marker)]);
    assert.equal(decodeJpegEighth(cut, header), undefined);
  });

  it('reads a scan larger than the reused buffer, and a small file after it, as each on its own', async () => {
    const small = await smooth(96, 64, 3).jpeg({ quality: 90 }).toBuffer();
    const alone = eighthOf(small);
    // Noise at quality 100: well over a megabyte of entropy-coded data, more than the reader keeps between files.
    const noise = Buffer.alloc(1200 * 1200 * 3);
    let state = 1;
    for (let i = 0; i < noise.length; i++) noise[i] = (state = (Math.imul(state, 1103515245) + 12345) >>> 0) >>> 24;
    const large = await sharp(noise, { raw: { width: 1200, height: 1200, channels: 3 } })
      .jpeg({ quality: 100 })
      .toBuffer();
    assert.ok(large.length > 1024 * 1024, `the noisy file holds ${large.length} bytes`);
    const eighth = eighthOf(large);
    assert.deepEqual([eighth.width, eighth.height], [150, 150]);
    const { worst, mean } = await againstBlockMeans(large, eighth);
    assert.ok(worst <= 12 && mean <= 1.5, `largest difference ${worst.toFixed(1)}, mean ${mean.toFixed(2)} levels`);
    assert.deepEqual(eighthOf(small).pixels, alone.pixels);
  });

  it('decodes a header read before other files replaced every table it uses as one read just before', async () => {
    const [first, ...others] = await photosWithTheirOwnTables(41);
    const expected = eighthOf(first!);
    const header = readJpegHeader(first!);
    assert.ok(header);
    // 40 files of four new tables each: more than the reader keeps, so the pool has been refilled since.
    for (const other of others) assert.ok(readJpegHeader(other));
    assert.deepEqual(decodeJpegEighth(first!, header), expected);
  });

  it('reads a file that defines more tables before its scan than the reader keeps, with the tables it uses', async () => {
    const [file, ...others] = await photosWithTheirOwnTables(31);
    const expected = eighthOf(file!);
    // Tables 2 and 3 of each class, which no component uses, defined over and over between the file's own and its scan.
    const unused = others.flatMap((other, i) => huffmanTablesAs(other, 2 + (i % 2)));
    assert.ok(unused.length > 100, `${unused.length} extra tables`);
    const scan = file!.indexOf(Buffer.from([0xff, 0xda]));
    const crowded = Buffer.concat([file!.subarray(0, scan), ...unused, file!.subarray(scan)]);
    assert.deepEqual(eighthOf(crowded), expected);
  });

  it('turns every EXIF orientation upright as sharp does', async () => {
    // 128×64, four flat quadrants: red, green / blue, white. Read for 8×8 pixels, each quadrant stays a 4×4 square.
    const quadrants = [
      [220, 30, 30],
      [30, 200, 30],
      [30, 30, 220],
      [240, 240, 240],
    ];
    const pixels = Buffer.alloc(128 * 64 * 3);
    for (let y = 0; y < 64; y++)
      for (let x = 0; x < 128; x++) pixels.set(quadrants[(y < 32 ? 0 : 2) + (x < 64 ? 0 : 1)]!, (y * 128 + x) * 3);
    for (let orientation = 1; orientation <= 8; orientation++) {
      const stored = await sharp(pixels, { raw: { width: 128, height: 64, channels: 3 } })
        .jpeg({ quality: 95 })
        .withMetadata({ orientation })
        .toBuffer();
      const jpeg = withoutIccProfile(stored);
      assert.equal(readJpegHeader(jpeg)?.orientation, orientation);
      eighthOf(jpeg);
      const fast = await decodeImage(jpeg, { size: [8, 8], channels: 3, fit: 'fill' });
      const reference = await sharp(jpeg).rotate().resize(8, 8, { fit: 'fill' }).raw().toBuffer();
      // The centre of each 4×4 quadrant, away from the edges where the two resizing kernels differ.
      for (const [x, y] of [
        [1, 1],
        [6, 1],
        [1, 6],
        [6, 6],
      ] as const) {
        const at = (y * 8 + x) * 3;
        const got = Array.from(fast.subarray(at, at + 3));
        const want = Array.from(reference.subarray(at, at + 3));
        assert.ok(
          got.every((v, k) => Math.abs(v - want[k]!) <= 8),
          `orientation ${orientation} at (${x}, ${y}): ${got.join(',')} vs sharp's ${want.join(',')}`,
        );
      }
    }
  });

  it('leaves progressive, ICC-tagged and CMYK JPEGs to sharp, and truncated scans too (which sharp refuses)', async () => {
    const photo = smooth(64, 64, 3);
    assert.equal(readJpegHeader(await photo.clone().jpeg({ progressive: true }).toBuffer()), undefined, 'progressive');
    assert.equal(readJpegHeader(await photo.clone().jpeg().withMetadata().toBuffer()), undefined, 'ICC profile');
    assert.equal(readJpegHeader(await photo.clone().toColourspace('cmyk').jpeg().toBuffer()), undefined, 'CMYK');
    assert.equal(readJpegHeader(Buffer.from('not a jpeg at all')), undefined, 'not a JPEG');
    const whole = await smooth(256, 256, 3).jpeg({ quality: 90 }).toBuffer();
    const truncated = whole.subarray(0, Math.floor(whole.length * 0.7));
    const header = readJpegHeader(truncated);
    assert.ok(header, 'the headers of the truncated file are whole');
    assert.equal(decodeJpegEighth(truncated, header), undefined);
    await assert.rejects(decodeImage(truncated, { size: [32, 32], channels: 3, fit: 'cover' }), ImageDecodeError);
  });
});

describe('fitting an image read at 1/8 scale to the asked size', () => {
  const grey = (width: number, height: number, values: number[]): SmallImage => ({
    width,
    height,
    channels: 1,
    pixels: Uint8Array.from(values),
  });

  it('averages each output pixel over the source area it covers, weighted by overlap', () => {
    // 3 pixels into 2: each output pixel covers one and a half source pixels.
    assert.deepEqual(Array.from(fitByArea(grey(3, 1, [0, 100, 200]), [1, 2], 'fill', 1)!), [33, 167]);
    // 'cover' crops the centre: 4×2 into 1×1 averages the middle 2×2.
    assert.deepEqual(Array.from(fitByArea(grey(4, 2, [0, 10, 20, 250, 0, 30, 40, 250]), [1, 1], 'cover', 1)!), [25]);
  });

  it("letterboxes on white with 'contain', repeats grey into RGB, and refuses to enlarge", () => {
    const wide = grey(4, 2, [0, 0, 0, 0, 0, 0, 0, 0]);
    assert.deepEqual(
      Array.from(fitByArea(wide, [4, 4], 'contain', 1)!),
      [255, 255, 255, 255, 0, 0, 0, 0, 0, 0, 0, 0, 255, 255, 255, 255],
    );
    assert.deepEqual(Array.from(fitByArea(grey(2, 1, [10, 30]), [1, 1], 'fill', 3)!), [20, 20, 20]);
    assert.equal(fitByArea(wide, [4, 8], 'fill', 1), undefined);
    assert.equal(
      fitByArea({ width: 1, height: 1, channels: 3, pixels: Uint8Array.from([1, 2, 3]) }, [1, 1], 'fill', 1),
      undefined,
      'colour to grey is sharp’s',
    );
  });

  it('maps each EXIF orientation to the upright image', () => {
    // Stored 3×2: a b c / d e f.
    const stored = grey(3, 2, [1, 2, 3, 4, 5, 6]);
    const upright = (orientation: number) => {
      const image = orient(stored, orientation);
      return `${image.width}×${image.height} ${Array.from(image.pixels).join('')}`;
    };
    assert.deepEqual([1, 2, 3, 4, 5, 6, 7, 8].map(upright), [
      '3×2 123456',
      '3×2 321654',
      '3×2 654321',
      '3×2 456123',
      '2×3 142536',
      '2×3 415263',
      '2×3 635241',
      '2×3 362514',
    ]);
  });
});
