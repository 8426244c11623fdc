import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { decodeImage, ImageDecodeError, imageSize } from './image.js';

const raw = (width: number, height: number, channels: 1 | 3 | 4, colour: (x: number, y: number) => number[]) => {
  const out = Buffer.alloc(width * height * channels);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) out.set(colour(x, y), (y * width + x) * channels);
  return sharp(out, { raw: { width, height, channels } });
};
const near = (got: ArrayLike<number>, want: number[], tolerance = 12) =>
  want.every((v, i) => Math.abs(got[i]! - v) <= tolerance);

describe('decodeImage, the one decoder of training and serving', () => {
  it('converts a CMYK JPEG to RGB', async () => {
    const cmyk = await raw(8, 8, 3, () => [220, 20, 20])
      .toColourspace('cmyk')
      .jpeg({ quality: 100 })
      .toBuffer();
    assert.equal((await sharp(cmyk).metadata()).space, 'cmyk');
    const px = await decodeImage(cmyk, { size: [4, 4], channels: 3, fit: 'fill' });
    assert.ok(near(px, [220, 20, 20], 30), `got ${Array.from(px.subarray(0, 3)).join(',')}`);
  });

  it('reads the first frame of an animated GIF', async () => {
    const red = await raw(4, 4, 3, () => [255, 0, 0])
      .raw()
      .toBuffer();
    const blue = await raw(4, 4, 3, () => [0, 0, 255])
      .raw()
      .toBuffer();
    const gif = await sharp(Buffer.concat([red, blue]), { raw: { width: 4, height: 8, channels: 3, pageHeight: 4 } })
      .gif({ loop: 0 })
      .toBuffer();
    assert.equal((await sharp(gif).metadata()).pages, 2);
    const px = await decodeImage(gif, { size: [4, 4], channels: 3, fit: 'fill' });
    assert.ok(near(px, [255, 0, 0]), `got ${Array.from(px.subarray(0, 3)).join(',')}`);
  });

  it("letterboxes on white with fit 'contain', crops with 'cover' and stretches with 'fill'", async () => {
    // 8 wide, 2 tall, black.
    const wide = await raw(8, 2, 3, () => [0, 0, 0])
      .png()
      .toBuffer();
    const contain = await decodeImage(wide, { size: [8, 8], channels: 1, fit: 'contain' });
    assert.deepEqual([contain[0], contain[4 * 8 + 4]], [255, 0], 'white bars above, black in the middle');
    const cover = await decodeImage(wide, { size: [8, 8], channels: 1, fit: 'cover' });
    assert.ok(cover.every((v) => v === 0));
    assert.equal((await decodeImage(wide, { size: [3, 5], channels: 3, fit: 'fill' })).length, 3 * 5 * 3);
  });

  it('decodes a large JPEG at reduced scale (shrink-on-load) within 6 levels of a full decode then resize', async () => {
    // A 256×256 photo-like JPEG read at 32×32: libjpeg decodes it at a fraction of its size before the resize.
    const photo = await raw(256, 256, 3, (x, y) => [x, y, (x + y) >> 1])
      .jpeg({ quality: 90 })
      .toBuffer();
    const fast = await decodeImage(photo, { size: [32, 32], channels: 3, fit: 'cover' });
    const full = await sharp(photo).raw().toBuffer({ resolveWithObject: true });
    const slow = await sharp(full.data, { raw: full.info }).resize(32, 32, { fit: 'cover' }).raw().toBuffer();
    const worst = fast.reduce((m, v, i) => Math.max(m, Math.abs(v - slow[i]!)), 0);
    assert.ok(worst <= 6, `largest difference ${worst} levels`);
  });

  it('reads 16-bit and grey PNGs into 8-bit pixels of the asked channels', async () => {
    const sixteen = await raw(4, 4, 3, () => [0, 128, 255])
      .png()
      .toColourspace('rgb16')
      .toBuffer();
    assert.ok(near(await decodeImage(sixteen, { size: [2, 2], channels: 3, fit: 'fill' }), [0, 128, 255], 2));
    const grey = await raw(4, 4, 1, () => [77])
      .png()
      .toBuffer();
    const rgb = await decodeImage(grey, { size: [2, 2], channels: 3, fit: 'fill' });
    assert.deepEqual(Array.from(rgb.subarray(0, 3)), [77, 77, 77]);
  });

  it('reads the size a file declares, after its EXIF orientation, and refuses what is not an image', async () => {
    const rotated = await raw(8, 4, 3, () => [1, 2, 3])
      .jpeg()
      .withMetadata({ orientation: 6 })
      .toBuffer();
    assert.deepEqual(await imageSize(rotated), { width: 4, height: 8 });
    await assert.rejects(
      decodeImage(Buffer.from('plain text'), { size: [2, 2], channels: 3, fit: 'fill' }),
      ImageDecodeError,
    );
    await assert.rejects(imageSize(Buffer.from('plain text')), ImageDecodeError);
  });
});
