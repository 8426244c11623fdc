/**
 * `lepton.read.images`: a folder of image files in class sub-folders (or a table of paths and labels) as an
 * `ImageDataset`. Every file is decoded once, many at a time off the kernel's thread, and its pixels cached on
 * disk by content and options, so a re-run reads them back; bad files are skipped and listed (or an error naming
 * the file), other files are ignored and counted, and the validation split is stratified and seeded.
 */
import { existsSync, statSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { extname, isAbsolute, join, resolve } from 'node:path';
import { IMAGE_FITS, ImageDecodeError, imageSize, MAX_INPUT_PIXELS, type ImageFit } from '@lepton/server/preprocess';
import { assertColumns } from '../data/errors.js';
import type { DataFrame } from '../data/frame.js';
import { permutation, seededRandom } from '../core/random.js';
import { defaultCacheDir, PixelCache } from './cache.js';
import { ImageDataset, type SkippedFile } from './dataset.js';
import { loadPixels, mapLimit, MEMORY_BUDGET, type ImageEntry, type PixelSource } from './decode.js';
import { getHost } from '../display/host.js';
import { ImageError } from './errors.js';

/** Options of `lepton.read.images`. */
export interface ReadImagesOptions {
  /** `[height, width]` the images are resized to (required unless every image has one size). */
  size?: [number, number];
  /** How an image of another aspect ratio is fitted: crop (`cover`, default), letterbox on white (`contain`) or stretch (`fill`). */
  fit?: ImageFit;
  /** 1 (grey) or 3 (RGB, default); alpha is flattened on white. */
  channels?: 1 | 3;
  /** Fraction of each class held out as `ds.validation` (stratified), e.g. 0.2. */
  validationSplit?: number;
  /** Seed of the split, of `limit`'s sample and of `batches()`'s shuffles (default 0). */
  seed?: number;
  /** Use at most this many images (a seeded sample, stratified by class). */
  limit?: number;
  /** Cache decoded pixels on disk (default true, under `<Lepton home>/cache/images`; a string: that folder). */
  cache?: boolean | string;
  /** A file that cannot be decoded is skipped and listed in `ds.skipped` (default), or an error naming it. */
  onBadFile?: 'skip' | 'error';
  /** With a table: the column of file paths. */
  path?: string;
  /** With a table: the column of labels (class names). */
  label?: string;
  /** With a table: the folder relative paths are read from (default: the working folder). */
  root?: string;
  /**
   * Keep the decoded pixels in memory when they fit in 256 MB (default true), so training reads no file; `false`
   * (or a larger dataset) reads every batch from the disk cache.
   */
  memory?: boolean;
  /** Files read and decoded at once (default 16: two batches queued on each decoding worker, see `MAX_BATCH`). */
  concurrency?: number;
  /** Refuse files declaring more pixels than this, a decompression bomb (default 64 megapixels). */
  maxPixels?: number;
}

/** File names read as images (by extension, case-insensitive). */
export const IMAGE_EXTENSIONS: readonly string[] = ['.jpg', '.jpeg', '.png', '.webp', '.gif', '.tif', '.tiff', '.avif'];

const PREVIEWS_PER_CLASS = 4;

const fail = (message: string) => new ImageError('LEPTON_BAD_ARGUMENT', message);

function isImageName(name: string): boolean {
  return !name.startsWith('.') && IMAGE_EXTENSIONS.includes(extname(name).toLowerCase());
}

/** Every file under `dir`, recursively, as paths; sorted so that the order does not depend on the file system. */
async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await walk(path)));
    else if (entry.isFile() || entry.isSymbolicLink()) out.push(path);
  }
  return out.sort();
}

