import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inflateSync } from 'node:zlib';
import { crc32, encodePng, pngSignature, type Raster } from './png.js';

/** A PNG decoder independent of the encoder: chunks with their CRCs checked, IDAT inflated, all five filters undone. */
function decodePng(file: Buffer): Raster & { chunks: string[] } {
  assert.deepEqual(file.subarray(0, 8), Buffer.from(pngSignature), 'signature');
  const chunks: string[] = [];
  const idat: Buffer[] = [];
  let header: Buffer | undefined;
  for (let at = 8; at < file.length;) {
    const length = file.readUInt32BE(at);
    const type = file.toString('latin1', at + 4, at + 8);
    const data = file.subarray(at + 8, at + 8 + length);
    assert.equal(file.readUInt32BE(at + 8 + length), crc32(file.subarray(at + 4, at + 8 + length)), `CRC of ${type}`);
    chunks.push(type);
    if (type === 'IHDR') header = data;
    if (type === 'IDAT') idat.push(data);
    at += 12 + length;
  }
  assert.ok(header);
  const width = header.readUInt32BE(0);
  const height = header.readUInt32BE(4);
  assert.equal(header[8], 8, 'bit depth');
  const channels = ({ 0: 1, 2: 3, 6: 4 } as const)[header[9] as 0 | 2 | 6];
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  assert.equal(raw.length, (stride + 1) * height);
  const out = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    for (let i = 0; i < stride; i++) {
      const x = raw[y * (stride + 1) + 1 + i]!;
      const a = i >= channels ? out[y * stride + i - channels]! : 0;
      const b = y > 0 ? out[(y - 1) * stride + i]! : 0;
      const c = i >= channels && y > 0 ? out[(y - 1) * stride + i - channels]! : 0;
      const p = a + b - c;
      const paeth =
        Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c)
          ? a
          : Math.abs(p - b) <= Math.abs(p - c)
            ? b
            : c;
      const predictor = [0, a, b, (a + b) >> 1, paeth][filter];
      assert.notEqual(predictor, undefined, `filter ${filter}`);
      out[y * stride + i] = (x + predictor!) & 0xff;
    }
  }
  return { width, height, channels, data: out, chunks };
}

test('crc32 matches the standard check value', () => {
  assert.equal(crc32(new TextEncoder().encode('123456789')), 0xcbf43926);
  assert.equal(crc32(new TextEncoder().encode('IEND')), 0xae426082);
});

for (const channels of [1, 3, 4] as const) {
  test(`a ${channels}-channel raster round-trips through encodePng and a decoder, pixel for pixel`, () => {
    const [width, height] = [7, 5];
    const data = Uint8Array.from({ length: width * height * channels }, (_, i) => (i * 37 + (i >> 3) * 11) & 0xff);
    const decoded = decodePng(encodePng({ width, height, channels, data }));
    assert.deepEqual(decoded.chunks, ['IHDR', 'IDAT', 'IEND']);
    assert.equal(decoded.width, width);
    assert.equal(decoded.height, height);
    assert.equal(decoded.channels, channels);
    assert.deepEqual(decoded.data, data);
  });
}

test('encodePng refuses a raster whose bytes do not match its size', () => {
  assert.throws(
    () => encodePng({ width: 2, height: 2, channels: 3, data: new Uint8Array(11) }),
    /2×2×3 raster has 12 bytes, got 11/,
  );
  assert.throws(
    () => encodePng({ width: 0, height: 2, channels: 1, data: new Uint8Array(0) }),
    /positive whole numbers/,
  );
  assert.throws(
    () => encodePng({ width: 1, height: 1, channels: 2 as 1, data: new Uint8Array(2) }),
    /channels must be 1, 3 or 4/,
  );
});
