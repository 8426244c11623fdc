import type * as tf from '@tensorflow/tfjs';
import { filterGradTileLoop, isWasmMemory, type FilterGradTileLoop, type WasmMemory } from './simd.js';
import { address, type HeapBackend } from './heap.js';

/**
 * The largest B (the right-hand matrix, K × N float32) multiplied in tiles: 512 KiB, the size of this VM's L2. Every
 * tile of output rows walks all of B, so a B that does not stay in cache is read from memory once per tile, while
 * XNNPACK blocks for the cache.
 */
const tiledBytesLimit = 1 << 19;

/**
 * The most output rows (M) multiplied in tiles. The tiles do ~7 G multiply-adds/s here against XNNPACK's ~14, but
 * XNNPACK first packs B (~9 ns per value of B, with the operator's creation): measured on the VM, the tiles win up to
 * M ≈ 120 (a batch of 64 through a dense layer: 0.34 → 0.24 ms at 64×400×64) and lose beyond (the weight gradient
 * 400×64×64 with A transposed: 0.19 → 0.23 ms).
 */
const tiledRowsLimit = 128;

/**
 * The fewest K multiplied in tiles: each call of a tile loop walks K positions, and a call from JavaScript costs
 * ~0.3 µs; below this the calls cost more than XNNPACK's packing (64×10×64 measured 0.02 ms stock, 0.05 in tiles).
 */
const tiledDepthMin = 32;

/**
 * The B buffers already multiplied once, as given and as given transposed. XNNPACK caches its packing of B by buffer,
 * so a B seen before (a constant weight at inference, a loop over one matrix) is better given to it: from the second
 * product on it does no packing. In training every B is new (weights are rewritten each step), and a weight is used
 * once as given (forward) and once transposed (its input's gradient): the tiles take them all.
 */
const seenB = { given: new WeakSet(), transposed: new WeakSet() };

/**
 * Output rows and groups of 4 output columns per tile: 8 sums in registers (measured fastest on x64 against 4 to 12,
 * for 1 to 128 channels of a convolution's filter gradient: more spill, fewer reload the inputs), as 2 rows × 4
 * groups where there are 16 output columns or more, else 4 rows by what there is.
 */
export function tileFor(n: number): { rows: number; groups: number } {
  const groups = Math.min(4, n / 4);
  return { rows: groups === 4 ? 2 : 4, groups };
}

/** A tile loop by its rows and groups of 4 columns: one of those {@link tileLoops} found for a product. */
export type TileLoopFor = (rows: number, groups: number) => FilterGradTileLoop;

/**
 * The loops a product tiled by `tile` over `rowCount` output rows and `groupCount` groups of 4 columns calls: the
 * full tile and the partial ones at the last rows and groups, each a loop compiled for its size, looked up here once
 * per product (not per tile: a 64×64 output is 128 tiles); null where they are not available (no SIMD).
 */
export function tileLoops(
  memory: WasmMemory,
  tile: { rows: number; groups: number },
  rowCount: number,
  groupCount: number,
): TileLoopFor | null {
  const [fullRows, lastRows] = [Math.min(tile.rows, rowCount), rowCount % tile.rows || tile.rows];
  const [fullGroups, lastGroups] = [Math.min(tile.groups, groupCount), groupCount % tile.groups || tile.groups];
  const loops = [
    [filterGradTileLoop(memory, fullRows, fullGroups), filterGradTileLoop(memory, fullRows, lastGroups)],
    [filterGradTileLoop(memory, lastRows, fullGroups), filterGradTileLoop(memory, lastRows, lastGroups)],
  ] as const;
  if (loops.some((pair) => pair.some((loop) => loop === null))) return null;
  return (rows, groups) => loops[rows === fullRows ? 0 : 1][groups === fullGroups ? 0 : 1]!;
}

