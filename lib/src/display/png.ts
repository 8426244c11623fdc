/**
 * A small PNG encoder for images made in Node (heatmaps, image grids), so they display as `image/png` without a
 * native or canvas dependency: 8-bit grey, RGB or RGBA, one IDAT chunk deflated with node:zlib.
 */
import { deflateSync } from 'node:zlib';
import { badArgument } from '../core/data-error.js';

/** An 8-bit raster: `width × height` pixels of `channels` bytes each, row by row from the top left. */
export interface Raster {
  width: number;
  height: number;
  /** 1 (grey), 3 (RGB) or 4 (RGBA). */
  channels: 1 | 3 | 4;
  /** `width * height * channels` bytes. */
  data: Uint8Array;
}

/** The 8 bytes every PNG file starts with. */
export const pngSignature = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);

let crcTable: Uint32Array | undefined;

/** CRC-32 (ISO 3309, the one PNG chunks carry) of `bytes`, continuing from `crc` when given. */
export function crc32(bytes: Uint8Array, crc = 0): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = ~crc >>> 0;
  for (let i = 0; i < bytes.length; i++) c = crcTable[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

/** One chunk: length, type, data, and the CRC of type and data. */
function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  out.set(data, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

const colorTypes: Record<Raster['channels'], number> = { 1: 0, 3: 2, 4: 6 };

/**
 * Encodes a raster as a PNG file. Rows use the Up filter: image rows resemble the row above, so it deflates better
 * than no filter at almost no cost.
 * @example writeFileSync('map.png', encodePng({ width: 2, height: 1, channels: 1, data: Uint8Array.of(0, 255) }))
 */
export function encodePng(raster: Raster): Buffer {
  const { width, height, channels, data } = raster;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1)
    throw badArgument(`encodePng: width and height must be positive whole numbers, got ${width}×${height}.`);
  if (!(channels in colorTypes)) throw badArgument(`encodePng: channels must be 1, 3 or 4, got ${channels}.`);
  const stride = width * channels;
  if (data.length !== stride * height)
    throw badArgument(
      `encodePng: a ${width}×${height}×${channels} raster has ${stride * height} bytes, got ${data.length}.`,
    );
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = colorTypes[channels];
  // compression 0, filter 0, interlace 0: the only standard values.
  const filtered = new Uint8Array((stride + 1) * height);
  for (let y = 0; y < height; y++) {
    const at = y * (stride + 1);
    const row = data.subarray(y * stride, (y + 1) * stride);
    if (y === 0) {
      filtered[at] = 0;
      filtered.set(row, at + 1);
      continue;
    }
    filtered[at] = 2;
    const above = y * stride - stride;
    for (let i = 0; i < stride; i++) filtered[at + 1 + i] = (row[i]! - data[above + i]!) & 0xff;
  }
  return Buffer.concat([
    pngSignature,
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(filtered)),
    chunk('IEND', new Uint8Array(0)),
  ]);
}
