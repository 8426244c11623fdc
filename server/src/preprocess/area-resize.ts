/**
 * Orienting and shrinking small pixel images in JavaScript, for images that `jpeg-eighth.ts` has already read at 1/8
 * scale: the EXIF orientation as an exact remapping of pixels, and the fits of `decodeImage` (`cover` crops the
 * centre, `contain` letterboxes on white, `fill` stretches) as an area average — each output pixel is the mean of the
 * source area it covers, weighted by overlap. Only shrinking is done here (an average over one or more source
 * pixels); a fit that would enlarge returns undefined, and the caller decodes the file at full size with sharp.
 */
import type { SmallImage } from './jpeg-eighth.js';
import type { ImageFit } from './image.js';

/**
 * `image` turned upright by EXIF orientation `orientation` (1 upright, 2 mirrored, 3 upside down, 4 flipped, 5
 * transposed, 6 turned 90° clockwise to be upright, 7 transversed, 8 turned 90° anticlockwise).
 */
export function orient(image: SmallImage, orientation: number): SmallImage {
  if (orientation <= 1 || orientation > 8) return image;
  const { width: sw, height: sh, channels } = image;
  const swapped = orientation >= 5;
  const width = swapped ? sh : sw;
  const height = swapped ? sw : sh;
  const pixels = new Uint8Array(image.pixels.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      // The stored pixel shown at (x, y).
      let sx: number;
      let sy: number;
      switch (orientation) {
        case 2:
          sx = sw - 1 - x;
          sy = y;
          break;
        case 3:
          sx = sw - 1 - x;
          sy = sh - 1 - y;
          break;
        case 4:
          sx = x;
          sy = sh - 1 - y;
          break;
        case 5:
          sx = y;
          sy = x;
          break;
        case 6:
          sx = y;
          sy = sh - 1 - x;
          break;
        case 7:
          sx = sw - 1 - y;
          sy = sh - 1 - x;
          break;
        default:
          sx = sw - 1 - y;
          sy = x;
          break; // 8
      }
      const from = (sy * sw + sx) * channels;
      const to = (y * width + x) * channels;
      for (let k = 0; k < channels; k++) pixels[to + k] = image.pixels[from + k]!;
    }
  }
  return { width, height, channels, pixels };
}

/** For each output index along one axis: the first source index it averages and the weight of each one. */
interface AxisWeights {
  first: Int32Array;
  weights: Float32Array[];
}

/** Area weights mapping the source span [start, start + span) onto `out` pixels (span ≥ out: a shrink). */
function axisWeights(start: number, span: number, out: number): AxisWeights {
  const step = span / out;
  const first = new Int32Array(out);
  const weights: Float32Array[] = [];
  for (let i = 0; i < out; i++) {
    const lo = start + i * step;
    const hi = lo + step;
    const j0 = Math.floor(lo);
    const j1 = Math.ceil(hi - 1e-9);
    const w = new Float32Array(j1 - j0);
    for (let j = j0; j < j1; j++) w[j - j0] = (Math.min(hi, j + 1) - Math.max(lo, j)) / step;
    first[i] = j0;
    weights.push(w);
  }
  return { first, weights };
}

/** The area average of the region (x0, y0, spanX, spanY) of `image` at width × height: separable, rows first. */
function shrinkRegion(
  image: SmallImage,
  x0: number,
  y0: number,
  spanX: number,
  spanY: number,
  width: number,
  height: number,
): Float32Array {
  const { channels, pixels, width: sw } = image;
  const xs = axisWeights(x0, spanX, width);
  const ys = axisWeights(y0, spanY, height);
  const rowsFrom = ys.first[0]!;
  const rowsTo = ys.first[height - 1]! + ys.weights[height - 1]!.length;
  // Every source row the output needs, shrunk along x.
  const rows = new Float32Array((rowsTo - rowsFrom) * width * channels);
  for (let sy = rowsFrom; sy < rowsTo; sy++) {
    for (let x = 0; x < width; x++) {
      const w = xs.weights[x]!;
      const base = (sy * sw + xs.first[x]!) * channels;
      const to = ((sy - rowsFrom) * width + x) * channels;
      for (let k = 0; k < channels; k++) {
        let sum = 0;
        for (let j = 0; j < w.length; j++) sum += pixels[base + j * channels + k]! * w[j]!;
        rows[to + k] = sum;
      }
    }
  }
  const out = new Float32Array(width * height * channels);
  const stride = width * channels;
  for (let y = 0; y < height; y++) {
    const w = ys.weights[y]!;
    const base = (ys.first[y]! - rowsFrom) * stride;
    for (let i = 0; i < stride; i++) {
      let sum = 0;
      for (let j = 0; j < w.length; j++) sum += rows[base + j * stride + i]! * w[j]!;
      out[y * stride + i] = sum;
    }
  }
  return out;
}

/**
 * `image` fitted to `size` ([height, width]) as `fit` says, with `channels` bytes per pixel (grey is repeated into
 * RGB); undefined when the fit would enlarge the image or drop colour (the caller asks sharp instead).
 */
export function fitByArea(
  image: SmallImage,
  size: readonly [number, number],
  fit: ImageFit,
  channels: 1 | 3,
): Uint8Array | undefined {
  const [height, width] = size;
  const { width: sw, height: sh } = image;
  if (image.channels === 3 && channels === 1) return undefined;
  // Already the asked size (a 256×256 photo read at 1/8 for 32×32): every fit keeps the pixels as they are.
  if (sw === width && sh === height && image.channels === channels) return image.pixels;
  let shrunk: Float32Array;
  let inner: [number, number];
  if (fit === 'fill') {
    if (width > sw || height > sh) return undefined;
    shrunk = shrinkRegion(image, 0, 0, sw, sh, width, height);
    inner = [width, height];
  } else if (fit === 'cover') {
    // The centred region of the target's aspect ratio, as large as the image allows.
    const spanX = Math.min(sw, (sh * width) / height);
    const spanY = Math.min(sh, (sw * height) / width);
    if (width > spanX + 1e-9 || height > spanY + 1e-9) return undefined;
    shrunk = shrinkRegion(image, (sw - spanX) / 2, (sh - spanY) / 2, spanX, spanY, width, height);
    inner = [width, height];
  } else {
    const scale = Math.min(width / sw, height / sh);
    if (scale > 1) return undefined;
    inner = [
      Math.max(1, Math.min(width, Math.round(sw * scale))),
      Math.max(1, Math.min(height, Math.round(sh * scale))),
    ];
    shrunk = shrinkRegion(image, 0, 0, sw, sh, inner[0], inner[1]);
  }
  const out = new Uint8Array(width * height * channels).fill(255);
  const left = (width - inner[0]) >> 1;
  const top = (height - inner[1]) >> 1;
  const from = image.channels;
  for (let y = 0; y < inner[1]; y++) {
    for (let x = 0; x < inner[0]; x++) {
      const s = (y * inner[0] + x) * from;
      const o = ((y + top) * width + x + left) * channels;
      for (let k = 0; k < channels; k++) {
        const v = shrunk[s + (from === 1 ? 0 : k)]!;
        out[o + k] = v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v);
      }
    }
  }
  return out;
}
