/**
 * `ImageDataset`: labelled image files, as `lepton.read.images` returns them. It knows its class names, what was
 * skipped or ignored, its train/validation split, and gives its pixels as tensors (small sets) or as a stream of
 * batches read from the pixel cache (sets larger than memory). It displays as thumbnails with their labels,
 * counts per class as bars, and the skipped files.
 */
import type * as TF from '@tensorflow/tfjs';
import { ImageDecodeError, pixelsToFloat, type ImageSpec } from '@lepton/server/preprocess';
import { permutation, seededRandom } from '../core/random.js';
import { tfjs } from '../core/tfjs.js';
import { escapeHtml } from '../display/html.js';
import { displaySymbol, type MimeBundle } from '../display/mime.js';
import type { BatchDataset, TensorData } from '../data/tensor-data.js';
import { loadPixels, mapLimit, pixelLength, type ImageEntry, type PixelSource } from './decode.js';
import { ImageError } from './errors.js';
import { barsHtml, gridHtml, type Thumbnail } from './grid.js';

/** A file that was not used, and why. */
export interface SkippedFile {
  /** The file. */
  path: string;
  /** Why it was not used (the decoder's reason, e.g. "the file is empty"). */
  reason: string;
}

/** Options of `ImageDataset.batches`. */
export interface BatchOptions {
  /** Shuffle the images every epoch (default true). */
  shuffle?: boolean;
  /** Seed of the shuffles: epoch e uses `seed + e` (default: the dataset's seed). */
  seed?: number;
  /** Images decoded or read at once (default 8). */
  concurrency?: number;
}

/** Features and labels of a whole image set: `x` [n, height, width, channels] in [0, 1], `y` [n] class indices. */
export interface ImageTensors {
  /** The images: [n, height, width, channels], float32 in [0, 1]. */
  x: TF.Tensor4D;
  /** The class indices: [n], float32. */
  y: TF.Tensor1D;
}

/** What `lepton.fit` and `lepton.evaluate` ask an image dataset for: its data, and what a model trained on it learnt. */
export interface FitSource {
  /**
   * Tensors when they fit in memory, else a stream of batches, shuffled with `seed` (fit's seed; without one, the
   * dataset's).
   */
  fitData(batchSize: number, shuffle: boolean, seed?: number): Promise<TensorData | BatchDataset>;
  /** The class names and image spec a model trained on this data is deployed with. */
  readonly trainedOn: TrainedOn;
}

/** What a model learnt from: its classes and how its input images were made. */
export interface TrainedOn {
  /** The class names, in label order. */
  classNames: string[];
  /** The size, channels and fit the images were read with. */
  image: Pick<ImageSpec, 'size' | 'channels' | 'fit'>;
}

/** Above this many bytes of float pixels, `lepton.fit` streams batches instead of making one tensor. */
export const MAX_TENSOR_BYTES = 512 * 1024 * 1024;

/** Everything an `ImageDataset` is made of. @internal */
export interface DatasetParts {
  entries: ImageEntry[];
  classNames: string[];
  source: PixelSource;
  skipped: SkippedFile[];
  ignored: string[];
  /** Pixels of the first few images of each class, by path, for the display. */
  previews: Map<string, Uint8Array>;
  seed: number;
  concurrency: number;
  /** Which part of a split this is. */
  part: 'all' | 'train' | 'validation';
  /** `[train, validation]` entries of a split, when `validationSplit` was given. */
  split?: [ImageEntry[], ImageEntry[]] | undefined;
}

/** A labelled set of image files. Make one with `lepton.read.images(dir, opts)`. */
export class ImageDataset implements FitSource {
  /**
   * Above this many bytes of float pixels `lepton.fit` and `lepton.evaluate` stream batches from the pixel cache
   * instead of making one tensor (default `MAX_TENSOR_BYTES`, 512 MB). Lower it on a machine short of memory.
   */
  static maxTensorBytes = MAX_TENSOR_BYTES;
  /** The class names, sorted; label `i` is `classNames[i]`. */
  readonly classNames: string[];
  /** Files that could not be decoded (corrupt, empty, not an image), with the reason. */
  readonly skipped: SkippedFile[];
  /** Files that are not images by their name (`.DS_Store`, `.txt`, …): paths, not read. */
  readonly ignored: string[];
  /** The training part (everything when no `validationSplit` was given). */
  readonly train: ImageDataset;
  /** The validation part, when `validationSplit` was given. */
  readonly validation: ImageDataset | undefined;
  private readonly entries: ImageEntry[];
  private readonly source: PixelSource;
  private readonly previews: Map<string, Uint8Array>;
  private readonly seed: number;
  private readonly concurrency: number;
  private readonly part: DatasetParts['part'];

