// The rounding shift of a layer's outputs, checked against the layer itself run on a constant input.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { correctedBias, roundingShift, type LayerToCorrect } from './bias-correction.js';

/** Deterministic values in [-1, 1). */
function values(length: number, seed: number): Float32Array {
  return Float32Array.from({ length }, (_, i) => Math.sin(seed * 97 + i * 12.9898) % 1);
}

/** A weight and a coarse rounding of it (steps of 0.1), so the shift is large and known. */
function rounded(weight: Float32Array): Float32Array {
  return Float32Array.from(weight, (w) => Math.round(w * 10) / 10);
}

/** y = x·W (W [K, N]) or x·Wᵀ (W [N, K]) for one input row. */
function gemmRow(x: Float32Array, w: Float32Array, k: number, n: number, transB: boolean): Float64Array {
  const y = new Float64Array(n);
  for (let j = 0; j < n; j++) for (let i = 0; i < k; i++) y[j]! += x[i]! * w[transB ? j * k + i : i * n + j]!;
  return y;
}

/** A grouped Conv (no padding, stride 1) over an input whose every position holds `perChannel[c]`: one output per channel. */
function convOfConstant(perChannel: Float32Array, w: Float32Array, dims: number[], groups: number): Float64Array {
  const [outputs, perGroup] = [dims[0]!, dims[1]!];
  const window = dims[2]! * dims[3]!;
  const y = new Float64Array(outputs);
  for (let o = 0; o < outputs; o++) {
    const group = Math.floor(o / (outputs / groups));
    for (let c = 0; c < perGroup; c++)
      for (let s = 0; s < window; s++) y[o]! += w[(o * perGroup + c) * window + s]! * perChannel[group * perGroup + c]!;
  }
  return y;
}

function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>): void {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < actual.length; i++)
    assert.ok(Math.abs(actual[i]! - expected[i]!) < 1e-5, `[${i}]: ${actual[i]} vs ${expected[i]}`);
}

describe('compress bias correction', () => {
  for (const transB of [false, true]) {
    test(`a Gemm's shift is what the rounded weight adds to the output at the mean input (transB ${transB})`, () => {
      const [k, n] = [7, 5];
      const weight = values(k * n, 1);
      const dequantized = rounded(weight);
      const mean = values(k, 2);
      const layer: LayerToCorrect = {
        weight,
        dequantized,
        dims: transB ? [n, k] : [k, n],
        bias: values(n, 3),
        layout: { kind: 'gemm', transB },
      };
      const expected = gemmRow(mean, dequantized, k, n, transB).map(
        (v, j) => v - gemmRow(mean, weight, k, n, transB)[j]!,
      );
      assertClose(roundingShift(layer, mean)!, expected);
      // With the corrected bias, the rounded layer gives the float layer's output at the mean input.
      const bias = correctedBias(layer, mean)!;
      assertClose(
        gemmRow(mean, dequantized, k, n, transB).map((v, j) => v + bias[j]!),
        gemmRow(mean, weight, k, n, transB).map((v, j) => v + layer.bias[j]!),
      );
    });
  }

  for (const groups of [1, 3]) {
    test(`a Conv's shift is what the rounded kernel adds on an input at its channel means (${groups} group${groups > 1 ? 's' : ''})`, () => {
      const dims = [6, 6 / groups, 3, 2];
      const weight = values(
        dims.reduce((a, b) => a * b, 1),
        4,
      );
      const dequantized = rounded(weight);
      const mean = values(6, 5);
      const layer: LayerToCorrect = { weight, dequantized, dims, bias: values(6, 6), layout: { kind: 'conv', groups } };
      const expected = convOfConstant(mean, dequantized, dims, groups).map(
        (v, o) => v - convOfConstant(mean, weight, dims, groups)[o]!,
      );
      assertClose(roundingShift(layer, mean)!, expected);
    });
  }

  test('shapes that do not line up leave the layer alone (null), as does a weight rounded exactly', () => {
    const weight = values(12, 7);
    const layer: LayerToCorrect = {
      weight,
      dequantized: rounded(weight),
      dims: [4, 3],
      bias: values(3, 8),
      layout: { kind: 'gemm', transB: false },
    };
    assert.equal(roundingShift(layer, values(3, 9)), null, 'a mean of the wrong length');
    assert.equal(roundingShift({ ...layer, bias: values(1, 8) }, values(4, 9)), null, 'a one-value bias');
    assert.equal(
      roundingShift({ ...layer, layout: { kind: 'conv', groups: 5 } }, values(4, 9)),
      null,
      'groups that do not divide the outputs',
    );
    assert.deepEqual(correctedBias({ ...layer, dequantized: weight }, values(4, 9)), layer.bias);
  });
});
