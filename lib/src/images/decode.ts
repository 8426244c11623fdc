/**
 * Decoding image files for a dataset, many at once: each file is looked up in the pixel cache by its stat (size,
 * mtime) and otherwise read, keyed by its content, looked up again, and decoded by `@lepton/server/preprocess`,
 * and cached. A file the cache has never seen is read, hashed and (a small JPEG) decoded on a worker thread in one
 * request (`decode-pool.ts`); the rest goes to sharp on libuv's thread pool: either way the kernel's thread stays
 * free. The decoding itself is the server's: a deployed model gets the same pixels from the same bytes.
 */
import { close, open, read, stat, type Stats } from 'node:fs';
import { readFile } from 'node:fs/promises';
import {
  decodeImage,
  ImageDecodeError,
  isJpeg,
  MAX_INPUT_PIXELS,
  SMALL_JPEG_BYTES,
  type ImageSpec,
} from '@lepton/server/preprocess';
import { contentKey, type PixelCache } from './cache.js';
import { decodeSmallJpegOffThread, readFileOffThread } from './decode-pool.js';

/** How a dataset's files become pixels. */
export interface PixelSource {
  /** Size, channels and fit. */
  spec: Pick<ImageSpec, 'size' | 'channels' | 'fit'>;
  /** The disk cache, or undefined when caching is off. */
  cache: PixelCache | undefined;
  /** The decompression-bomb limit, in pixels. */
  maxPixels: number | undefined;
  /** The pixels held in memory, when the dataset fits `MEMORY_BUDGET`. */
  store?: PixelStore;
}

/** One image file of a dataset: its path, class index, and the key of its bytes once read. */
export interface ImageEntry {
  path: string;
  label: number;
  /** SHA-256 of the file's bytes, known after the first read or from the cache's stat index (then its pixels are found by it). */
  key?: string;
  /** Its place in the dataset's pixels held in memory, when the dataset is small enough to hold them. */
  slot?: number;
}

/** Decoded pixels kept in memory: one image after another, at `ImageEntry.slot`. */
export interface PixelStore {
  pixels: Uint8Array;
  length: number;
}

/** Datasets whose decoded pixels fit in this many bytes keep them in memory (larger ones read the disk cache). */
export const MEMORY_BUDGET = 256 * 1024 * 1024;

/** Bytes of one decoded image under `source`. */
export function pixelLength(source: PixelSource): number {
  return source.spec.size[0] * source.spec.size[1] * source.spec.channels;
}

/**
 * The pixels of `entry`: from memory when held there; from the cache when its content key is known (from this
 * process, or from the stat index while the file's size and mtime are unchanged: no read of the file) and cached;
 * else read, keyed, and decoded (and cached). A file the stat index has never seen is read, keyed and decoded on a
 * worker thread in one request (`readFileOffThread`), leaving this thread only the cache's bookkeeping.
 * Throws `ImageDecodeError` with the reason when the file is empty or not an image sharp reads.
 */
export async function loadPixels(entry: ImageEntry, source: PixelSource): Promise<Uint8Array> {
  const length = pixelLength(source);
  if (entry.slot !== undefined && source.store)
    return source.store.pixels.subarray(entry.slot * length, (entry.slot + 1) * length);
  const cache = source.cache;
  const maxPixels = source.maxPixels ?? MAX_INPUT_PIXELS;
  if (!cache) {
    const read = await readFileOffThread(entry.path, false, source.spec, maxPixels);
    if (read) return read.pixels ?? (await decodeFile(source, read.bytes!, false));
    return decodeFile(source, await readFile(entry.path), true);
  }
  if (entry.key !== undefined) {
    const hit = await cache.get(entry.key);
    if (hit) return hit;
  }
  if (!cache.knows(entry.path)) {
    const read = await readFileOffThread(entry.path, true, source.spec, maxPixels);
    if (read)
      // The pixels as they are when the worker decoded them: no async function (a promise) per file for them.
      return keyedPixels(
        entry,
        cache,
        read,
        read.key!,
        undefined,
        () => read.pixels ?? decodeFile(source, read.bytes!, false),
      );
  }
  const stats = await statOf(entry.path);
  const known = cache.keyOf(entry.path, stats);
  if (known !== undefined) {
    entry.key = known;
    const hit = await cache.get(known);
    if (hit) return hit;
  }
  const bytes = await readKnownSize(entry.path, stats.size);
  // Keyed by the bytes read, so a file rewritten between the stat and the read is hashed as it now is; its new mtime
  // then differs from `stats` and the next run reads it again.
  return keyedPixels(entry, cache, stats, contentKey(bytes), known, () => decodeFile(source, bytes, true));
}