/** Labelled files from class sub-folders of `dir`, and the files ignored. */
async function fromFolder(
  dir: string,
): Promise<{ files: Array<{ path: string; className: string }>; classNames: string[]; ignored: string[] }> {
  const root = resolve(dir);
  if (!existsSync(root))
    throw new ImageError(
      'LEPTON_MISSING_FOLDER',
      `The folder ${root} does not exist. Pass a folder holding one sub-folder of images per class (e.g. ${join(dir, 'cats')}/, ${join(dir, 'dogs')}/).`,
    );
  if (!statSync(root).isDirectory())
    throw new ImageError(
      'LEPTON_MISSING_FOLDER',
      `${root} is a file, not a folder. Pass a folder holding one sub-folder of images per class.`,
    );
  const entries = await readdir(root, { withFileTypes: true });
  const classNames = entries
    .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
    .map((e) => e.name)
    .sort();
  const ignored = entries.filter((e) => !e.isDirectory()).map((e) => join(root, e.name));
  if (classNames.length === 0) {
    const loose = ignored.filter((p) => isImageName(p)).length;
    throw new ImageError(
      'LEPTON_NO_IMAGES',
      `The folder ${root} has no class sub-folders${loose ? ` (it holds ${loose} image file${loose === 1 ? '' : 's'} directly)` : ''}: put the images of each class in a sub-folder named after it (e.g. ${join(root, 'cats')}/), or pass a table: lepton.read.images(df, { path: 'file', label: 'label' }).`,
    );
  }
  const files: Array<{ path: string; className: string }> = [];
  for (const className of classNames) {
    const all = await walk(join(root, className));
    // One pass (not a search of `images` per file: that was quadratic, 0.4 s of a 10,000-file folder's listing).
    const images: string[] = [];
    for (const p of all) (isImageName(p.slice(p.lastIndexOf('/') + 1)) ? images : ignored).push(p);
    if (images.length === 0) {
      throw new ImageError(
        'LEPTON_EMPTY_CLASS',
        `The class folder ${join(root, className)} holds no image files (${IMAGE_EXTENSIONS.join(', ')})${all.length ? `, only ${all.length} other file${all.length === 1 ? '' : 's'}` : ''}: add its images, or remove the folder.`,
      );
    }
    for (const path of images) files.push({ path, className });
  }
  return { files, classNames, ignored: ignored.sort() };
}

/** Labelled files from a table's path and label columns. */
function fromTable(
  frame: DataFrame,
  options: ReadImagesOptions,
): { files: Array<{ path: string; className: string }>; classNames: string[]; ignored: string[] } {
  if (options.path === undefined || options.label === undefined) {
    throw fail(
      `Reading images from a table needs the columns of paths and labels: lepton.read.images(df, { path: 'file', label: 'label', root: 'images/' }) (columns: ${frame.columnNames().join(', ')}).`,
    );
  }
  assertColumns([options.path, options.label], frame.columnNames(), 'lepton.read.images');
  const paths = Array.from(frame.array(options.path) as ArrayLike<unknown>);
  const labels = Array.from(frame.array(options.label) as ArrayLike<unknown>);
  const root = resolve(options.root ?? '.');
  const files = paths.map((p, row) => {
    const label = labels[row];
    if (typeof p !== 'string' || p === '')
      throw fail(`Row ${row}: column "${options.path}" holds ${JSON.stringify(p)}, not a file path.`);
    if (label === null || label === undefined || label === '')
      throw fail(`Row ${row}: column "${options.label}" is empty; every image needs a label.`);
    // A cell holds whatever the table was given; its class is named by String(), as the user would print it.
    // eslint-disable-next-line @typescript-eslint/no-base-to-string -- any cell value is a valid label
    return { path: isAbsolute(p) ? p : join(root, p), className: String(label) };
  });
  if (files.length === 0)
    throw new ImageError(
      'LEPTON_NO_IMAGES',
      'The table has no rows: it should list one image file and its label per row.',
    );
  const missing = files.find((f) => !existsSync(f.path));
  if (missing)
    throw new ImageError(
      'LEPTON_MISSING_FOLDER',
      `${missing.path} (from column "${options.path}") does not exist${options.root === undefined ? '; pass root: the folder the paths are relative to' : ''}.`,
    );
  const classNames = [...new Set(files.map((f) => f.className))].sort();
  return { files, classNames, ignored: [] };
}

function checkOptions(options: ReadImagesOptions): void {
  const { fit, validationSplit, limit } = options;
  // Read as unknown: plain-JavaScript callers can pass anything, so these checks are not the ones the types make.
  const size: unknown = options.size;
  const channels: unknown = options.channels;
  const onBadFile: unknown = options.onBadFile;
  if (
    size !== undefined &&
    !(Array.isArray(size) && size.length === 2 && size.every((d) => Number.isInteger(d) && d >= 1 && d <= 4096))
  ) {
    throw fail(`size must be [height, width] in pixels, whole numbers in 1..4096 (got ${JSON.stringify(size)}).`);
  }
  if (channels !== undefined && channels !== 1 && channels !== 3)
    throw fail(`channels must be 1 (grey) or 3 (RGB) (got ${JSON.stringify(channels)}).`);
  if (fit !== undefined && !IMAGE_FITS.includes(fit))
    throw fail(`fit must be one of ${IMAGE_FITS.join(', ')} (got ${JSON.stringify(fit)}).`);
  if (validationSplit !== undefined && !(validationSplit > 0 && validationSplit < 1))
    throw fail(`validationSplit must be a fraction between 0 and 1, e.g. 0.2 (got ${validationSplit}).`);
  if (limit !== undefined && !(Number.isInteger(limit) && limit >= 1))
    throw fail(`limit must be a whole number ≥ 1 (got ${limit}).`);
  if (options.memory === false && options.cache === false)
    throw fail('memory: false reads batches from the disk cache: leave cache on, or memory on.');
  if (onBadFile !== undefined && onBadFile !== 'skip' && onBadFile !== 'error')
    throw fail(`onBadFile must be 'skip' or 'error' (got ${JSON.stringify(onBadFile)}).`);
}

