/**
 * The one implementation of "image file bytes → model pixels", shared by training (`lepton.read.images`) and
 * serving (a deployment's `rawInput` of kind `image`): decode with sharp (JPEG, PNG, WebP, GIF's first frame,
 * TIFF, AVIF), apply the EXIF orientation, flatten alpha on white, convert to the asked channels, resize to
 * `size` as `fit` says. Pixels are bytes (0–255), row by row, channels last; models see them scaled by
 * `PIXEL_SCALE` into [0, 1]. Training and serving read the same bytes through the same calls, so a served
 * model sees exactly what it was trained on.
 */
import { errors } from '../errors.js';
import { fitByArea, orient } from './area-resize.js';
import { decodeJpegEighth, readJpegHeader } from './jpeg-eighth.js';

/** How an image is fitted to the asked size (sharp's names): crop to fill, letterbox on white, or stretch. */
export type ImageFit = 'cover' | 'contain' | 'fill';

/** The fits `decodeImage` knows. */
export const IMAGE_FITS: readonly ImageFit[] = ['cover', 'contain', 'fill'];

/** How images become a model's input: `[height, width]`, channels (1 grey, 3 RGB), and the fit. */
export interface ImageSpec {
  /** The kind of raw input (`image`). */
  kind: 'image';
  /** `[height, width]` in pixels. */
  size: [number, number];
  /** 1 (grey) or 3 (RGB). */
  channels: 1 | 3;
  /** How images of another aspect ratio are fitted (default `cover`). */
  fit: ImageFit;
}

/**
 * The most pixels a file may declare before it is refused undecoded (a decompression bomb: a small file that
 * expands to gigabytes). 64 megapixels passes any camera photo.
 */
export const MAX_INPUT_PIXELS = 64_000_000;

/** The factor from pixel bytes to model inputs: `value = byte * PIXEL_SCALE`, in [0, 1]. */
export const PIXEL_SCALE = 1 / 255;

/** Why one image could not be decoded (the file's bytes are not an image sharp reads, or too large). */
export class ImageDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImageDecodeError';
  }
}

/** Options of `decodeImage`. */
export interface DecodeOptions {
  /** Refuse files declaring more pixels than this (default `MAX_INPUT_PIXELS`). */
  maxPixels?: number;
}

/** A decoded image at its own size: what `imageSize` reads from a header. */
export interface ImageHeader {
  width: number;
  height: number;
}

type Sharp = typeof import('sharp').default;
let sharpModule: Promise<Sharp> | undefined;

/** sharp, loaded on first use: its native library is only paid for by those who decode images. */
function loadSharp(): Promise<Sharp> {
  sharpModule ??= import('sharp').then(({ default: sharp }) => {
    // Many images decode at once on libuv's pool: one libvips thread per image keeps them from oversubscribing the cores.
    sharp.concurrency(1);
    // Decoded files are not revisited: libvips's operation cache only holds memory.
    sharp.cache(false);
    return sharp;
  });
  return sharpModule;
}

/**
 * Checks a spec given at deploy (or read from `meta.json`); returns it with defaults filled in. Throws
 * `LEPTON_BAD_META` naming the field.
 */
export function parseImageSpec(value: unknown): ImageSpec {
  // Deploy JSON or meta.json: each field is checked below before it is trusted.
  const spec = value as { [K in keyof ImageSpec]?: unknown } | null;
  if (typeof spec !== 'object' || spec === null)
    throw errors.badMeta(
      'rawInput of kind "image" must be an object { kind: "image", size: [height, width], channels, fit }.',
    );
  const size = spec.size;
  if (
    !Array.isArray(size) ||
    size.length !== 2 ||
    !size.every((d): d is number => Number.isInteger(d) && (d as number) >= 1 && (d as number) <= 4096)
  ) {
    throw errors.badMeta(
      `rawInput.size must be [height, width], whole numbers in 1..4096 (got ${JSON.stringify(size)}).`,
    );
  }
  const channels = spec.channels ?? 3;
  if (channels !== 1 && channels !== 3)
    throw errors.badMeta(`rawInput.channels must be 1 or 3 (got ${JSON.stringify(channels)}).`);
  const fit = spec.fit ?? 'cover';
  if (!isImageFit(fit))
    throw errors.badMeta(`rawInput.fit must be one of ${IMAGE_FITS.join(', ')} (got ${JSON.stringify(fit)}).`);
  return { kind: 'image', size: [size[0]!, size[1]!], channels, fit };
}

function isImageFit(fit: unknown): fit is ImageFit {
  return (IMAGE_FITS as readonly unknown[]).includes(fit);
}

/** A readable reason from sharp's message ("Input buffer contains unsupported image format" and the like). */
function reasonOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (/pixel limit/i.test(message)) return message;
  return message.split('\n')[0]!.replace(/^Input (buffer|file) /, 'the file ');
}