  /** @internal */
  constructor(parts: DatasetParts) {
    this.entries = parts.entries;
    this.classNames = parts.classNames;
    this.source = parts.source;
    this.skipped = parts.skipped;
    this.ignored = parts.ignored;
    this.previews = parts.previews;
    this.seed = parts.seed;
    this.concurrency = parts.concurrency;
    this.part = parts.part;
    if (parts.split) {
      this.train = new ImageDataset({ ...parts, entries: parts.split[0], part: 'train', split: undefined });
      this.validation = new ImageDataset({ ...parts, entries: parts.split[1], part: 'validation', split: undefined });
    } else {
      this.train = this;
      this.validation = undefined;
    }
  }

  /** How many images. */
  get length(): number {
    return this.entries.length;
  }

  /** `[height, width]` of the images as the model sees them. */
  get size(): [number, number] {
    return [...this.source.spec.size];
  }

  /** Channels per pixel: 1 (grey) or 3 (RGB). */
  get channels(): 1 | 3 {
    return this.source.spec.channels;
  }

  /** How images were fitted to `size`. */
  get fit(): ImageSpec['fit'] {
    return this.source.spec.fit;
  }

  /** The file of each image, in order. */
  get paths(): string[] {
    return this.entries.map((e) => e.path);
  }

  /** The class index of each image, in order. */
  get labels(): number[] {
    return this.entries.map((e) => e.label);
  }

  /** How a deployment should make model inputs from image files: `lepton.deploy(model, { image: ds.image })`. */
  get image(): Pick<ImageSpec, 'size' | 'channels' | 'fit'> {
    return { size: this.size, channels: this.channels, fit: this.fit };
  }

  /** @internal */
  get trainedOn(): TrainedOn {
    return { classNames: [...this.classNames], image: this.image };
  }

  /** Images per class name. */
  counts(): Record<string, number> {
    const counts = Object.fromEntries(this.classNames.map((c) => [c, 0]));
    for (const e of this.entries) counts[this.classNames[e.label]!]!++;
    return counts;
  }

  /** The pixel bytes of image `i` (row by row, channels last). */
  async pixels(i: number): Promise<Uint8Array> {
    const entry = this.entries[i];
    if (!entry)
      throw new ImageError(
        'LEPTON_BAD_ARGUMENT',
        `Image ${i} does not exist: the dataset has ${this.length} images (0..${this.length - 1}).`,
      );
    return this.load(entry);
  }

  /**
   * Every image as one tensor: `x` [n, height, width, channels] float32 in [0, 1], `y` [n] class indices (float32,
   * as sparse crossentropy takes them). Pixels come from the disk cache, decoded once. Dispose them when done.
   * @param count only the first `count` images, in the dataset's order (default all)
   * @example const { x, y } = await ds.train.tensors()
   */
  async tensors(count?: number): Promise<ImageTensors> {
    if (count !== undefined && !(Number.isInteger(count) && count >= 0))
      throw new ImageError('LEPTON_BAD_ARGUMENT', `tensors(count): a whole number ≥ 0 (got ${count}).`);
    return this.tensorsOf(count === undefined ? this.entries : this.entries.slice(0, count));
  }

  /**
   * The images as a `tf.data` dataset of `{ xs, ys }` batches, read from the disk cache as they are needed (the
   * next batch is prepared while one trains), so memory holds a few batches whatever the dataset's size.
   * Shuffled every epoch (seed + epoch) unless `shuffle: false`.
   * @example await lepton.fit(model, ds.train.batches(64), { epochs: 3 })
   */
  batches(batchSize = 32, options: BatchOptions = {}): BatchDataset {
    if (!(Number.isInteger(batchSize) && batchSize >= 1))
      throw new ImageError('LEPTON_BAD_ARGUMENT', `batches(batchSize): a whole number ≥ 1 (got ${batchSize}).`);
    const tf = tfjs();
    const entries = this.entries;
    const shuffle = options.shuffle ?? true;
    const seed = options.seed ?? this.seed;
    let epoch = 0;
    // tf.data calls the generator once per pass (epoch) over the data.
    const generator = async function* (this: ImageDataset) {
      const order = shuffle
        ? permutation(entries.length, seededRandom(seed + epoch++))
        : Int32Array.from(entries.keys());
      for (let start = 0; start < order.length; start += batchSize) {
        const chunk = Array.from(order.subarray(start, start + batchSize), (i) => entries[i]!);
        const { x, y } = await this.tensorsOf(chunk, options.concurrency);
        yield { xs: x, ys: y };
      }
    }.bind(this);
    return tf.data.generator(generator).prefetch(2);
  }