/** Per class, a seeded shuffle of its files' indexes, so a sample or split is stratified and repeatable. */
function shuffledByClass(labels: readonly number[], classes: number, seed: number): number[][] {
  const byClass: number[][] = Array.from({ length: classes }, () => []);
  labels.forEach((label, i) => byClass[label]!.push(i));
  return byClass.map((indexes, c) =>
    Array.from(permutation(indexes.length, seededRandom(seed * 7919 + c)), (j) => indexes[j]!),
  );
}

/** The single size every file has, read from headers; an error naming two files of different sizes otherwise. */
async function commonSize(paths: readonly string[], concurrency: number, maxPixels: number): Promise<[number, number]> {
  const sizes = await mapLimit(paths, concurrency, async (path) => {
    try {
      return { path, size: await imageSize(await readFile(path), { maxPixels }) };
    } catch {
      return { path, size: undefined };
    }
  });
  const known = sizes.filter((s) => s.size !== undefined);
  if (known.length === 0)
    throw new ImageError(
      'LEPTON_NO_IMAGES',
      `None of the ${paths.length} image files could be read (e.g. ${paths[0]}); check that they are JPEG, PNG, WebP, GIF, TIFF or AVIF files.`,
    );
  const first = known[0]!;
  const other = known.find((s) => s.size.width !== first.size.width || s.size.height !== first.size.height);
  if (other) {
    throw new ImageError(
      'LEPTON_MIXED_SIZES',
      `The images have different sizes (${first.path} is ${first.size.width}×${first.size.height}, ${other.path} is ${other.size.width}×${other.size.height}): pass size: [height, width] to resize them all, e.g. { size: [${first.size.height}, ${first.size.width}] }.`,
    );
  }
  return [first.size.height, first.size.width];
}

/**
 * Reads labelled images: from a folder with one sub-folder per class (labels are the sub-folder names, sorted,
 * in `ds.classNames`), or from a table with `{ path, label, root }`. Every image is decoded (JPEG, PNG, WebP,
 * GIF's first frame, TIFF, AVIF; EXIF orientation applied; grey, RGBA and CMYK converted to `channels`, alpha on
 * white) and resized to `size`, in parallel off the kernel's thread; the pixels are cached on disk by the files'
 * content and the options, so reading again, training and streaming batches do not decode again.
 * A file that cannot be decoded is skipped and listed in `ds.skipped` (or, with `onBadFile: 'error'`, an error
 * naming it); files that are not images by name are ignored and counted in `ds.ignored`. A missing folder, a
 * folder without class sub-folders, or an empty class folder is an `ImageError` naming it.
 * @param source a folder path, or a DataFrame of paths and labels
 * @param options size, fit, channels, validationSplit and seed, limit, cache, onBadFile, path/label/root for tables
 * @returns the dataset, with `train` and `validation` parts when `validationSplit` is given
 * @example const ds = await lepton.read.images('digits/', { size: [28, 28], channels: 1, validationSplit: 0.2, seed: 1 })
 */
