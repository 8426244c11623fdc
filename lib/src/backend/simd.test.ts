import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { simdLoops, type WasmMemory } from './simd.js';

/** The global `WebAssembly.Memory` constructor (Lepton's TypeScript settings carry no WebAssembly typings). */
const Memory = (globalThis as unknown as { WebAssembly: { Memory: new (d: { initial: number }) => WasmMemory } })
  .WebAssembly.Memory;

/** Deterministic values in [-1, 1) that are not exactly representable sums, so a change of order shows in the bits. */
function pseudoRandom(length: number, seed: number): Float32Array {
  const out = new Float32Array(length);
  let state = seed;
  for (let i = 0; i < length; i++) {
    state = (state * 1103515245 + 12345) % 2147483648;
    out[i] = (state / 1073741824 - 1) * 1.37;
  }
  return out;
}

interface Col2ImCase {
  images: number;
  oh: number;
  ow: number;
  kh: number;
  kw: number;
  cin: number;
  sh: number;
  sw: number;
}

/**
 * Runs `addColumnsToImages` on a wasm memory and, beside it, the same adds in float32 in JavaScript, in the order of
 * the per-row loop it replaced (image, output row, filter row, position): returns both padded images.
 */
function bothWays({ images, oh, ow, kh, kw, cin, sh, sw }: Col2ImCase): [Float32Array, Float32Array] {
  const [hp, wp] = [(oh - 1) * sh + kh, (ow - 1) * sw + kw];
  const taps = kh * kw * cin;
  const columns = pseudoRandom(images * oh * ow * taps, 7);
  const start = pseudoRandom(images * hp * wp * cin, 11);
  const memory = new Memory({ initial: 4 });
  const loops = simdLoops(memory);
  assert.ok(loops, 'this Node has WebAssembly SIMD');
  // 4 bytes past a 16-byte boundary: the loop must not rely on aligned tensors.
  const [srcAt, dstAt] = [4, 4 + columns.length * 4 + 12];
  new Float32Array(memory.buffer, srcAt, columns.length).set(columns);
  new Float32Array(memory.buffer, dstAt, start.length).set(start);
  // Byte strides: a position's columns, a position's step and span on the image, an image row, a whole image.
  const [srcRow, dstRow, span, line] = [taps * 4, sw * cin * 4, kw * cin * 4, wp * cin * 4];
  loops.addColumnsToImages(srcAt, dstAt, images, oh, kh, ow, srcRow, dstRow, span, line, sh, hp * line);
  const expected = Float32Array.from(start);
  for (let b = 0; b < images; b++) {
    for (let y = 0; y < oh; y++) {
      for (let i = 0; i < kh; i++) {
        for (let x = 0; x < ow; x++) {
          const from = ((b * oh + y) * ow + x) * taps + i * kw * cin;
          const to = ((b * hp + y * sh + i) * wp + x * sw) * cin;
          for (let k = 0; k < kw * cin; k++) expected[to + k] = Math.fround(expected[to + k]! + columns[from + k]!);
        }
      }
    }
  }
  return [new Float32Array(memory.buffer, dstAt, start.length).slice(), expected];
}

describe('addColumnsToImages (the col2im of a convolution input gradient, one call per part of the batch)', () => {
  const cases: [string, Col2ImCase][] = [
    [
      'overlapping windows (stride 1), spans of whole SIMD groups',
      { images: 3, oh: 5, ow: 4, kh: 3, kw: 3, cin: 8, sh: 1, sw: 1 },
    ],
    [
      'stride 2 by 1, spans with a scalar tail (3 channels)',
      { images: 2, oh: 4, ow: 5, kh: 2, kw: 3, cin: 3, sh: 2, sw: 1 },
    ],
    ['stride 1 by 3, an oblong filter, one channel', { images: 1, oh: 6, ow: 3, kh: 5, kw: 2, cin: 1, sh: 1, sw: 3 }],
    [
      'the reference CNN second layer (8 to 16 channels, 11×11 positions) for 4 images',
      { images: 4, oh: 11, ow: 11, kh: 3, kw: 3, cin: 8, sh: 1, sw: 1 },
    ],
  ];
  for (const [name, shape] of cases) {
    test(`adds each image's columns onto it with the same float32 bits as the per-row order: ${name}`, () => {
      const [got, expected] = bothWays(shape);
      assert.deepEqual(got, expected);
    });
  }
});
