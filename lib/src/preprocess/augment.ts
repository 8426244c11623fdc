/**
 * Seeded image augmentation on tensors of images ([n, height, width, channels], or one [height, width, channels]
 * image): flips, rotations, shifts, zooms, crops and noise, each drawn per image. An `augmenter` chains them into
 * one function to call on every training batch: the same seed gives the same sequence of batches.
 */
import type * as TF from '@tensorflow/tfjs';
import { badArgument } from '../data/errors.js';
import { seededRandom, type Random } from '../core/random.js';
import { isTensor, tfjs } from '../core/tfjs.js';

/** Options every augmentation takes. */
export interface AugmentOptions {
  /** Seed of the random draws (default: unseeded). */
  seed?: number;
  /** A random source to draw from instead of `seed` (an augmenter shares one across steps). */
  random?: Random;
}

function random(options: AugmentOptions): Random {
  return options.random ?? seededRandom(options.seed);
}

/** Runs `f` on a 4-D batch, accepting one 3-D image too; the input is not disposed. */
function batched(images: TF.Tensor, name: string, f: (batch: TF.Tensor4D) => TF.Tensor4D): TF.Tensor {
  if (!isTensor(images) || (images.rank !== 3 && images.rank !== 4)) {
    throw badArgument(
      `${name}: expected images as a [n, height, width, channels] or [height, width, channels] tensor${isTensor(images) ? `, got shape [${images.shape.join(', ')}]` : ''}.`,
    );
  }
  const tf = tfjs();
  return tf.tidy(() => {
    const batch = (images.rank === 3 ? images.expandDims(0) : images) as TF.Tensor4D;
    const out = f(batch.dtype === 'float32' ? batch : batch.toFloat());
    return images.rank === 3 ? out.squeeze([0]) : out;
  });
}

/** Applies a per-image projective transform (output pixel → input pixel), filling outside pixels with `fill`. */
function project(batch: TF.Tensor4D, matrices: number[][], fill: number): TF.Tensor4D {
  const tf = tfjs();
  return tf.image.transform(batch, tf.tensor2d(matrices, [matrices.length, 8]), 'bilinear', 'constant', fill);
}

/** Options of `flip`. */
export interface FlipOptions extends AugmentOptions {
  /** Flip left–right (default true). */
  horizontal?: boolean;
  /** Flip up–down (default false). */
  vertical?: boolean;
  /** Probability that an image is flipped (default 0.5). */
  p?: number;
}

/** Options of `rotate`. */
export interface RotateOptions extends AugmentOptions {
  /** Largest rotation either way, in degrees (default 15). */
  degrees?: number;
  /** Value of the pixels uncovered by the rotation (default 0). */
  fill?: number;
}

/** Options of `shift`. */
export interface ShiftOptions extends AugmentOptions {
  /** Largest shift, as a fraction of the width and height (default 0.1). */
  fraction?: number;
  /** Value of the pixels uncovered by the shift (default 0). */
  fill?: number;
}

/** Options of `zoom`. */
export interface ZoomOptions extends AugmentOptions {
  /** Range the zoom factor is drawn from (default [0.9, 1.1]; > 1 zooms in). */
  range?: [number, number];
  /** Value of the pixels uncovered when zooming out (default 0). */
  fill?: number;
}

/** Options of `crop`. */
export interface CropOptions extends AugmentOptions {
  /** Side of the random window as a fraction of each image side (default 0.9). */
  fraction?: number;
  /** Size [height, width] the window is resized to (default: the image's size). */
  size?: [number, number];
}

/** Options of `noise`. */
export interface NoiseOptions extends AugmentOptions {
  /** Standard deviation of the Gaussian noise (default 0.05). */
  std?: number;
  /** Range the result is clipped to (default [0, 1]; null: no clipping). */
  clip?: [number, number] | null;
}

/**
 * Flips each image left–right (and/or up–down) with probability `p` (default 0.5).
 * @example lepton.preprocess.flip(images, { seed: 1 })
 */
export function flip(images: TF.Tensor, options: FlipOptions = {}): TF.Tensor {
  const rand = random(options);
  const p = options.p ?? 0.5;
  return batched(images, 'flip', (batch) => {
    const tf = tfjs();
    const [n, h, w] = batch.shape;
    const horizontal = options.horizontal ?? true;
    const vertical = options.vertical ?? false;
    const matrices = Array.from({ length: n }, () => {
      const fx = horizontal && rand() < p;
      const fy = vertical && rand() < p;
      return [fx ? -1 : 1, 0, fx ? w - 1 : 0, 0, fy ? -1 : 1, fy ? h - 1 : 0, 0, 0];
    });
    return tf.image.transform(batch, tf.tensor2d(matrices, [n, 8]), 'nearest', 'constant', 0);
  });
}

/**
 * Rotates each image by a random angle in ±`degrees` (default 15) about its centre.
 * @example lepton.preprocess.rotate(images, { degrees: 10, seed: 1 })
 */
