/**
 * The disk cache of decoded pixels: one pack file per set of decoding options under
 * `<Lepton home>/cache/images/<options key>/`, holding fixed-size records (the SHA-256 of a file's bytes, its
 * pixels, a CRC-32), and beside it a stat index (path, size, mtime → SHA-256). A re-run stats each file, finds its
 * content key in the stat index and its pixels in the pack, and reads no source file; a file that changed (other
 * size or mtime) is read and hashed again. Another dataset holding the same bytes (renamed, moved) finds them by
 * content. Changing the size, channels or fit changes the options key. A torn record fails its CRC and is decoded
 * again, never trusted.
 */
import { hash } from 'node:crypto';
import { mkdirSync, type Stats } from 'node:fs';
import { appendFile, open, readFile, stat, truncate, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { leptonHome } from '@lepton/server/home';
import type { ImageSpec } from '@lepton/server/preprocess';

/** What decides the pixels of a file besides its bytes (bump `DECODER_VERSION` when decoding changes; 2: JPEGs at least 8× the asked size are read at 1/8 scale). */
const DECODER_VERSION = 2;

/** Bytes of a content key in a pack record (a SHA-256 digest). */
const KEY_BYTES = 32;

/** Records are appended in groups of this many (one write each), so a cold read of 10,000 files makes ~40 writes. */
const FLUSH_EVERY = 256;

/** Packs up to this size are read whole into memory when opened (a dataset's pixels held in memory are as large). */
const PACK_IN_MEMORY = 256 * 1024 * 1024;

/** The default cache folder: `cache/images` in the Lepton home (the model server's rule: `LEPTON_HOME`, else `~/.lepton`). */
export function defaultCacheDir(): string {
  return join(leptonHome(), 'cache', 'images');
}

/**
 * The SHA-256 of a file's bytes, hex: its cache key. The one-shot `hash` builds no Hash object: a cold dataset hashes
 * every file on the decode workers, and 10,000 Hash objects (each wrapping a native context) were garbage for V8's
 * helper threads to collect.
 */
export function contentKey(bytes: Uint8Array): string {
  return hash('sha256', bytes, 'hex');
}

/** What the stat index remembers of a file: its size and modification time, and the content key they vouch for. */
interface StatRecord {
  size: number;
  mtimeMs: number;
  key: string;
}

/**
 * Pixels on disk for one set of decoding options: a pack of fixed-size records and a stat index. Call `open()`
 * before use and `flush()` when a batch of `put`s is done (records not yet flushed are only lost to the cache).
 */
export class PixelCache {
  private readonly dir: string;
  private readonly packPath: string;
  private readonly statPath: string;
  /** Bytes of one record: key, pixels, CRC-32 of both. */
  private readonly recordBytes: number;
  /** Record offsets in the pack, by content key (hex). */
  private readonly offsets = new Map<string, number>();
  private readonly stats = new Map<string, StatRecord>();
  /** The whole pack when it was small enough to read at open; else records are read one by one. */
  private packBytes: Buffer | undefined;
  private opened: Promise<void> | undefined;
  /** Records put and not yet flushed, by key: found by `get` before they reach the pack. They view `group`. */
  private pendingRecords = new Map<string, Buffer>();
  /**
   * The buffer the records of the next flush are written into, one after another in the order of `pendingRecords`
   * (allocated at the first `put` after a flush): the flush appends it as it is, with no per-record buffer and no
   * copy to join them (with the stat lines' arrays, 0.004 ms of the kernel thread's CPU per cold file, ~5%).
   */
  private group: Buffer | undefined;
  /** Records being appended (found by `get` until their offsets are known). */
  private writingRecords = new Map<string, Buffer>();
  private pendingStats: string[] = [];
  /** Whether the stat index ends mid-line (a torn append): the next append starts a new line first. */
  private statTorn = false;
  private writing: Promise<void> = Promise.resolve();

  /**
   * @param root the cache folder (e.g. `defaultCacheDir()`)
   * @param spec the decoding options: entries of other options never mix
   */
  constructor(root: string, spec: Pick<ImageSpec, 'size' | 'channels' | 'fit'>) {
    const options = JSON.stringify({ v: DECODER_VERSION, size: spec.size, channels: spec.channels, fit: spec.fit });
    this.dir = join(root, hash('sha256', options, 'hex').slice(0, 16));
    this.packPath = join(this.dir, 'pixels.pack');
    this.statPath = join(this.dir, 'stat.jsonl');
    this.recordBytes = KEY_BYTES + spec.size[0] * spec.size[1] * spec.channels + 4;
  }

  /** Reads the pack's keys and the stat index (once; later calls wait for the first). */
  open(): Promise<void> {
    this.opened ??= this.load();
    return this.opened;
  }

  private async load(): Promise<void> {
    mkdirSync(this.dir, { recursive: true });
    let size = 0;
    try {
      size = (await stat(this.packPath)).size;
    } catch {
      // No pack yet: the first flush makes it.
    }
    // A record torn by a crash leaves a partial tail: cut it, so that the records appended after it stay aligned.
    const whole = size - (size % this.recordBytes);
    if (whole !== size) await truncate(this.packPath, whole);
    if (whole === 0) {
      this.packBytes = Buffer.alloc(0);
    } else if (whole <= PACK_IN_MEMORY) {
      this.packBytes = (await readFile(this.packPath)).subarray(0, whole);
      for (let at = 0; at < whole; at += this.recordBytes)
        this.offsets.set(this.packBytes.toString('hex', at, at + KEY_BYTES), at);
    } else {
      // Only the keys, 4 MB at a time: the pixels stay on disk and are read record by record.
      await withHandle(this.packPath, 'r', async (handle) => {
        const per = Math.max(1, Math.floor((4 * 1024 * 1024) / this.recordBytes));
        const chunk = Buffer.allocUnsafe(per * this.recordBytes);
        for (let at = 0; at < whole; at += per * this.recordBytes) {
          const { bytesRead } = await handle.read(chunk, 0, chunk.length, at);
          for (let r = 0; r + this.recordBytes <= bytesRead; r += this.recordBytes)
            this.offsets.set(chunk.toString('hex', r, r + KEY_BYTES), at + r);
        }
      });
    }
    let text = '';
    try {
      text = await readFile(this.statPath, 'utf8');
    } catch {
      // No stat index yet: every file is read and hashed once.
    }
    this.statTorn = text.length > 0 && !text.endsWith('\n');
    for (const line of text.split('\n')) {
      if (line === '') continue;
      try {
        const [path, size, mtimeMs, key] = JSON.parse(line) as [string, number, number, string];
        if (typeof path === 'string' && typeof key === 'string') this.stats.set(path, { size, mtimeMs, key });
      } catch {
        // A line torn by a crash: that file is hashed again.
      }
    }
  }

  /** Whether the stat index has a record of `path` (else `keyOf` is undefined whatever the file's stat). */
  knows(path: string): boolean {
    return this.stats.has(path);
  }

  /** The content key recorded for `path` when its size and mtime are still those of `stats`, else undefined. */
  keyOf(path: string, stats: Pick<Stats, 'size' | 'mtimeMs'>): string | undefined {
    const known = this.stats.get(path);
    return known && known.size === stats.size && known.mtimeMs === stats.mtimeMs ? known.key : undefined;
  }

  /** Remembers that `path`, with this size and mtime, has content key `key` (written at the next flush). */
  remember(path: string, stats: Pick<Stats, 'size' | 'mtimeMs'>, key: string): void {
    const known = this.stats.get(path);
    if (known && known.key === key && known.size === stats.size && known.mtimeMs === stats.mtimeMs) return;
    this.stats.set(path, { size: stats.size, mtimeMs: stats.mtimeMs, key });
    // The line `JSON.stringify([path, size, mtimeMs, key])` writes, built without the array: only the path needs
    // quoting (a finite number prints the same either way, and a key is hex).
    this.pendingStats.push(`[${JSON.stringify(path)},${stats.size},${stats.mtimeMs},"${key}"]\n`);
    if (this.pendingStats.length >= FLUSH_EVERY) void this.flush();
  }

  /**
   * Whether a record of `key` is put or in the pack (`get` may still find it torn). Synchronous: a cold dataset asks it
   * of every new file, and an awaited `get` that misses is a promise and a microtask hop more per file on the kernel's
   * thread.
   */
  holds(key: string): boolean {
    return this.pendingRecords.has(key) || this.writingRecords.has(key) || this.offsets.has(key);
  }

  /** The cached pixels of the file with `key`, or undefined (absent, or torn: its CRC is wrong). */
  async get(key: string): Promise<Uint8Array | undefined> {
    const pending = this.pendingRecords.get(key) ?? this.writingRecords.get(key);
    const at = this.offsets.get(key);
    if (pending === undefined && at === undefined) return undefined;
    let record: Buffer;
    if (pending) {
      record = pending;
    } else if (this.packBytes && at! + this.recordBytes <= this.packBytes.length) {
      record = this.packBytes.subarray(at, at! + this.recordBytes);
    } else {
      const read = Buffer.allocUnsafe(this.recordBytes);
      const { bytesRead } = await withHandle(this.packPath, 'r', (handle) =>
        handle.read(read, 0, this.recordBytes, at),
      );
      if (bytesRead !== this.recordBytes) return undefined;
      record = read;
    }
    const end = this.recordBytes - 4;
    if (crc32(record.subarray(0, end)) !== record.readUInt32LE(end) || record.toString('hex', 0, KEY_BYTES) !== key)
      return undefined;
    return new Uint8Array(record.buffer, record.byteOffset + KEY_BYTES, end - KEY_BYTES);
  }

  /** Stores `pixels` for `key` (appended to the pack at the next flush; until then `get` finds it in memory). */
  put(key: string, pixels: Uint8Array): void {
    // The same bytes under two paths, decoded at once, are put twice: the second rewrites the first's record.
    let record = this.pendingRecords.get(key);
    if (record === undefined) {
      this.group ??= Buffer.allocUnsafe(FLUSH_EVERY * this.recordBytes);
      const at = this.pendingRecords.size * this.recordBytes;
      record = this.group.subarray(at, at + this.recordBytes);
    }
    record.write(key, 0, KEY_BYTES, 'hex');
    record.set(pixels, KEY_BYTES);
    const end = this.recordBytes - 4;
    record.writeUInt32LE(crc32(record.subarray(0, end)), end);
    this.pendingRecords.set(key, record);
    if (this.pendingRecords.size >= FLUSH_EVERY) void this.flush();
  }

  /**
   * Writes the records and stat lines put since the last flush: the records in one append (O_APPEND puts it whole at
   * the pack's end, so processes sharing a cache never interleave inside a record), then the stat lines, so a stat
   * line never vouches for a record that is not written. Resolves when everything put so far is on disk.
   */
  flush(): Promise<void> {
    const pending = this.pendingRecords;
    const keys = [...pending.keys()];
    const bytes = this.group?.subarray(0, keys.length * this.recordBytes);
    const lines = this.pendingStats;
    for (const [key, record] of pending) this.writingRecords.set(key, record);
    this.pendingRecords = new Map();
    this.group = undefined;
    this.pendingStats = [];
    this.writing = this.writing
      .then(async () => {
        if (bytes !== undefined && keys.length > 0) {
          // 'a': every write lands at the pack's end, whatever other writers did.
          const [before, after] = await withHandle(this.packPath, 'a', async (handle) => {
            const start = (await handle.stat()).size;
            await handle.appendFile(bytes);
            return [start, (await handle.stat()).size];
          });
          // The pack grew by exactly these records: nobody else appended meanwhile, so they start at `before`. Otherwise
          // their places are found at the next open (and `get` checks each record's key, so a wrong place is a miss).
          if (after - before === bytes.length) {
            keys.forEach((key, i) => this.offsets.set(key, before + i * this.recordBytes));
          }
        }
        if (lines.length > 0) {
          await appendFile(this.statPath, (this.statTorn ? '\n' : '') + lines.join(''));
          this.statTorn = false;
        }
      })
      .catch(() => {
        // A cache that cannot be written (disk full, read-only home) costs a decode at the next run, never data or the
        // kernel: the pixels in hand are already returned.
      })
      .finally(() => {
        for (const key of pending.keys())
          if (this.writingRecords.get(key) === pending.get(key)) this.writingRecords.delete(key);
      });
    return this.writing;
  }
}

/** Runs `f` on the file opened with `flags`, and closes it whatever happens (no handle outlives its use). */
async function withHandle<T>(path: string, flags: string, f: (handle: FileHandle) => Promise<T>): Promise<T> {
  const handle = await open(path, flags);
  try {
    return await f(handle);
  } finally {
    await handle.close();
  }
}
