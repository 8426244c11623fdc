import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { BackendError } from './errors.js';
import { backend } from './select.js';

/** A seeded random tensor, so both backends see the same numbers. */
function random(shape: number[], seed: number): Float32Array {
  let state = seed;
  const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < values.length; i++) {
    state = (state * 1664525 + 1013904223) >>> 0;
    values[i] = state / 2 ** 31 - 1;
  }
  return values;
}

/** Runs `grads` on a backend and returns the gradients as plain arrays. */
async function on(name: 'cpu' | 'wasm', compute: () => tf.Tensor[]): Promise<Float32Array[]> {
  await backend(name);
  const results = tf.tidy(compute);
  const arrays = results.map((t) => t.dataSync() as Float32Array);
  tf.dispose(results);
  return arrays;
}

function assertClose(actual: Float32Array, expected: Float32Array, label: string, tolerance = 1e-4): void {
  assert.equal(actual.length, expected.length, `${label}: sizes differ`);
  let worst = 0;
  for (let i = 0; i < actual.length; i++)
    worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!) / (1 + Math.abs(expected[i]!)));
  assert.ok(worst < tolerance, `${label}: wasm differs from cpu by ${worst}`);
}

async function sameOnBothBackends(label: string, compute: () => tf.Tensor[], tolerance = 1e-4): Promise<void> {
  const expected = await on('cpu', compute);
  const actual = await on('wasm', compute);
  expected.forEach((e, i) => assertClose(actual[i]!, e, `${label} gradient ${i}`, tolerance));
}

/**
 * conv2d's input gradient for random x of `xShape`, filter of `filterShape` and dy (seeds `seed`, +1, +2), the same on
 * wasm and cpu to 1e-5.
 */
async function inputGradientOnBothBackends(
  xShape: [number, number, number, number],
  filterShape: [number, number, number, number],
  stride: number | [number, number],
  pad: 'same' | 'valid',
  seed: number,
): Promise<void> {
  await sameOnBothBackends(
    'conv2d',
    () => {
      const xs = tf.tensor<tf.Rank.R4>(random(xShape, seed), xShape);
      const w = tf.tensor<tf.Rank.R4>(random(filterShape, seed + 1), filterShape);
      const shape = tf.conv2d(xs, w, stride, pad).shape;
      const dy = tf.tensor(random(shape, seed + 2), shape);
      return [
        tf.grad((a: tf.Tensor) =>
          tf
            .conv2d(a as tf.Tensor4D, w, stride, pad)
            .mul(dy)
            .sum(),
        )(xs),
      ];
    },
    1e-5,
  );
}

