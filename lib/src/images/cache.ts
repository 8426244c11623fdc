/**
 * The disk cache of decoded pixels: one file per image under `<Lepton home>/cache/images/<options key>/`, named
 * by the SHA-256 of the file's bytes. A re-run, a second epoch or another dataset holding the same file (renamed,
 * moved) reads the pixels instead of decoding again; changing the size, channels or fit changes the options key.
 * Each entry ends with the CRC-32 of its pixels, so a torn or stale entry is decoded again, never trusted.
 */
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { crc32 } from 'node:zlib';
import type { ImageSpec } from '@lepton/server/preprocess';

/** What decides the pixels of a file besides its bytes (bump `DECODER_VERSION` when decoding changes). */
const DECODER_VERSION = 1;

/** The default cache folder: `<LEPTON_HOME or ~/.lepton>/cache/images`. */
export function defaultCacheDir(): string {
  return resolve(process.env.LEPTON_HOME ?? join(homedir(), '.lepton'), 'cache', 'images');
}

/** The SHA-256 of a file's bytes, hex: its cache key. */
export function contentKey(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Pixels on disk for one set of decoding options. */
export class PixelCache {
  private readonly dir: string;
  private readonly made = new Set<string>();

  /**
   * @param root the cache folder (e.g. `defaultCacheDir()`)
   * @param spec the decoding options: entries of other options never mix
   */
  constructor(root: string, spec: Pick<ImageSpec, 'size' | 'channels' | 'fit'>) {
    const options = JSON.stringify({ v: DECODER_VERSION, size: spec.size, channels: spec.channels, fit: spec.fit });
    this.dir = join(root, createHash('sha256').update(options).digest('hex').slice(0, 16));
  }

  private path(key: string): string {
    return join(this.dir, key.slice(0, 2), `${key}.px`);
  }

  /** The cached pixels of the file with `key`, or undefined (absent, or torn: its length or CRC is wrong). */
  async get(key: string, length: number): Promise<Uint8Array | undefined> {
    let bytes: Buffer;
    try {
      bytes = await readFile(this.path(key));
    } catch {
      return undefined;
    }
    if (bytes.length !== length + 4) return undefined;
    const pixels = new Uint8Array(bytes.buffer, bytes.byteOffset, length);
    return crc32(pixels) === bytes.readUInt32LE(length) ? pixels : undefined;
  }

  /**
   * Stores `pixels` for `key`, written in place: a reader of a half-written entry (or of one torn by a crash; it is
   * not fsynced) finds its length or CRC wrong and decodes the file again, so no temporary file and rename are
   * needed (they cost as much as the write here); two writers of one key write the same bytes.
   */
  async put(key: string, pixels: Uint8Array): Promise<void> {
    const path = this.path(key);
    const folder = join(this.dir, key.slice(0, 2));
    if (!this.made.has(folder)) {
      mkdirSync(folder, { recursive: true });
      this.made.add(folder);
    }
    const out = Buffer.allocUnsafe(pixels.length + 4);
    out.set(pixels);
    out.writeUInt32LE(crc32(pixels), pixels.length);
    await writeFile(path, out);
  }
}