/** The width and height an image file declares (after its EXIF orientation); throws `ImageDecodeError`. */
export async function imageSize(bytes: Uint8Array, options: DecodeOptions = {}): Promise<ImageHeader> {
  const sharp = await loadSharp();
  try {
    const meta = await sharp(bytes, {
      limitInputPixels: options.maxPixels ?? MAX_INPUT_PIXELS,
      failOn: 'error',
    }).metadata();
    if (!meta.width || !meta.height) throw new ImageDecodeError('the file has no image size');
    // Orientations 5–8 swap width and height.
    const swapped = (meta.orientation ?? 1) >= 5;
    return swapped ? { width: meta.height, height: meta.width } : { width: meta.width, height: meta.height };
  } catch (error) {
    if (error instanceof ImageDecodeError) throw error;
    throw new ImageDecodeError(reasonOf(error));
  }
}

/**
 * Decodes an image file's bytes into `spec.size` pixels of `spec.channels` bytes each (row by row from the top
 * left, channels last). A JPEG at least 8 times the asked size (up to `SMALL_JPEG_BYTES`) is read at 1/8 scale in
 * JavaScript, each output pixel an area average of block means; every other file is decoded by sharp on libuv's
 * thread pool, off the calling thread. Throws `ImageDecodeError` with the
 * reason for bytes that are not an image sharp reads, a truncated file, or more than `maxPixels` pixels.
 */
export async function decodeImage(
  bytes: Uint8Array,
  spec: Pick<ImageSpec, 'size' | 'channels' | 'fit'>,
  options: DecodeOptions = {},
): Promise<Uint8Array> {
  const small = decodeSmallJpeg(bytes, spec, options.maxPixels ?? MAX_INPUT_PIXELS);
  if (small) return small;
  const sharp = await loadSharp();
  const [height, width] = spec.size;
  let result: { data: Buffer; info: { channels: number; width: number; height: number } };
  try {
    const white = { r: 255, g: 255, b: 255 };
    let pipeline = sharp(bytes, { limitInputPixels: options.maxPixels ?? MAX_INPUT_PIXELS, failOn: 'error', pages: 1 })
      .rotate()
      .flatten({ background: white })
      .resize(width, height, { fit: spec.fit, background: white });
    pipeline = spec.channels === 1 ? pipeline.grayscale() : pipeline.toColourspace('srgb');
    result = await pipeline.removeAlpha().raw().toBuffer({ resolveWithObject: true });
  } catch (error) {
    throw new ImageDecodeError(reasonOf(error));
  }
  const { data, info } = result;
  if (info.width !== width || info.height !== height || info.channels !== spec.channels) {
    throw new ImageDecodeError(
      `decoded to ${info.width}×${info.height}×${info.channels}, not ${width}×${height}×${spec.channels}`,
    );
  }
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/**
 * JPEG files up to this size may be read at 1/8 scale in JavaScript (on the calling thread): 256 KB of entropy data
 * decodes in ~2 ms there, so a kernel stays responsive between files; larger ones go to sharp on libuv's pool.
 */
export const SMALL_JPEG_BYTES = 256 * 1024;

/**
 * The pixels of a JPEG whose eighth-scale image (the mean of each 8×8 block) already covers `spec.size`: read
 * without sharp, whose fixed cost per call is ten times that of reading such a file. Undefined whenever sharp must
 * decode it (not a JPEG read here, the target larger than 1/8 of the image, colour to grey, a corrupt scan, more
 * than `maxPixels`), so that sharp decides every other case and reports every error. Synchronous, so that a
 * worker thread can run it (`lepton.read.images` does); `decodeImage` tries it first.
 */
export function decodeSmallJpeg(
  bytes: Uint8Array,
  spec: Pick<ImageSpec, 'size' | 'channels' | 'fit'>,
  maxPixels = MAX_INPUT_PIXELS,
): Uint8Array | undefined {
  if (bytes.length > SMALL_JPEG_BYTES || !isJpeg(bytes)) return undefined;
  const header = readJpegHeader(bytes);
  if (!header || header.width * header.height > maxPixels) return undefined;
  if (header.components === 3 && spec.channels === 1) return undefined;
  // Shown upright, the eighth-scale image must be at least the target in both directions (fit 'contain': in one).
  const swapped = header.orientation >= 5;
  const eighthWidth = Math.ceil((swapped ? header.height : header.width) / 8);
  const eighthHeight = Math.ceil((swapped ? header.width : header.height) / 8);
  const [height, width] = spec.size;
  const large =
    spec.fit === 'contain'
      ? eighthWidth >= width || eighthHeight >= height
      : eighthWidth >= width && eighthHeight >= height;
  if (!large) return undefined;
  const eighth = decodeJpegEighth(bytes, header);
  return eighth && fitByArea(orient(eighth, header.orientation), spec.size, spec.fit, spec.channels);
}

/** Whether `bytes` start as a JPEG file does (SOI, then a marker): a cheap test before any parsing. */
export function isJpeg(bytes: Uint8Array): boolean {
  return bytes.length > 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
}

/** Pixel bytes scaled into [0, 1] floats (`PIXEL_SCALE`), into `out` at `offset` when given. */
export function pixelsToFloat(pixels: Uint8Array, out = new Float32Array(pixels.length), offset = 0): Float32Array {
  for (let i = 0; i < pixels.length; i++) out[offset + i] = pixels[i]! * PIXEL_SCALE;
  return out;
}
