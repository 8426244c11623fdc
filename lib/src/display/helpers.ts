/**
 * The bundles of the one-line display helpers (`display.html`, `display.png`, …): each checks its input and names
 * the problem and the fix when it cannot be shown.
 */
import { readFileSync } from 'node:fs';
import { DisplayError } from './errors.js';
import { isTensorLike, tensorRaster, type TensorLike } from './image.js';
import type { MimeBundle } from './mime.js';
import { encodePng, pngSignature } from './png.js';

/** A bundle and the metadata that goes with it (image sizes). */
export interface Shown {
  bundle: MimeBundle;
  metadata?: Record<string, unknown> | undefined;
}

/** Image options. */
export interface ImageOptions {
  /** The width to show the image at, in CSS pixels (small images are scaled up, pixelated). */
  width?: number;
}

/** Bytes, or a file path to read them from. */
export type ImageSource = Uint8Array | string;

function bad(helper: string, problem: string): DisplayError {
  return new DisplayError('LEPTON_DISPLAY_BAD_INPUT', `display.${helper}: ${problem}`);
}

function text(helper: string, value: unknown, what: string): string {
  if (typeof value !== 'string')
    throw bad(helper, `expects ${what} as a string, got ${value === null ? 'null' : typeof value}.`);
  return value;
}

/** `text/html`. */
export function htmlBundle(html: unknown): Shown {
  const source = text('html', html, 'HTML');
  return { bundle: { 'text/html': source, 'text/plain': source } };
}

/** `text/markdown`. */
export function markdownBundle(markdown: unknown): Shown {
  const source = text('markdown', markdown, 'Markdown');
  return { bundle: { 'text/markdown': source, 'text/plain': source } };
}

/** `image/svg+xml`. */
export function svgBundle(svg: unknown): Shown {
  const source = text('svg', svg, 'SVG markup');
  if (!/<svg[\s>]/i.test(source))
    throw bad(
      'svg',
      'the text has no <svg> element: pass SVG markup such as \'<svg xmlns="http://www.w3.org/2000/svg" …>…</svg>\'.',
    );
  return { bundle: { 'image/svg+xml': source, 'text/plain': '<SVG image>' } };
}

/** `text/latex`; text without math delimiters is shown as display math. */
export function latexBundle(latex: unknown): Shown {
  const source = text('latex', latex, 'LaTeX');
  const delimited = /^\s*(\$|\\\[|\\\(|\\begin\{)/.test(source) ? source : `$$${source}$$`;
  return { bundle: { 'text/latex': delimited, 'text/plain': source } };
}

/** `application/json`, with the indented text as text/plain. */
export function jsonBundle(value: unknown): Shown {
  let serialised: string | undefined;
  try {
    serialised = JSON.stringify(value, null, 2);
  } catch (error) {
    throw bad(
      'json',
      `the value cannot be written as JSON (${(error as Error).message}): pass plain objects, arrays, strings, numbers and booleans.`,
    );
  }
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- the lib types say string, but JSON.stringify returns undefined for functions, symbols and undefined.
  if (serialised === undefined)
    throw bad(
      'json',
      `${typeof value} values have no JSON form: pass an object, array, string, number, boolean or null.`,
    );
  return { bundle: { 'application/json': JSON.parse(serialised) as unknown, 'text/plain': serialised } };
}

/** The image formats recognised by their first bytes. */
const formats = [
  { mime: 'image/png', name: 'PNG', magic: pngSignature },
  { mime: 'image/jpeg', name: 'JPEG', magic: Uint8Array.of(0xff, 0xd8, 0xff) },
  { mime: 'image/gif', name: 'GIF', magic: Uint8Array.of(0x47, 0x49, 0x46, 0x38) },
] as const;

type Format = (typeof formats)[number];

function formatOf(bytes: Uint8Array): Format | undefined {
  return formats.find((format) => format.magic.every((byte, i) => bytes[i] === byte));
}

function readBytes(helper: string, source: ImageSource): Uint8Array {
  if (source instanceof Uint8Array) return source;
  if (typeof source !== 'string') throw bad(helper, 'expects image bytes (a Buffer or Uint8Array) or a file path.');
  try {
    return readFileSync(source);
  } catch (error) {
    throw new DisplayError(
      'LEPTON_DISPLAY_READ',
      `display.${helper}: cannot read ${JSON.stringify(source)} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}): check the path; relative paths start at the notebook's folder.`,
      { cause: error },
    );
  }
}

/** The pixel size of a PNG (from IHDR) or undefined. */
function pngSize(bytes: Uint8Array): { width: number; height: number } | undefined {
  if (bytes.length < 24) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

function imageShown(
  bytes: Uint8Array,
  format: Format,
  options: ImageOptions = {},
  size = format.mime === 'image/png' ? pngSize(bytes) : undefined,
): Shown {
  const width = options.width;
  if (width !== undefined && !(Number.isFinite(width) && width > 0))
    throw new DisplayError(
      'LEPTON_DISPLAY_BAD_INPUT',
      `display: width must be a positive number of pixels, got ${width}.`,
    );
  const metadata = width === undefined ? undefined : { [format.mime]: { width } };
  const label = size ? `<${format.name} image ${size.width}×${size.height}>` : `<${format.name} image>`;
  return { bundle: { [format.mime]: Buffer.from(bytes).toString('base64'), 'text/plain': label }, metadata };
}

/** An image file or bytes of one exact format (`display.png`, `display.jpeg`). */
export function encodedImageBundle(helper: 'png' | 'jpeg', source: ImageSource, options?: ImageOptions): Shown {
  const bytes = readBytes(helper, source);
  const format = formatOf(bytes);
  const wanted = formats.find((f) => f.mime === `image/${helper}`)!;
  if (format !== wanted) {
    throw bad(
      helper,
      `the bytes are ${format ? `a ${format.name} image: use display.image, which takes any format` : `not a ${wanted.name} image`} (they start with ${[...bytes.subarray(0, 4)].map((b) => b.toString(16).padStart(2, '0')).join(' ')}).`,
    );
  }
  return imageShown(bytes, format, options);
}

/** A tensor (encoded as PNG), or an image file or bytes in PNG, JPEG or GIF (`display.image`). */
export function imageBundle(source: TensorLike | ImageSource, options?: ImageOptions): Shown {
  if (isTensorLike(source)) {
    const raster = tensorRaster(source);
    return imageShown(encodePng(raster), formats[0], options, raster);
  }
  const bytes = readBytes('image', source);
  const format = formatOf(bytes);
  if (!format)
    throw bad('image', 'the bytes are not a PNG, JPEG or GIF image; pass a tensor, or such a file or its bytes.');
  return imageShown(bytes, format, options);
}