export function rotate(images: TF.Tensor, options: RotateOptions = {}): TF.Tensor {
  const rand = random(options);
  const degrees = options.degrees ?? 15;
  return batched(images, 'rotate', (batch) => {
    const [n, h, w] = batch.shape;
    const cx = (w - 1) / 2;
    const cy = (h - 1) / 2;
    const matrices = Array.from({ length: n }, () => {
      const t = ((rand() * 2 - 1) * degrees * Math.PI) / 180;
      const c = Math.cos(t);
      const s = Math.sin(t);
      return [c, s, cx - c * cx - s * cy, -s, c, cy + s * cx - c * cy, 0, 0];
    });
    return project(batch, matrices, options.fill ?? 0);
  });
}

/**
 * Shifts each image by up to `fraction` (default 0.1) of its width and height in each direction.
 * @example lepton.preprocess.shift(images, { fraction: 0.1, seed: 1 })
 */
export function shift(images: TF.Tensor, options: ShiftOptions = {}): TF.Tensor {
  const rand = random(options);
  const fraction = options.fraction ?? 0.1;
  return batched(images, 'shift', (batch) => {
    const [n, h, w] = batch.shape;
    const matrices = Array.from({ length: n }, () => {
      const dx = Math.round((rand() * 2 - 1) * fraction * w);
      const dy = Math.round((rand() * 2 - 1) * fraction * h);
      return [1, 0, -dx, 0, 1, -dy, 0, 0];
    });
    return project(batch, matrices, options.fill ?? 0);
  });
}

/**
 * Zooms each image about its centre by a factor drawn from `range` (default [0.9, 1.1]; > 1 zooms in).
 * @example lepton.preprocess.zoom(images, { range: [0.8, 1.2], seed: 1 })
 */
export function zoom(images: TF.Tensor, options: ZoomOptions = {}): TF.Tensor {
  const rand = random(options);
  const [lo, hi] = options.range ?? [0.9, 1.1];
  if (!(lo > 0 && hi >= lo))
    throw badArgument(`zoom: range must be [low, high] with 0 < low ≤ high, got [${lo}, ${hi}].`);
  return batched(images, 'zoom', (batch) => {
    const [n, h, w] = batch.shape;
    const cx = (w - 1) / 2;
    const cy = (h - 1) / 2;
    const matrices = Array.from({ length: n }, () => {
      const z = lo + rand() * (hi - lo);
      return [1 / z, 0, cx - cx / z, 0, 1 / z, cy - cy / z, 0, 0];
    });
    return project(batch, matrices, options.fill ?? 0);
  });
}

/**
 * Crops a random window covering `fraction` (default 0.9) of each side of each image and resizes it back to the
 * image's size (or to `size`).
 * @example lepton.preprocess.crop(images, { fraction: 0.8, seed: 1 })
 */
export function crop(images: TF.Tensor, options: CropOptions = {}): TF.Tensor {
  const rand = random(options);
  const fraction = options.fraction ?? 0.9;
  if (!(fraction > 0 && fraction <= 1)) throw badArgument(`crop: fraction must be in (0, 1], got ${fraction}.`);
  return batched(images, 'crop', (batch) => {
    const tf = tfjs();
    const [n, h, w] = batch.shape;
    const boxes = Array.from({ length: n }, () => {
      const y1 = rand() * (1 - fraction);
      const x1 = rand() * (1 - fraction);
      return [y1, x1, y1 + fraction, x1 + fraction];
    });
    const size = options.size ?? [h, w];
    return tf.image.cropAndResize(
      batch,
      tf.tensor2d(boxes, [n, 4]),
      tf.tensor1d(
        Array.from({ length: n }, (_, i) => i),
        'int32',
      ),
      size,
    );
  });
}

/**
 * Adds Gaussian noise of standard deviation `std` (default 0.05), then clips to `clip` (default [0, 1]; null: no clip).
 * @example lepton.preprocess.noise(images, { std: 0.1, seed: 1 })
 */
export function noise(images: TF.Tensor, options: NoiseOptions = {}): TF.Tensor {
  const rand = random(options);
  const std = options.std ?? 0.05;
  return batched(images, 'noise', (batch) => {
    const tf = tfjs();
    const noisy = batch.add<TF.Tensor4D>(tf.randomNormal(batch.shape, 0, std, 'float32', Math.floor(rand() * 2 ** 31)));
    const clip: [number, number] | null = options.clip === undefined ? [0, 1] : options.clip;
    return clip ? (noisy.clipByValue(clip[0], clip[1]) as TF.Tensor4D) : noisy;
  });
}

/** Options of `contrast`. */
export interface ContrastOptions extends AugmentOptions {
  /** Largest change of contrast either way, as a fraction (default 0.2: factors in [0.8, 1.2]). */
  factor?: number;
}

/** Options of `brightness`. */
export interface BrightnessOptions extends AugmentOptions {
  /** Largest shift of every pixel either way, in the [0, 1] pixel range (default 0.2). */
  delta?: number;
}

