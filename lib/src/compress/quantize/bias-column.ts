/**
 * A Gemm's bias carried by its quantized input instead of by the Gemm: constant columns appended to the uint8 input
 * (a Pad) and as many rows appended to the int8 weight, so that the rows times the constant sum to the int32 bias.
 *
 * Why: onnxruntime's QGemm writes an int32 bias into its whole M×N accumulator on one thread before the GEMM starts
 * (then accumulates onto it), which on a 256×784 → 1024 layer took about a third of the layer's time. The column costs
 * a copy of the M×K uint8 input, and nothing in the GEMM itself when K is not a multiple of 64: onnxruntime's int8
 * kernels run K in blocks of 64 (AMX), so the extra columns fall in the last block's padding. Measured on the
 * 784-1024-1024-10 MLP at batch 256: 4–9% more throughput than the same file with its int32 bias, and within a few %
 * at batch 1 (BENCHMARKS.md, compress).
 */
import { roundHalfEven, WEIGHT_LEVELS } from '../../onnx/quant-math.js';
import { InternalError } from '../../core/errors.js';

/** onnxruntime's int8 GEMM kernels process the depth K in blocks of this many values. */
export const DEPTH_BLOCK = 64;

/** What a Gemm offers for the move. */
export interface BiasColumnCase {
  /** Depth (rows of the [K, N] weight). */
  k: number;
  /** Output channels (columns of the weight). */
  n: number;
  /** The float bias, one per output channel. */
  bias: Float32Array;
  /** The input's scale and uint8 zero point. */
  inputScale: number;
  inputZeroPoint: number;
  /** The weight's scales: one per output channel, or one for the tensor. */
  weightScales: Float32Array;
  /** The largest weight magnitude a row may hold (default 127; 63 with a reduced range). */
  levels?: number;
}

/** How to carry the bias: the uint8 value of the constant columns, how many, and the int8 weight rows. */
export interface BiasColumn {
  /** The columns' uint8 value. */
  constant: number;
  /** How many columns (and weight rows); 0 when the bias is all zeros and can simply be dropped. */
  columns: number;
  /**
   * The weight rows, `columns` × N row-major: (constant − zero point) × the column sum of the rows ≈ bias / (input
   * scale × weight scale), per output channel.
   */
  rows: Int8Array;
}

/**
 * Output channels below which the move is not made: on small layers the broadcast is cheap and the Pad is one more
 * operator to dispatch on every run (measured a gain at 1024; not measured below).
 */
export const MIN_OUTPUTS = 512;

/**
 * Whether the move pays for `c`: a wide layer, the columns falling into the padding of the last depth block, and the
 * copy of the input (K bytes a row) smaller than the bias it replaces (4·N bytes a row).
 */
export function biasColumnPays(c: Pick<BiasColumnCase, 'k' | 'n'>): boolean {
  return c.n >= MIN_OUTPUTS && c.k % DEPTH_BLOCK !== 0 && c.k <= 4 * c.n;
}

/** The rounding step (in int32 units) the columns aim for, using more of the room in the last block when it has it. */
export const TARGET_STEP = 8;

/**
 * The constant, column count and weight rows that carry `c.bias`, or null when the biases need more columns than the
 * last depth block has room for. Each column reaches `levels` × (constant − zero point) int32 units, and the rounding
 * error per channel is at most half of (constant − zero point): enough columns are used (within the room) for that
 * step to be at most `TARGET_STEP`, i.e. within 4 int32 units of the int32 bias, where the biases allow. A bias of
 * zeros needs no column at all (`columns` 0).
 */
export function biasColumn(c: BiasColumnCase): BiasColumn | null {
  if (c.bias.length !== c.n) throw new InternalError(`bias has ${c.bias.length} values for ${c.n} output channels`);
  const units = Float64Array.from(
    c.bias,
    (b, j) => b / (c.inputScale * c.weightScales[c.weightScales.length === 1 ? 0 : j]!),
  );
  const largest = units.reduce((m, u) => Math.max(m, Math.abs(u)), 0);
  if (largest === 0) return { constant: c.inputZeroPoint, columns: 0, rows: new Int8Array(0) };
  const room = DEPTH_BLOCK - (c.k % DEPTH_BLOCK);
  // The columns' value after the zero point is subtracted: above the zero point when there is more room there.
  const up = 255 - c.inputZeroPoint;
  const reach = Math.max(up, c.inputZeroPoint);
  const levels = c.levels ?? WEIGHT_LEVELS;
  const fewest = Math.ceil(largest / (levels * reach));
  if (fewest > room) return null;
  const columns = Math.min(room, Math.max(fewest, Math.ceil(largest / (levels * TARGET_STEP))));
  const magnitude = Math.max(1, Math.ceil(largest / (levels * columns)));
  const step = up >= magnitude ? magnitude : -magnitude;
  const n = units.length;
  const rows = new Int8Array(columns * n);
  for (let j = 0; j < n; j++) {
    // The channel's total in int8 steps, shared out as evenly as the columns allow (|total| ≤ levels × columns).
    const total = roundHalfEven(units[j]! / step);
    const share = Math.trunc(total / columns);
    const rest = total - share * columns;
    for (let i = 0; i < columns; i++) rows[i * n + j] = share + (i < Math.abs(rest) ? Math.sign(rest) : 0);
  }
  return { constant: c.inputZeroPoint + step, columns, rows };
}