describe("Lepton's wasm training kernels give the cpu backend's gradients", () => {
  before(async () => {
    await backend('wasm');
  });

  const grid: {
    x: [number, number, number, number];
    f: [number, number, number, number];
    stride: number;
    pad: 'same' | 'valid';
  }[] = [];
  for (const stride of [1, 2]) {
    for (const pad of ['same', 'valid'] as const) {
      grid.push({ x: [2, 7, 6, 3], f: [3, 3, 3, 4], stride, pad });
      grid.push({ x: [3, 8, 8, 2], f: [2, 2, 2, 5], stride, pad });
      grid.push({ x: [1, 9, 5, 1], f: [5, 3, 1, 2], stride, pad });
      // One input channel and a multiple of 4 output channels: the SIMD filter-gradient tiles.
      grid.push({ x: [3, 9, 8, 1], f: [3, 3, 1, 8], stride, pad });
      grid.push({ x: [2, 7, 7, 1], f: [5, 2, 1, 4], stride, pad });
    }
  }

  for (const { x, f, stride, pad } of grid) {
    test(`conv2d input and filter gradients match for x ${String(x)}, filter ${String(f)}, stride ${stride}, padding ${pad}`, async () => {
      await sameOnBothBackends('conv2d', () => {
        const xs = tf.tensor<tf.Rank.R4>(random(x, 1), x);
        const w = tf.tensor<tf.Rank.R4>(random(f, 2), f);
        const out = tf.conv2d(xs, w, stride, pad);
        const dy = tf.tensor(random(out.shape, 3), out.shape);
        return tf.grads((a: tf.Tensor, b: tf.Tensor) =>
          tf
            .conv2d(a as tf.Tensor4D, b as tf.Tensor4D, stride, pad)
            .mul(dy)
            .sum(),
        )([xs, w]);
      });
    });
  }

  // The one-input-channel forward convolution (SIMD, filter in registers): 4 to 16 output channels, odd image sizes,
  // strides 1–3, both paddings, square and oblong filters; 6 and 20 channels take the stock kernel and must agree too.
  const oneChannel: { x: [number, number, number, number]; f: [number, number, number, number] }[] = [
    { x: [64, 28, 28, 1], f: [3, 3, 1, 8] },
    { x: [3, 9, 7, 1], f: [3, 3, 1, 4] },
    { x: [2, 11, 13, 1], f: [5, 5, 1, 16] },
    { x: [1, 6, 9, 1], f: [2, 3, 1, 12] },
    { x: [2, 7, 5, 1], f: [1, 1, 1, 8] },
    { x: [2, 8, 8, 1], f: [3, 3, 1, 6] },
    { x: [1, 8, 8, 1], f: [3, 3, 1, 20] },
  ];
  for (const { x, f } of oneChannel) {
    for (const stride of [1, 2, 3]) {
      for (const pad of ['same', 'valid'] as const) {
        test(`a one-channel conv2d of ${String(x)} by ${String(f)}, stride ${stride}, padding ${pad}, matches to 1e-5`, async () => {
          await sameOnBothBackends(
            'one-channel conv2d',
            () => {
              const xs = tf.tensor<tf.Rank.R4>(random(x, 31), x);
              const w = tf.tensor<tf.Rank.R4>(random(f, 32), f);
              return [tf.conv2d(xs, w, stride, pad)];
            },
            1e-5,
          );
        });
      }
    }
  }

  // The same loop with a FusedConv2D's bias and ReLU in its epilogue (inference, and training through fused-conv.ts);
  // 6 channels and a leaky ReLU take the stock kernel and must agree too.
  const epilogues: { activation: 'linear' | 'relu' | 'leakyrelu'; bias: boolean }[] = [
    { activation: 'relu', bias: true },
    { activation: 'relu', bias: false },
    { activation: 'linear', bias: true },
    { activation: 'linear', bias: false },
    { activation: 'leakyrelu', bias: true },
  ];
  for (const { activation, bias } of epilogues) {
    for (const { x, f } of [oneChannel[0]!, oneChannel[2]!, oneChannel[5]!]) {
      test(`a one-channel fused conv2d of ${String(x)} by ${String(f)} with ${activation}${bias ? ' and a bias' : ''} matches to 1e-5`, async () => {
        await sameOnBothBackends(
          'one-channel fused conv2d',
          () => {
            const xs = tf.tensor<tf.Rank.R4>(random(x, 35), x);
            const w = tf.tensor<tf.Rank.R4>(random(f, 36), f);
            const b = bias ? tf.tensor1d(random([f[3]], 37)) : undefined;
            return [1, 2].flatMap((stride) =>
              (['same', 'valid'] as const).map((pad) =>
                tf.fused.conv2d({
                  x: xs,
                  filter: w,
                  strides: stride,
                  pad,
                  activation,
                  leakyreluAlpha: 0.2,
                  ...(b ? { bias: b } : {}),
                }),
              ),
            );
          },
          1e-5,
        );
      });
    }
  }

  test('a one-channel conv2d with oblong strides and explicit padding matches to 1e-5', async () => {
    await sameOnBothBackends(
      'one-channel conv2d',
      () => {
        const xs = tf.tensor<tf.Rank.R4>(random([2, 10, 9, 1], 33), [2, 10, 9, 1]);
        const w = tf.tensor<tf.Rank.R4>(random([3, 2, 1, 8], 34), [3, 2, 1, 8]);
        return [
          tf.conv2d(
            xs,
            w,
            [2, 1],
            [
              [0, 0],
              [1, 2],
              [0, 1],
              [0, 0],
            ],
          ),
        ];
      },
      1e-5,
    );
  });

  // The SIMD filter-gradient tiles (output channels a multiple of 4), at the channel counts of image CNNs: tiles of
  // 2 rows × 4 groups, 4 rows × 1–3 groups, a last tile with fewer rows or groups (3·3·3 = 27 rows; 12 channels).
  const tiled: { cin: number; cout: number }[] = [
    { cin: 1, cout: 8 },
    { cin: 3, cout: 32 },
    { cin: 8, cout: 16 },
    { cin: 16, cout: 12 },
    { cin: 32, cout: 64 },
    { cin: 64, cout: 4 },
  ];
  for (const { cin, cout } of tiled) {
    for (const batch of [1, 64]) {
      for (const stride of [1, 2]) {
        for (const pad of ['same', 'valid'] as const) {
          const x: [number, number, number, number] = batch === 1 ? [1, 11, 9, cin] : [64, 5, 4, cin];
          test(`conv2d filter and input gradients match for ${cin} to ${cout} channels, batch ${batch}, stride ${stride}, padding ${pad}`, async () => {
            await sameOnBothBackends('conv2d', () => {
              const xs = tf.tensor<tf.Rank.R4>(random(x, 21), x);
              const w = tf.tensor<tf.Rank.R4>(random([3, 3, cin, cout], 22), [3, 3, cin, cout]);
              const dy = tf.tensor(
                random(tf.conv2d(xs, w, stride, pad).shape, 23),
                tf.conv2d(xs, w, stride, pad).shape,
              );
              return tf.grads((a: tf.Tensor, b: tf.Tensor) =>
                tf
                  .conv2d(a as tf.Tensor4D, b as tf.Tensor4D, stride, pad)
                  .mul(dy)
                  .sum(),
              )([xs, w]);
            });
          });
        }
      }
    }
  }

  // Large images: the tiles walk the batch a few images per call (256 KiB of dy each), here 2 + 2 + 1 images, so the
  // sums must carry across calls and the last, shorter call must start at the right image.
  for (const pad of ['same', 'valid'] as const) {
    test(`conv2d filter gradient matches when the batch is taken in several calls of whole images, padding ${pad}`, async () => {
      await sameOnBothBackends('conv2d', () => {
        const xs = tf.tensor<tf.Rank.R4>(random([5, 22, 22, 4], 31), [5, 22, 22, 4]);
        const w = tf.tensor<tf.Rank.R4>(random([3, 3, 4, 64], 32), [3, 3, 4, 64]);
        const shape = tf.conv2d(xs, w, 1, pad).shape;
        const dy = tf.tensor(random(shape, 33), shape);
        return [
          tf.grad((b: tf.Tensor) =>
            tf
              .conv2d(xs, b as tf.Tensor4D, 1, pad)
              .mul(dy)
              .sum(),
          )(w),
        ];
      });
    });
  }

  // The input gradient's columns are made a part of whole images at a time (256 KiB: one image of the CIFAR CNN's
  // second layer, 13·13 positions × 288 taps), so each part must add onto its own images, strided and padded too.
  for (const stride of [1, 2]) {
    for (const pad of ['same', 'valid'] as const) {
      test(`conv2d input gradient matches to 1e-5 when its columns are made one image at a time, stride ${stride}, padding ${pad}`, async () => {
        await inputGradientOnBothBackends([3, 15, 15, 32], [3, 3, 32, 64], stride, pad, 41);
      });
    }
  }

  // The reference CNN's second layer (13×13×8 → 16, 3×3). 'valid': 7 images a part, so a batch of 9 is a full part
  // (copied into the buffer full parts reuse) and a shorter last one (a buffer of its own), a batch of 7 one part
  // (dy itself, not copied); 'same': 5 images a part (5 + 4, 5 + 2) and the padded result cropped.
  for (const batch of [9, 7]) {
    for (const pad of ['same', 'valid'] as const) {
      test(`conv2d input gradient matches to 1e-5 for a batch of ${batch} at 13×13×8 → 16, padding ${pad}`, async () => {
        await inputGradientOnBothBackends([batch, 13, 13, 8], [3, 3, 8, 16], 1, pad, 61);
      });
    }
  }

  // The input gradient's col2im runs a part of the batch in one wasm call: oblong strides and filters, odd sizes and
  // 'same' padding (cropped afterwards) must still land each output row's filter rows where they belong.
  for (const stride of [
    [2, 1],
    [1, 3],
  ] as [number, number][]) {
    for (const pad of ['same', 'valid'] as const) {
      test(`conv2d input gradient matches to 1e-5 for strides ${String(stride)}, a 2×3 filter, 5 channels, padding ${pad}`, async () => {
        await inputGradientOnBothBackends([3, 9, 11, 5], [2, 3, 5, 4], stride, pad, 51);
      });
    }
  }

  for (const mult of [1, 2]) {
    for (const stride of [1, 2]) {
      for (const pad of ['same', 'valid'] as const) {
        test(`depthwise conv2d gradients match for channel multiplier ${mult}, stride ${stride}, padding ${pad}`, async () => {
          await sameOnBothBackends('depthwise', () => {
            const xs = tf.tensor<tf.Rank.R4>(random([2, 7, 7, 3], 4), [2, 7, 7, 3]);
            const w = tf.tensor<tf.Rank.R4>(random([3, 3, 3, mult], 5), [3, 3, 3, mult]);
            const out = tf.depthwiseConv2d(xs, w, stride, pad);
            const dy = tf.tensor(random(out.shape, 6), out.shape);
            return tf.grads((a: tf.Tensor, b: tf.Tensor) =>
              tf
                .depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, stride, pad)
                .mul(dy)
                .sum(),
            )([xs, w]);
          });
        });
      }
    }
  }

  /** Each pair of transposeA, transposeB. */
  const transpositions = [
    [false, false],
    [true, false],
    [false, true],
    [true, true],
  ] as const;

  for (const [ta, tb] of transpositions) {
    test(`matMul with transposeA=${ta} transposeB=${tb} and its gradients match`, async () => {
      await sameOnBothBackends('matMul', () => {
        const a = tf.tensor(random([2, 5, 4], 7), ta ? [2, 4, 5] : [2, 5, 4]);
        const b = tf.tensor(random([2, 4, 3], 8), tb ? [2, 3, 4] : [2, 4, 3]);
        const [da, db] = tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.matMul(p, q, ta, tb).square().sum())([a, b]);
        return [tf.matMul(a, b, ta, tb), da!, db!];
      });
    });
  }

  // Single matrices with K ≥ 32 and N a multiple of 4 take the SIMD tiles (`matmul-tiles.ts`): full and partial
  // tiles of rows (m 5, 66) and of groups of 4 columns (n 12, 20, 36), leading axes of size 1, each transposition.
  for (const [m, k, n, lead] of [
    [5, 40, 12, []],
    [66, 33, 20, [1]],
    [9, 64, 36, [1]],
  ] as const) {
    for (const [ta, tb] of transpositions) {
      test(`a ${m}×${k}·${k}×${n} matMul (transposeA=${ta}, transposeB=${tb}) and its gradients match to 1e-5`, async () => {
        await sameOnBothBackends(
          'tiled matMul',
          () => {
            const a = tf.tensor(random([m, k], 17), [...lead, ...(ta ? [k, m] : [m, k])]);
            const b = tf.tensor(random([k, n], 18), [...lead, ...(tb ? [n, k] : [k, n])]);
            const [da, db] = tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.matMul(p, q, ta, tb).square().sum())([a, b]);
            return [tf.matMul(a, b, ta, tb), da!, db!];
          },
          1e-5,
        );
      });
    }
  }

  test('a matrix multiplied twice (tiles first, then XNNPACK with its packing cached) gives the same product', async () => {
    await backend('wasm');
    const a = tf.tensor(random([8, 48], 21), [8, 48]);
    const b = tf.tensor(random([48, 16], 22), [48, 16]);
    const first = tf.matMul(a, b);
    const second = tf.matMul(a, b);
    const expected = await on('cpu', () => [
      tf.matMul(tf.tensor(random([8, 48], 21), [8, 48]), tf.tensor(random([48, 16], 22), [48, 16])),
    ]);
    assertClose(first.dataSync() as Float32Array, expected[0]!, 'first product', 1e-5);
    assertClose(second.dataSync() as Float32Array, expected[0]!, 'second product', 1e-5);
    tf.dispose([a, b, first, second]);
  });

  // 3 channels take the JavaScript loop, 4 and 8 the SIMD ones (groups of 4 channels): a 2×2 pool of stride 2 with
  // whole windows its own loop (8×6: the windows tile the input and dx is never zeroed; 7×6: a row outside every
  // window), every other pool (3×3 of stride 3, 2×2 of stride 3 with gaps, 'same' padding past the edge) the general.
  for (const [pool, stride, pad, channels, height, width] of [
    [2, 2, 'valid', 3, 7, 6],
    [3, 2, 'same', 3, 7, 6],
    [3, 1, 'valid', 3, 7, 6],
    [2, 2, 'same', 3, 7, 6],
    [2, 2, 'valid', 8, 7, 6],
    [3, 2, 'same', 8, 7, 6],
    [3, 1, 'valid', 4, 7, 6],
    [2, 2, 'same', 8, 7, 6],
    [2, 1, 'same', 4, 7, 6],
    [2, 2, 'valid', 8, 8, 6],
    [2, 2, 'same', 4, 8, 6],
    [3, 3, 'valid', 8, 6, 6],
    [3, 3, 'same', 4, 7, 5],
    [2, 3, 'valid', 8, 7, 6],
    [2, 3, 'same', 4, 8, 7],
  ] as const) {
    test(`maxPool gradients match (ties included) for pool ${pool}, stride ${stride}, padding ${pad}, ${channels} channels, ${height}×${width}`, async () => {
      await sameOnBothBackends(
        'maxPool',
        () => {
          const xs = tf
            .tensor(random([2, height, width, channels], 11), [2, height, width, channels])
            .relu()
            .round() as tf.Tensor4D;
          const out = tf.maxPool(xs, pool, stride, pad);
          const dy = tf.tensor(random(out.shape, 12), out.shape);
          return tf.grads((a: tf.Tensor) =>
            tf
              .maxPool(a as tf.Tensor4D, pool, stride, pad)
              .mul(dy)
              .sum(),
          )([xs]);
        },
        1e-5,
      );
    });
  }

  for (const [shape, bias] of [
    [[2, 5, 5, 8], [8]],
    [[3, 4], [4]],
    [
      [2, 3, 12],
      [1, 1, 12],
    ],
    [[4, 3], [3]],
    [
      [2, 3, 4],
      [3, 4],
    ],
  ] as const) {
    test(`adding a bias ${String(bias)} to ${String(shape)} (either order), and its gradients, match`, async () => {
      await sameOnBothBackends('bias add', () => {
        const a = tf.tensor(random([...shape], 13), [...shape]);
        const b = tf.tensor(random([...bias], 14), [...bias]);
        const dy = tf.tensor(random([...shape], 15), [...shape]);
        const [da, db] = tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.add(p, q).mul(dy).sum())([a, b]);
        return [tf.add(a, b), tf.add(b, a), da!, db!];
      });
    });
  }

  for (const [shape, axis, keepDims] of [
    [[2, 5, 5, 8], [0, 1, 2], false],
    [[64, 4], 0, false],
    [[3, 4, 8], [1, 0], true],
    [[5, 3], 0, false],
    [[2, 3, 4], [0, 2], false],
    [[600, 4], [0], false],
  ] as const) {
    test(`summing ${String(shape)} over axes ${String(axis)} (keepDims ${keepDims}) matches`, async () => {
      await sameOnBothBackends('sum', () => [
        tf.sum(tf.tensor(random([...shape], 16), [...shape]), axis as number | number[], keepDims),
      ]);
    });
  }

  for (const [shape, dtype] of [
    [[10, 3, 2, 4], 'float32'],
    [[10, 3], 'float32'],
    [[10, 20], 'int32'],
    [[10], 'float32'],
  ] as const) {
    test(`gathering rows of a ${dtype} ${String(shape)} tensor matches`, async () => {
      await sameOnBothBackends('gather', () => {
        const x = tf
          .tensor(random([...shape], 17), [...shape])
          .mul(100)
          .round()
          .cast(dtype);
        const ids = tf.tensor1d([9, 0, 3, 3, 7], 'int32');
        return [
          tf.gather(x, ids).toFloat(),
          tf
            .gather(
              x,
              tf.tensor2d(
                [
                  [1, 2],
                  [8, 1],
                ],
                [2, 2],
                'int32',
              ),
            )
            .toFloat(),
          tf.gather(x, tf.tensor1d([], 'int32')).toFloat(),
        ];
      });
    });
  }

  // Contiguous blocks (a batch of rows, as predict takes them; int32; a scalar's worth) and strided ones (stock kernel).
  for (const [shape, begin, size, dtype] of [
    [[20, 4, 3, 2], [8, 0, 0, 0], [5, 4, 3, 2], 'float32'],
    [[20, 7], [19, 0], [-1, -1], 'int32'],
    [[6, 5], [2, 3], [1, 1], 'float32'],
    [[6, 5, 4], [1, 1, 0], [2, 3, 4], 'float32'],
    [[20, 4, 3, 2], [8, 1, 0, 0], [5, 2, 3, 2], 'float32'],
  ] as const) {
    test(`slicing a ${dtype} ${String(shape)} tensor from ${String(begin)}, size ${String(size)} matches`, async () => {
      await sameOnBothBackends('slice', () => {
        const x = tf
          .tensor(random([...shape], 18), [...shape])
          .mul(100)
          .round()
          .cast(dtype);
        return [tf.slice(x, [...begin], [...size]).toFloat()];
      });
    });
  }

  test('gathering rows keeps NaN, −0 and ±∞ bit for bit, in rows narrower and wider than 16 values', async () => {
    await backend('wasm');
    const special = [NaN, -0, Infinity, -Infinity, 1.5];
    for (const width of [5, 20]) {
      const values = Float32Array.from({ length: 3 * width }, (_, i) => special[i % special.length]!);
      const got = tf.tidy(() => tf.gather(tf.tensor2d(values, [3, width]), tf.tensor1d([2, 0, 2], 'int32')).dataSync());
      const want = [...values.subarray(2 * width), ...values.subarray(0, width), ...values.subarray(2 * width)];
      assert.deepEqual(
        new Uint32Array(got.buffer, got.byteOffset, got.length),
        new Uint32Array(Float32Array.from(want).buffer),
      );
    }
  });

  test('gathering a row out of range fails as on the cpu backend', async () => {
    await backend('wasm');
    assert.throws(
      () => tf.gather(tf.zeros([4, 3]), tf.tensor1d([1, 4], 'int32')),
      /GatherV2: the index value 4 is not in \[0, 3\]/,
    );
    assert.throws(
      () => tf.gather(tf.zeros([4, 3]), tf.tensor1d([1, 4], 'int32')),
      (error: unknown) => error instanceof BackendError && error.code === 'LEPTON_BACKEND_BAD_INDEX',
    );
  });

  test('the gradient of gather (UnsortedSegmentSum, as embeddings need) matches', async () => {
    await sameOnBothBackends('gather', () => {
      const table = tf.tensor(random([6, 4], 9), [6, 4]);
      const ids = tf.tensor1d([0, 3, 3, 5, 0, 1], 'int32');
      return tf.grads((t: tf.Tensor) =>
        tf
          .gather(t, ids)
          .mul(tf.range(1, 25).reshape([6, 4]))
          .sum(),
      )([table]);
    });
  });

  test('a small CNN trains on wasm and its loss goes down', async () => {
    await backend('wasm');
    // Seeded weights and no shuffling: with tfjs's unseeded defaults, an unlucky start (ReLUs dead on these tiny
    // layers) left the loss flat now and then, whatever the kernels did.
    const seeded = (seed: number) => ({ kernelInitializer: tf.initializers.glorotUniform({ seed }) });
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({
          inputShape: [8, 8, 1],
          filters: 4,
          kernelSize: 3,
          activation: 'relu',
          padding: 'same',
          ...seeded(1),
        }),
        tf.layers.maxPooling2d({ poolSize: 2 }),
        tf.layers.conv2d({ filters: 4, kernelSize: 3, strides: 2, activation: 'relu', ...seeded(2) }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 2, activation: 'softmax', ...seeded(3) }),
      ],
    });
    model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy' });
    const xs = tf.tensor(random([32, 8, 8, 1], 10), [32, 8, 8, 1]);
    const ys = tf.oneHot(
      tf.tensor1d(
        Array.from({ length: 32 }, (_, i) => i % 2),
        'int32',
      ),
      2,
    );
    const bright = xs.add(
      tf
        .oneHot(
          tf.tensor1d(
            Array.from({ length: 32 }, (_, i) => i % 2),
            'int32',
          ),
          2,
        )
        .slice([0, 1], [32, 1])
        .reshape([32, 1, 1, 1]),
    );
    // eslint-disable-next-line @typescript-eslint/no-unsafe-enum-assignment -- tfjs does not export its ModelLoggingVerbosity enum, whose SILENT is 0
    const history = await model.fit(bright, ys, { epochs: 15, batchSize: 8, shuffle: false, verbose: 0 });
    const losses = history.history.loss as number[];
    assert.ok(losses.at(-1)! < losses[0]! * 0.7, `loss went from ${losses[0]} to ${losses.at(-1)}`);
    tf.dispose([xs, ys, bright]);
    model.dispose();
  });
});
