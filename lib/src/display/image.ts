/**
 * Tensors as images: `[h, w]`, `[h, w, 1|3|4]`, or a batch `[n, h, w]` / `[n, h, w, 1|3|4]` shown as a grid.
 * Duck-typed (shape, dtype, dataSync), so this module does not load TensorFlow.js.
 */
import type { Raster } from './png.js';
import { DisplayError } from './errors.js';

/** What a TensorFlow.js tensor offers that an image needs. */
export interface TensorLike {
  /** `[h, w]`, `[h, w, channels]` or a batch `[n, h, w, channels]`. */
  readonly shape: number[];
  /** The element type (values all in [0, 1] are scaled by 255; others are read as 0–255). */
  readonly dtype: string;
  /** The values, row-major. */
  dataSync(): ArrayLike<number>;
}

/** Whether `value` looks like a tensor (a TensorFlow.js `Tensor`). */
export function isTensorLike(value: unknown): value is TensorLike {
  const candidate = value as Partial<TensorLike> | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    Array.isArray(candidate.shape) &&
    typeof candidate.dataSync === 'function'
  );
}

/** Pixels between the images of a grid. */
const GAP = 2;

/**
 * The raster of a tensor image, or of a batch laid out as a near-square grid (white gaps). Float tensors whose values
 * all lie in [0, 1] are scaled by 255; others are taken as 0–255 and clamped.
 */
export function tensorRaster(tensor: TensorLike): Raster {
  const shape = tensor.shape;
  const batched = shape.length === 4 || (shape.length === 3 && ![1, 3, 4].includes(shape[2]!));
  const [count, height, width, channels] = batched
    ? [shape[0]!, shape[1]!, shape[2]!, shape[3] ?? 1]
    : [1, shape[0]!, shape[1]!, shape[2] ?? 1];
  if (
    shape.length < 2 ||
    shape.length > 4 ||
    ![1, 3, 4].includes(channels) ||
    !(count > 0 && height > 0 && width > 0)
  ) {
    throw new DisplayError(
      'LEPTON_DISPLAY_BAD_INPUT',
      `display.image: a tensor of shape [${shape.join(', ')}] is not an image. Pass [height, width], [height, width, 1|3|4], ` +
        'or a batch [n, height, width] / [n, height, width, 1|3|4] (reshape a flat row first, e.g. x.reshape([28, 28])).',
    );
  }
  const values = tensor.dataSync();
  let inUnitRange = !tensor.dtype.startsWith('int') && tensor.dtype !== 'bool';
  if (inUnitRange) {
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (v < 0 || v > 1) {
        inUnitRange = false;
        break;
      }
    }
  }
  const scale = inUnitRange ? 255 : 1;
  const columns = Math.ceil(Math.sqrt(count));
  const rows = Math.ceil(count / columns);
  const gridWidth = columns * width + (columns - 1) * GAP;
  const gridHeight = rows * height + (rows - 1) * GAP;
  const data = new Uint8Array(gridWidth * gridHeight * channels).fill(255);
  for (let n = 0; n < count; n++) {
    const left = (n % columns) * (width + GAP);
    const top = Math.floor(n / columns) * (height + GAP);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        for (let c = 0; c < channels; c++) {
          const v = values[((n * height + y) * width + x) * channels + c]! * scale;
          data[((top + y) * gridWidth + left + x) * channels + c] = Number.isFinite(v)
            ? Math.max(0, Math.min(255, Math.round(v)))
            : 0;
        }
      }
    }
  }
  return { width: gridWidth, height: gridHeight, channels: channels as Raster['channels'], data };
}