  /** @internal */
  async fitData(batchSize: number, shuffle: boolean, seed?: number): Promise<TensorData | BatchDataset> {
    const bytes = this.length * pixelLength(this.source) * 4;
    if (bytes <= ImageDataset.maxTensorBytes) return this.tensors();
    // fit's seed decides the order of a streamed epoch, as it does the shuffle of tensors.
    return this.batches(batchSize, { shuffle, ...(seed !== undefined ? { seed } : {}) });
  }

  private async load(entry: ImageEntry): Promise<Uint8Array> {
    try {
      return await loadPixels(entry, this.source);
    } catch (error) {
      if (error instanceof ImageDecodeError) {
        throw new ImageError(
          'LEPTON_BAD_IMAGE',
          `${entry.path} can no longer be decoded (${error.message}); it decoded when the dataset was read, so it changed since: read the folder again.`,
        );
      }
      throw error;
    }
  }

  private async tensorsOf(entries: readonly ImageEntry[], concurrency = this.concurrency): Promise<ImageTensors> {
    const tf = tfjs();
    const length = pixelLength(this.source);
    const x = new Float32Array(entries.length * length);
    await mapLimit(entries, concurrency, async (entry, i) => {
      pixelsToFloat(await this.load(entry), x, i * length);
    });
    const [h, w] = this.source.spec.size;
    return {
      x: tf.tensor4d(x, [entries.length, h, w, this.source.spec.channels]),
      y: tf.tensor1d(Float32Array.from(entries, (e) => e.label)),
    };
  }

  /** A text summary: counts, size, split, skipped and ignored. */
  toString(): string {
    const [h, w] = this.size;
    const part = this.part === 'all' ? '' : ` (${this.part})`;
    const counts = Object.entries(this.counts())
      .map(([c, n]) => `${c}: ${n}`)
      .join(', ');
    const split = this.validation ? `; train ${this.train.length}, validation ${this.validation.length}` : '';
    return (
      `ImageDataset${part}: ${this.length} images ${h}×${w}×${this.channels} in ${this.classNames.length} classes (${counts})${split}` +
      `${this.skipped.length ? `; ${this.skipped.length} skipped` : ''}${this.ignored.length ? `; ${this.ignored.length} ignored` : ''}`
    );
  }

  /** Thumbnails with labels, counts per class as bars, and the skipped files. */
  [displaySymbol](): MimeBundle {
    const [height, width] = this.size;
    const perClass = new Map<number, number>();
    const thumbs: Thumbnail[] = [];
    for (const e of this.entries) {
      const pixels = this.previews.get(e.path);
      const shown = perClass.get(e.label) ?? 0;
      if (!pixels || shown >= 4 || thumbs.length >= 40) continue;
      perClass.set(e.label, shown + 1);
      thumbs.push({
        pixels,
        height,
        width,
        channels: this.channels,
        caption: [this.classNames[e.label]!],
        title: e.path,
      });
    }
    thumbs.sort((a, b) => this.classNames.indexOf(a.caption[0]!) - this.classNames.indexOf(b.caption[0]!));
    const skipped =
      this.skipped.length === 0
        ? ''
        : `<details${this.skipped.length <= 5 ? ' open' : ''}><summary>${this.skipped.length} file${this.skipped.length === 1 ? '' : 's'} skipped</summary><ul style="font-size:12px">` +
          this.skipped
            .slice(0, 50)
            .map((s) => `<li><code>${escapeHtml(s.path)}</code>: ${escapeHtml(s.reason)}</li>`)
            .join('') +
          `${this.skipped.length > 50 ? `<li>… ${this.skipped.length - 50} more (ds.skipped)</li>` : ''}</ul></details>`;
    const ignored =
      this.ignored.length === 0
        ? ''
        : `<div style="font-size:12px;color:#666">${this.ignored.length} file${this.ignored.length === 1 ? '' : 's'} ignored (not images by name, e.g. <code>${escapeHtml(this.ignored[0]!)}</code>)</div>`;
    const html =
      `<div><div style="font-weight:bold;margin-bottom:4px">${escapeHtml(this.toString())}</div>` +
      `<div style="display:flex;gap:16px;align-items:flex-start"><div style="flex:1">${gridHtml(thumbs)}</div><div>${barsHtml(Object.entries(this.counts()))}</div></div>` +
      `${skipped}${ignored}</div>`;
    return { 'text/html': html, 'text/plain': this.toString() };
  }
}

/** Whether `data` is an image dataset (or anything else that gives `lepton.fit` its data itself). @internal */
export function isFitSource(data: unknown): data is FitSource {
  return typeof data === 'object' && data !== null && typeof (data as Partial<FitSource>).fitData === 'function';
}