/** The matrix sizes of a product of two matrices (leading axes of size 1 allowed), or undefined for a batch. */
function matrixOf(shape: number[]): [number, number] | undefined {
  if (shape.length < 2 || shape.slice(0, -2).some((d) => d !== 1)) return undefined;
  return [shape[shape.length - 2]!, shape[shape.length - 1]!];
}

/**
 * C = A·B (or Aᵀ·B) for float32 matrices on the wasm heap, in the SIMD tiles of the convolution's filter gradient
 * (`filterGradTile` in `simd.ts`: C[r, :] += Σ_p X[p, r] · B[p, :], here with one "image" of one "row" of K
 * positions, X[p, r] = A[r, p] or, transposed, A[p, r]). `b` must be K × N in row-major order (the caller transposes
 * a transposed B first; `given` names the B it was handed). Undefined where the tiles do not apply or
 * would lose: a batch of matrices, N not a multiple of 4, B over `tiledBytesLimit`, M over `tiledRowsLimit`, K under
 * `tiledDepthMin`, a B
 * multiplied before, not float32, no SIMD.
 *
 * Why: XNNPACK, which the stock kernel calls, packs B into its own layout and caches the packing by B's buffer. In
 * training B is never the same buffer twice (the weights are rewritten each step, the gradient products multiply
 * activations and output gradients), so every product paid the packing and an operator's creation: at the dense
 * layers of a small CNN that doubled the product's time. The tiles read A and B where they lie.
 */
export function tiledMatMul(
  backend: tf.KernelBackend,
  a: tf.TensorInfo,
  b: tf.TensorInfo,
  transposeA: boolean,
  given: { dataId: object; transposed: boolean },
): tf.TensorInfo | undefined {
  const memory = (backend as unknown as HeapBackend).wasm?.asm?.memory;
  const aMatrix = matrixOf(a.shape);
  const bMatrix = matrixOf(b.shape);
  if (!aMatrix || !bMatrix || a.dtype !== 'float32' || b.dtype !== 'float32' || !isWasmMemory(memory)) return undefined;
  const [m, k] = transposeA ? [aMatrix[1], aMatrix[0]] : aMatrix;
  const [kb, n] = bMatrix;
  if (kb !== k || n % 4 !== 0 || k * n * 4 > tiledBytesLimit || m > tiledRowsLimit || m === 0 || k < tiledDepthMin)
    return undefined;
  const seen = given.transposed ? seenB.transposed : seenB.given;
  if (seen.has(given.dataId)) return undefined;
  seen.add(given.dataId);
  const tile = tileFor(n);
  const loopFor = tileLoops(memory, tile, m, n / 4);
  if (!loopFor) return undefined;
  const heap = backend as unknown as HeapBackend;
  const rank = Math.max(a.shape.length, b.shape.length);
  const out = heap.makeOutput([...Array<number>(rank - 2).fill(1), m, n], 'float32');
  // The tiles add their sums to the output.
  heap.typedArrayFromHeap(out).fill(0);
  const [aAt, bAt, outAt] = [address(backend, a), address(backend, b), address(backend, out)];
  const rowBytes = n * 4;
  // Row r of C reads A's row r (values 4 bytes apart) or, transposed, A's column r (values m·4 bytes apart).
  const [rowOffset, stepBytes] = transposeA ? [4, m * 4] : [k * 4, 4];
  for (let r0 = 0; r0 < m; r0 += tile.rows) {
    const rows = Math.min(tile.rows, m - r0);
    const offsets = Array.from({ length: rows }, (_, i) => (r0 + i) * rowOffset);
    for (let g0 = 0; g0 < n / 4; g0 += tile.groups) {
      const groups = Math.min(tile.groups, n / 4 - g0);
      loopFor(rows, groups)(
        aAt,
        bAt + g0 * 16,
        outAt + r0 * rowBytes + g0 * 16,
        1,
        1,
        k,
        0,
        0,
        stepBytes,
        rowBytes,
        ...offsets,
      );
    }
  }
  return out;
}