/**
 * Records that `entry`'s file, read with `stats`, has content key `key`, and gives its pixels: from the cache when
 * they are there (the same bytes under another path, or another run; `missed` is a key already looked up in vain),
 * else from `decode`, then cached.
 */
async function keyedPixels(
  entry: ImageEntry,
  cache: PixelCache,
  stats: Pick<Stats, 'size' | 'mtimeMs'>,
  key: string,
  missed: string | undefined,
  decode: () => Uint8Array | Promise<Uint8Array>,
): Promise<Uint8Array> {
  entry.key = key;
  cache.remember(entry.path, stats, key);
  if (key !== missed && cache.holds(key)) {
    const hit = await cache.get(key);
    if (hit) return hit;
  }
  const pixels = await decode();
  cache.put(key, pixels);
  return pixels;
}

/** `fs.stat` as a promise: the callback form costs less CPU per call than `fs/promises` (a FileHandle-free path). */
function statOf(path: string): Promise<Stats> {
  return new Promise((done, fail) => stat(path, (error, stats) => (error ? fail(error) : done(stats))));
}

/**
 * A file's bytes when its size is known from a stat: open, one read, close (three calls on libuv's pool, where
 * `readFile` makes four and `fs/promises` adds a FileHandle). Reads one byte more than `size`: a file that grew or
 * shrank since the stat (or a short read) is read again whole.
 */
function readKnownSize(path: string, size: number): Promise<Buffer> {
  return new Promise<Buffer>((done, fail) => {
    open(path, 'r', (openError, fd) => {
      if (openError) {
        fail(openError);
        return;
      }
      const buffer = Buffer.allocUnsafe(size + 1);
      read(fd, buffer, 0, size + 1, 0, (readError, bytesRead) => {
        close(fd, () => {
          if (readError) fail(readError);
          else if (bytesRead !== size) readFile(path).then(done, fail);
          else done(buffer.subarray(0, bytesRead));
        });
      });
    });
  });
}

/**
 * Decodes one file's bytes with the shared decoder; an empty file is an `ImageDecodeError` saying so. With
 * `offThread`, a small JPEG is read at 1/8 scale on a worker thread first (the code `decodeImage` would run on this
 * thread); every other file, and one the worker leaves or already left, goes to `decodeImage` (sharp, on libuv's
 * pool).
 */
async function decodeFile(source: PixelSource, bytes: Uint8Array, offThread: boolean): Promise<Uint8Array> {
  if (bytes.length === 0) throw new ImageDecodeError('the file is empty');
  const maxPixels = source.maxPixels ?? MAX_INPUT_PIXELS;
  if (offThread && bytes.length <= SMALL_JPEG_BYTES && isJpeg(bytes)) {
    const pixels = await decodeSmallJpegOffThread(bytes, source.spec, maxPixels);
    if (pixels) return pixels;
  }
  return decodeImage(bytes, source.spec, { maxPixels });
}

/**
 * Calls `f` on every item with at most `limit` calls in flight; resolves with the results in order. Stops
 * starting new calls after the first rejection, and rejects with it; when `signal` aborts (the cell was
 * interrupted), starts no new call and rejects with the signal's reason.
 */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  f: (item: T, index: number) => Promise<R>,
  signal?: AbortSignal,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      if (signal?.aborted) {
        failed = true;
        throw signal.reason instanceof Error ? signal.reason : new Error('Interrupted.');
      }
      const i = next++;
      try {
        results[i] = await f(items[i]!, i);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}