/** Per-image random numbers in `[-spread, spread]`, as an [n, 1, 1, 1] tensor to broadcast over each image. */
function perImage(n: number, spread: number, rand: Random): TF.Tensor4D {
  return tfjs().tensor4d(
    Array.from({ length: n }, () => (rand() * 2 - 1) * spread),
    [n, 1, 1, 1],
  );
}

/**
 * Scales each image's contrast by a random factor in `[1 − factor, 1 + factor]` around its mean per channel
 * (Keras's `RandomContrast`), then clips to [0, 1].
 * @example lepton.preprocess.contrast(images, { factor: 0.3, seed: 1 })
 */
export function contrast(images: TF.Tensor, options: ContrastOptions = {}): TF.Tensor {
  const rand = random(options);
  const factor = options.factor ?? 0.2;
  if (!(factor >= 0 && factor < 1)) throw badArgument(`contrast: factor must be in [0, 1), got ${factor}.`);
  return batched(images, 'contrast', (batch) => {
    const mean = batch.mean([1, 2], true);
    return batch
      .sub(mean)
      .mul(perImage(batch.shape[0], factor, rand).add(1))
      .add(mean)
      .clipByValue(0, 1) as TF.Tensor4D;
  });
}

/**
 * Shifts each image's pixels by a random amount in `[-delta, delta]` (Keras's `RandomBrightness` on [0, 1]
 * images), then clips to [0, 1].
 * @example lepton.preprocess.brightness(images, { delta: 0.1, seed: 1 })
 */
export function brightness(images: TF.Tensor, options: BrightnessOptions = {}): TF.Tensor {
  const rand = random(options);
  const delta = options.delta ?? 0.2;
  if (!(delta >= 0 && delta <= 1)) throw badArgument(`brightness: delta must be in [0, 1], got ${delta}.`);
  return batched(
    images,
    'brightness',
    (batch) => batch.add(perImage(batch.shape[0], delta, rand)).clipByValue(0, 1) as TF.Tensor4D,
  );
}

/** The steps of an augmenter: each key turns a step on (true: its defaults) or sets its options. */
export interface AugmenterSteps {
  /** Random flips: true for the defaults, or `flip`'s options. */
  flip?: boolean | FlipOptions;
  /** Random rotations: true for the defaults, the largest angle in degrees, or `rotate`'s options. */
  rotate?: boolean | number | RotateOptions;
  /** Random shifts: true for the defaults, the largest fraction, or `shift`'s options. */
  shift?: boolean | number | ShiftOptions;
  /** Random zooms: true for the defaults, or `zoom`'s options. */
  zoom?: boolean | ZoomOptions;
  /** Random crops: true for the defaults, or `crop`'s options. */
  crop?: boolean | CropOptions;
  /** Random contrast: true for the defaults, the largest factor, or `contrast`'s options. */
  contrast?: boolean | number | ContrastOptions;
  /** Random brightness: true for the defaults, the largest shift, or `brightness`'s options. */
  brightness?: boolean | number | BrightnessOptions;
  /** Gaussian noise: true for the defaults, the standard deviation, or `noise`'s options. */
  noise?: boolean | number | NoiseOptions;
  /** Seed of the whole sequence. */
  seed?: number;
}

/**
 * One function applying several augmentations in order (flip, rotate, shift, zoom, crop, contrast, brightness,
 * noise) to each batch it
 * gets; successive calls draw new values from one seeded sequence. The input batch is not disposed.
 * @example const augment = lepton.preprocess.augmenter({ rotate: 10, shift: 0.1, noise: 0.05, seed: 1 }); const xs = augment(batch)
 */
export function augmenter(steps: AugmenterSteps): (images: TF.Tensor) => TF.Tensor {
  const rand = seededRandom(steps.seed);
  const options = <T extends object>(value: boolean | number | T | undefined, numberKey: string): T | null =>
    value === undefined || value === false
      ? null
      : value === true
        ? ({} as T)
        : typeof value === 'number'
          ? ({ [numberKey]: value } as T)
          : value;
  const chain: ((t: TF.Tensor) => TF.Tensor)[] = [];
  const add = <T extends object>(f: (t: TF.Tensor, o: T & AugmentOptions) => TF.Tensor, o: T | null) => {
    if (o) chain.push((t) => f(t, { ...o, random: rand }));
  };
  add(flip, options(steps.flip, 'p'));
  add(rotate, options(steps.rotate, 'degrees'));
  add(shift, options(steps.shift, 'fraction'));
  add(zoom, options(steps.zoom, 'range'));
  add(crop, options(steps.crop, 'fraction'));
  add(contrast, options(steps.contrast, 'factor'));
  add(brightness, options(steps.brightness, 'delta'));
  add(noise, options(steps.noise, 'std'));
  if (chain.length === 0)
    throw badArgument('augmenter: turn on at least one step, e.g. { rotate: 10, shift: 0.1, seed: 1 }.');
  return (images) => {
    const tf = tfjs();
    return tf.tidy(() => chain.reduce((t, step) => step(t), images));
  };
}