export async function images(source: string | DataFrame, options: ReadImagesOptions = {}): Promise<ImageDataset> {
  checkOptions(options);
  const concurrency = options.concurrency ?? 16;
  const maxPixels = options.maxPixels ?? MAX_INPUT_PIXELS;
  const seed = options.seed ?? 0;
  const listed = typeof source === 'string' ? await fromFolder(source) : fromTable(source, options);
  const { classNames, ignored } = listed;
  let entries: ImageEntry[] = listed.files.map((f) => ({ path: f.path, label: classNames.indexOf(f.className) }));
  if (options.limit !== undefined && options.limit < entries.length) {
    // A stratified sample: classes take turns, each in its seeded order.
    const queues = shuffledByClass(
      entries.map((e) => e.label),
      classNames.length,
      seed,
    );
    const keep: number[] = [];
    for (let round = 0; keep.length < options.limit; round++) {
      for (const q of queues) if (round < q.length && keep.length < options.limit) keep.push(q[round]!);
    }
    entries = keep.sort((a, b) => a - b).map((i) => entries[i]!);
  }

  const size =
    options.size ??
    (await commonSize(
      entries.map((e) => e.path),
      concurrency,
      maxPixels,
    ));
  const spec = { size, channels: options.channels ?? 3, fit: options.fit ?? 'cover' } as const;
  const cacheRoot =
    options.cache === false ? undefined : typeof options.cache === 'string' ? options.cache : defaultCacheDir();
  const pixelSource: PixelSource = {
    spec,
    cache: cacheRoot === undefined ? undefined : new PixelCache(cacheRoot, spec),
    maxPixels,
  };
  await pixelSource.cache?.open();

  // Decode every file once: it finds the bad ones, fills the cache, and keeps a few pixels per class to show.
  const skipped: SkippedFile[] = [];
  const badLabels = new Map<string, number>();
  const previews = new Map<string, Uint8Array>();
  const shown = new Map<number, number>();
  // Small datasets keep their pixels in memory too, so training and batches never go back to the disk.
  const length = size[0] * size[1] * spec.channels;
  const store =
    options.memory !== false && entries.length * length <= MEMORY_BUDGET
      ? { pixels: new Uint8Array(entries.length * length), length }
      : undefined;
  // An interrupted cell stops decoding at once (files decoded so far stay cached for the next run).
  const signal = getHost().signal();
  const ok = await mapLimit(
    entries,
    concurrency,
    async (entry, i) => {
      try {
        const pixels = await loadPixels(entry, pixelSource);
        if (store) {
          store.pixels.set(pixels, i * length);
          entry.slot = i;
        }
        const n = shown.get(entry.label) ?? 0;
        if (n < PREVIEWS_PER_CLASS) {
          shown.set(entry.label, n + 1);
          previews.set(entry.path, pixels);
        }
        return true;
      } catch (error) {
        if (!(error instanceof ImageDecodeError)) throw error;
        if (options.onBadFile === 'error') {
          throw new ImageError(
            'LEPTON_BAD_IMAGE',
            `${entry.path} could not be decoded: ${error.message}. Fix or remove the file, or pass onBadFile: 'skip' to skip such files (listed in ds.skipped).`,
          );
        }
        skipped.push({ path: entry.path, reason: error.message });
        badLabels.set(entry.path, entry.label);
        return false;
      }
    },
    signal,
  ).finally(() => pixelSource.cache?.flush());
  entries = entries.filter((_, i) => ok[i]);
  if (store) pixelSource.store = store;
  skipped.sort((a, b) => a.path.localeCompare(b.path));
  const where = typeof source === 'string' ? resolve(source) : 'the table';
  if (entries.length === 0)
    throw new ImageError(
      'LEPTON_NO_IMAGES',
      `None of the ${skipped.length} image files in ${where} could be decoded (e.g. ${skipped[0]?.path}: ${skipped[0]?.reason}).`,
    );
  const emptied = classNames.findIndex((_, c) => !entries.some((e) => e.label === c));
  if (emptied !== -1) {
    const examples = skipped
      .filter((s) => badLabels.get(s.path) === emptied)
      .slice(0, 3)
      .map((s) => `${s.path}: ${s.reason}`);
    throw new ImageError(
      'LEPTON_EMPTY_CLASS',
      `Every image of class "${classNames[emptied]}" could not be decoded (${examples.join('; ')}); fix its files or remove the class.`,
    );
  }

  let split: [ImageEntry[], ImageEntry[]] | undefined;
  if (options.validationSplit !== undefined) {
    const held = new Set<number>();
    for (const indexes of shuffledByClass(
      entries.map((e) => e.label),
      classNames.length,
      seed,
    )) {
      const n = Math.round(indexes.length * options.validationSplit);
      for (const i of indexes.slice(0, Math.min(n, indexes.length - 1))) held.add(i);
    }
    split = [entries.filter((_, i) => !held.has(i)), entries.filter((_, i) => held.has(i))];
    if (split[1].length === 0)
      throw fail(
        `validationSplit ${options.validationSplit} of ${entries.length} images holds out none: use a larger fraction or more images.`,
      );
  }
  return new ImageDataset({
    entries,
    classNames,
    source: pixelSource,
    skipped,
    ignored,
    previews,
    seed,
    concurrency,
    part: 'all',
    ...(split ? { split } : {}),
  });
}
