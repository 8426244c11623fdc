/**
 * Heatmaps drawn over images, as 8-bit RGB rasters: a perceptual colormap (inferno) alpha-blended over the input
 * shown in grey or colour, upscaled by whole pixels so that small images (28×28 digits) stay legible.
 */
import type { Raster } from '../display/png.js';

/** Inferno (matplotlib's perceptually uniform map) sampled at 9 even stops; values between are interpolated. */
const inferno: readonly (readonly [number, number, number])[] = [
  [0, 0, 4],
  [31, 12, 72],
  [85, 15, 109],
  [136, 34, 106],
  [186, 54, 85],
  [227, 89, 51],
  [249, 140, 10],
  [249, 201, 50],
  [252, 255, 164],
];

/** The inferno colour of `v` in [0, 1] (clamped). */
export function infernoColor(v: number): [number, number, number] {
  const t = Math.min(1, Math.max(0, Number.isFinite(v) ? v : 0)) * (inferno.length - 1);
  const i = Math.min(inferno.length - 2, Math.floor(t));
  const f = t - i;
  const [a, b] = [inferno[i]!, inferno[i + 1]!];
  return [a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, a[2] + (b[2] - a[2]) * f];
}

/** One image and its heatmap, as read from tensors. */
export interface OverlayInput {
  /** Pixels, `height × width × channels`, in any range (stretched to 0–255 for display). */
  image: ArrayLike<number>;
  /** Heatmap values in [0, 1], `height × width`. */
  heat: ArrayLike<number>;
  height: number;
  width: number;
  /** Channels of `image`: 1 is grey, 3 or more are read as RGB(A). */
  channels: number;
}

/**
 * The heatmap over the image, `scale` times larger. The input is dimmed to 60% so that bright heat stands out on
 * white strokes too, and the heat's opacity grows with its value (0.85·√v): cold regions show the input, hot ones colour.
 */
export function overlay(input: OverlayInput, scale: number): Raster {
  const { image, heat, height, width, channels } = input;
  // Stretch the input to 0–255: images come in [0, 1], [0, 255] or standardized.
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < image.length; i++) {
    const v = image[i]!;
    if (Number.isFinite(v)) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
  }
  const span = hi > lo ? hi - lo : 1;
  const base = new Float32Array(height * width * 3);
  for (let p = 0; p < height * width; p++) {
    for (let c = 0; c < 3; c++) {
      const v = image[p * channels + (channels >= 3 ? c : 0)]!;
      base[p * 3 + c] = Number.isFinite(v) ? ((v - lo) / span) * 153 : 0;
    }
  }
  const [w, h] = [width * scale, height * scale];
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = y * width + x;
      const v = Math.min(1, Math.max(0, heat[p]! || 0));
      const alpha = 0.85 * Math.sqrt(v);
      const color = infernoColor(v);
      const pixel = [0, 1, 2].map((c) => Math.round((1 - alpha) * base[p * 3 + c]! + alpha * color[c]!));
      for (let dy = 0; dy < scale; dy++) {
        for (let dx = 0; dx < scale; dx++) data.set(pixel, ((y * scale + dy) * w + x * scale + dx) * 3);
      }
    }
  }
  return { width: w, height: h, channels: 3, data };
}

/** RGB rasters (as `overlay` makes) placed side by side on a white background, `gap` pixels apart, top-aligned. */
export function sideBySide(rasters: Raster[], gap = 6): Raster {
  const width = rasters.reduce((sum, r) => sum + r.width, 0) + gap * Math.max(0, rasters.length - 1);
  const height = Math.max(...rasters.map((r) => r.height));
  const data = new Uint8Array(width * height * 3).fill(255);
  let left = 0;
  for (const r of rasters) {
    for (let y = 0; y < r.height; y++)
      data.set(r.data.subarray(y * r.width * 3, (y + 1) * r.width * 3), (y * width + left) * 3);
    left += r.width + gap;
  }
  return { width, height, channels: 3, data };
}
