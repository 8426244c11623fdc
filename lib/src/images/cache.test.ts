import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { contentKey } from './cache.js';

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
