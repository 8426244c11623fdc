// The bias column: a constant uint8 input column and one int8 weight row that reproduce a Gemm's int32 bias.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { biasColumn, biasColumnPays, TARGET_STEP, type BiasColumnCase } from './bias-column.js';

const inputScale = 0.01;
const weightScales = Float32Array.of(0.002, 0.001, 0.004);

/** The bias each channel gets back: (constant − zero point) × row × input scale × weight scale. */
function carried(c: BiasColumnCase): number[] {
  const col = biasColumn(c)!;
  const n = c.bias.length;
  return Array.from(c.bias, (_, j) => {
    let steps = 0;
    for (let i = 0; i < col.columns; i++) steps += col.rows[i * n + j]!;
    return (col.constant - c.inputZeroPoint) * steps * c.inputScale * c.weightScales[j]!;
  });
}

describe('bias column', () => {
  test('the rows times the constant give each bias back within half a step, using the room for a small step', () => {
    const c: BiasColumnCase = {
      k: 784,
      n: 3,
      bias: Float32Array.of(0.5, -0.03, 1.2),
      inputScale,
      inputZeroPoint: 0,
      weightScales,
    };
    const col = biasColumn(c)!;
    // Largest |bias| in int32 units is 1.2 / (0.01 × 0.004) = 30,000; 784 leaves 48 columns in its block of 64, and
    // 30 columns of 127 steps of 8 reach it.
    assert.equal(col.columns, 30);
    assert.ok(col.constant <= TARGET_STEP, `constant ${col.constant}`);
    const back = carried(c);
    for (let j = 0; j < 3; j++) {
      const unit = inputScale * weightScales[j]!;
      assert.ok(
        Math.abs(back[j]! - c.bias[j]!) <= (col.constant / 2) * unit + 1e-9,
        `channel ${j}: ${back[j]} vs ${c.bias[j]}`,
      );
    }
  });

  test('small biases get a small constant, so the rounding stays within a few int32 units', () => {
    const c: BiasColumnCase = {
      k: 100,
      n: 3,
      bias: Float32Array.of(1e-4, -2e-4, 2.8e-4),
      inputScale,
      inputZeroPoint: 0,
      weightScales,
    };
    const col = biasColumn(c)!;
    assert.equal(col.constant, 1);
    assert.equal(col.columns, 1);
    assert.deepEqual(Array.from(col.rows), [5, -20, 7]);
  });

  test('with the zero point near the top the constant goes below it', () => {
    const c: BiasColumnCase = {
      k: 100,
      n: 3,
      bias: Float32Array.of(0.2, -0.1, 0.3),
      inputScale,
      inputZeroPoint: 250,
      weightScales,
    };
    const col = biasColumn(c)!;
    assert.ok(col.constant < 250, `constant ${col.constant}`);
    carried(c).forEach((b, j) =>
      assert.ok(Math.abs(b - c.bias[j]!) <= ((250 - col.constant) / 2) * inputScale * weightScales[j]! + 1e-9),
    );
  });

  test('a bias one int8 row cannot reach is shared out over more columns, as many as the last block of 64 has room for', () => {
    // 0.8 / (0.01 × 0.001) = 80,000 int32 units; K = 100 leaves 28 columns.
    const c: BiasColumnCase = {
      k: 100,
      n: 3,
      bias: Float32Array.of(0.01, 0.8, -0.3),
      inputScale,
      inputZeroPoint: 0,
      weightScales,
    };
    const col = biasColumn(c)!;
    assert.equal(col.columns, 28);
    assert.ok(col.rows.every((w) => Math.abs(w) <= 127));
    carried(c).forEach((b, j) =>
      assert.ok(
        Math.abs(b - c.bias[j]!) <= (col.constant / 2) * inputScale * weightScales[j]! + 1e-9,
        `channel ${j}: ${b} vs ${c.bias[j]}`,
      ),
    );
  });

  test('a bias of zeros needs no column, and a bias of the wrong length is refused', () => {
    assert.equal(
      biasColumn({ k: 100, n: 3, bias: new Float32Array(3), inputScale, inputZeroPoint: 0, weightScales })!.columns,
      0,
    );
    assert.throws(
      () => biasColumn({ k: 100, n: 3, bias: Float32Array.of(0.1), inputScale, inputZeroPoint: 0, weightScales }),
      /bias has 1 values for 3 output channels/,
    );
  });

  test('biases needing more columns than the last block of 64 has room for are left to the Gemm', () => {
    // K = 120 leaves 8 columns; 10 / (0.01 × 0.001) = 1,000,000 int32 units needs 31.
    assert.equal(
      biasColumn({ k: 120, n: 3, bias: Float32Array.of(0, 10, 0), inputScale, inputZeroPoint: 0, weightScales }),
      null,
    );
  });

  test('it pays on wide layers whose depth leaves room in its last block of 64', () => {
    assert.equal(biasColumnPays({ k: 784, n: 1024 }), true);
    assert.equal(biasColumnPays({ k: 1024, n: 1024 }), false, 'the column would start a new block of 64');
    assert.equal(biasColumnPays({ k: 100, n: 64 }), false, 'a narrow layer');
    assert.equal(biasColumnPays({ k: 3000, n: 600 }), false, 'copying the input costs more than the bias');
  });
});
