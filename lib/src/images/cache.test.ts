import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { contentKey, PixelCache } from './cache.js';

/** The key every earlier version wrote into packs and stat indexes: a Hash object's SHA-256 digest, hex. */
function streamedSha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

describe('content keys of the pixel cache', () => {
  it('keys bytes by the SHA-256 earlier versions wrote, so existing caches stay valid', () => {
    for (const bytes of [new Uint8Array(0), Uint8Array.of(0xff, 0xd8), randomBytes(8193), randomBytes(300_000)])
      assert.equal(contentKey(bytes), streamedSha256(bytes), `${String(bytes.byteLength)} bytes`);
  });

  it('hashes only the bytes a view covers, not the rest of its buffer', () => {
    const whole = randomBytes(4096);
    const view = new Uint8Array(whole.buffer, whole.byteOffset + 100, 1000);
    assert.equal(contentKey(view), streamedSha256(whole.subarray(100, 1100)));
    assert.notEqual(contentKey(view), contentKey(whole));
  });

  it('gives bytes that differ in one bit different keys', () => {
    const bytes = randomBytes(1024);
    const flipped = Uint8Array.from(bytes);
    flipped[512]! ^= 1;
    assert.notEqual(contentKey(bytes), contentKey(flipped));
  });
});

describe('records and stat lines of the pixel cache', () => {
  const spec = { size: [4, 4] as [number, number], channels: 3 as const, fit: 'cover' as const };
  const recordBytes = 32 + 4 * 4 * 3 + 4;
  /** Random bytes as the plain Uint8Array `get` gives back (deepEqual tells a Buffer from one). */
  const pixelsOf = (bytes: Buffer) => new Uint8Array(bytes);
  /** A fresh cache folder for `f`, removed after it. */
  async function inFolder(f: (root: string) => Promise<void>): Promise<void> {
    const root = mkdtempSync(join(tmpdir(), 'lepton-cache-test-'));
    try {
      await f(root);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }

  it('gives back every record put, before and after flushes, and from a new cache on the same folder', async () => {
    await inFolder(async (root) => {
      const cache = new PixelCache(root, spec);
      await cache.open();
      // More than one flush group (256 records), flushed mid-way and at the end.
      const files = Array.from({ length: 600 }, () => pixelsOf(randomBytes(48)));
      const keys = files.map((pixels) => contentKey(pixels));
      files.forEach((pixels, i) => {
        cache.put(keys[i]!, pixels);
      });
      for (let i = 0; i < files.length; i++)
        assert.deepEqual(await cache.get(keys[i]!), files[i], `record ${String(i)}`);
      await cache.flush();
      for (let i = 0; i < files.length; i++)
        assert.deepEqual(await cache.get(keys[i]!), files[i], `record ${String(i)}`);
      const reopened = new PixelCache(root, spec);
      await reopened.open();
      for (let i = 0; i < files.length; i++)
        assert.deepEqual(await reopened.get(keys[i]!), files[i], `record ${String(i)} after reopening`);
    });
  });

  it('writes bytes put twice before a flush as one record, holding the last pixels put', async () => {
    await inFolder(async (root) => {
      const cache = new PixelCache(root, spec);
      await cache.open();
      const [first, again, other] = [pixelsOf(randomBytes(48)), pixelsOf(randomBytes(48)), pixelsOf(randomBytes(48))];
      cache.put('ab'.repeat(32), first);
      cache.put('cd'.repeat(32), other);
      cache.put('ab'.repeat(32), again);
      await cache.flush();
      const reopened = new PixelCache(root, spec);
      await reopened.open();
      assert.deepEqual(await reopened.get('ab'.repeat(32)), again);
      assert.deepEqual(await reopened.get('cd'.repeat(32)), other);
      const [folder] = readdirSync(root);
      assert.equal(statSync(join(root, folder!, 'pixels.pack')).size, 2 * recordBytes);
    });
  });

  it('writes stat lines a new cache reads back, paths with quotes and non-ASCII names included', async () => {
    await inFolder(async (root) => {
      const cache = new PixelCache(root, spec);
      await cache.open();
      const paths = ['/data/plain.jpg', '/data/"quoted" \\ name.jpg', '/data/é 猫\n.jpg'];
      paths.forEach((path, i) => {
        cache.remember(path, { size: 1000 + i, mtimeMs: 1765000000123.456 + i }, String(i).repeat(64));
      });
      await cache.flush();
      const reopened = new PixelCache(root, spec);
      await reopened.open();
      paths.forEach((path, i) => {
        assert.equal(reopened.keyOf(path, { size: 1000 + i, mtimeMs: 1765000000123.456 + i }), String(i).repeat(64));
        assert.equal(reopened.keyOf(path, { size: 1000 + i, mtimeMs: 1765000000124.456 + i }), undefined);
      });
    });
  });
});
