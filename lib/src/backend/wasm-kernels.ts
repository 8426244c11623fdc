import * as tf from '@tensorflow/tfjs';
import { BackendError } from './errors.js';
import { isWasmMemory, oneChannelConvLoop, type ConvEpilogue, type FilterGradTileLoop } from './simd.js';
import { address, heapWords, loopsOf, type HeapBackend } from './heap.js';
import { installReluGrad } from './relu-grad.js';
import { installConvBiasRelu } from './fused-conv.js';
import { registeredKernel } from './registry.js';
import { tiledMatMul, tileFor, tileLoops } from './matmul-tiles.js';

type Info = tf.TensorInfo;
/**
 * The attributes these kernels read, typed as tfjs's kernel attribute interfaces declare them (`Conv2DBackpropInputAttrs`,
 * `MaxPoolGradAttrs`, `SliceAttrs`, …); tfjs hands each kernel the ones of its own op.
 */
interface Attrs {
  readonly [name: string]: unknown;
  transposeA?: boolean;
  transposeB?: boolean;
  dataFormat?: string;
  dilations?: number | [number, number];
  strides?: number | [number, number];
  pad?: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil' | undefined;
  inputShape?: [number, number, number, number];
  filterShape?: [number, number, number, number];
  filterSize?: number | [number, number];
  numSegments?: number;
  axis?: number | number[];
  batchDims?: number;
  begin?: number | number[];
  size?: number | number[];
  keepDims?: boolean;
  activation?: string;
}
type KernelArgs = { inputs: Record<string, Info>; backend: tf.KernelBackend; attrs?: Attrs };
type Kernel = (args: KernelArgs) => Info;
/** A stock wasm kernel: it takes any op's attributes (a StridedSlice's `strides` has four entries, not two). */
type StockKernel = (args: {
  inputs: Record<string, Info>;
  backend: tf.KernelBackend;
  attrs?: Readonly<Record<string, unknown>>;
}) => Info;

/**
 * The kernels of the `wasm` backend that Lepton replaces or adds so that it trains CNNs and MLPs fast. Each is
 * written with the backend's own fast kernels (XNNPACK convolutions and matmuls, C++ transposes, pads, slices):
 * - `BatchMatMul`, `_FusedMatMul`: transposes first, so every multiply takes XNNPACK's fast (untransposed) path;
 *   a single small product whose B is new (every one in training) in SIMD tiles instead (`matmul-tiles.ts`);
 * - `Conv2D` with one input channel (a grayscale image's first layer): a SIMD loop with the filter in registers;
 * - `Conv2DBackpropInput`: one matrix product of dy by the filter, its columns added back onto the input (SIMD);
 *   where that does not apply, a forward convolution of the (dilated, padded) output gradient with the flipped filter;
 * - `Conv2DBackpropFilter`: a matrix product in SIMD tiles read straight from the input and the output gradient
 *   (`simd.ts`); where the tiles do not apply, one dilated convolution of the input (batch as channels) by the output
 *   gradient;
 * - `DepthwiseConv2dNativeBackpropInput`/`Filter`: the same two ideas for depthwise convolutions;
 * - `UnsortedSegmentSum` (the gradient of `gather`, hence of embeddings): one pass over the rows;
 * - `MaxPoolGrad`: one SIMD pass over the windows on the wasm heap (the stock C++ loop is several times slower),
 *   a 2×2 pool of stride 2 with whole windows one that writes each window's four elements from masks;
 * - `GatherV2` along the first axis: one block copy per row (how `fit` draws shuffled batches);
 * - `Slice` of a contiguous block (a batch of rows: how `predict` and unshuffled `fit` take batches): one copy of the
 *   block, where the stock kernel first copies the whole input off the heap;
 * - `Add` of a bias along the last axis and `Sum` over leading axes (a bias's gradient): SIMD loops (`simd.ts`);
 * - `Identity` (tfjs clones what gradients need): shares the memory, counting the reference, instead of copying.
 * Besides these, ReLU's gradient becomes one SIMD pass (`relu-grad.ts`).
 */
export const replacedWasmKernels = [
  'BatchMatMul',
  '_FusedMatMul',
  'Conv2D',
  'FusedConv2D',
  'Conv2DBackpropInput',
  'Conv2DBackpropFilter',
  'DepthwiseConv2dNativeBackpropInput',
  'DepthwiseConv2dNativeBackpropFilter',
  'UnsortedSegmentSum',
  'MaxPoolGrad',
  'GatherV2',
  'Slice',
  'Add',
  'Sum',
  'Identity',
] as const;

/** The stock wasm kernels our replacements call, captured before any is replaced. */
const stock = new Map<string, StockKernel>();

function kernel(name: string): StockKernel {
  const found = stock.get(name) ?? (registeredKernel(name, 'wasm')?.kernelFunc as StockKernel | undefined);
  if (!found)
    throw new BackendError(
      'LEPTON_BACKEND_KERNEL',
      `The wasm backend has no '${name}' kernel, which Lepton's training kernels need.`,
    );
  return found;
}

/** Runs stock kernels and frees every intermediate result when done, except the ones kept. */
class Scope {
  private readonly temps: Info[] = [];
  constructor(private readonly backend: tf.KernelBackend) {}

  run(name: string, inputs: Record<string, Info> | Info[], attrs: Readonly<Record<string, unknown>> = {}): Info {
    const out = kernel(name)({ inputs: inputs as Record<string, Info>, backend: this.backend, attrs });
    this.temps.push(out);
    return out;
  }

  reshape(x: Info, shape: number[]): Info {
    return this.run('Reshape', { x }, { shape });
  }

  transpose(x: Info, perm: number[]): Info {
    return this.run('Transpose', { x }, { perm });
  }

  /** Counts `info` (made outside `run`) among the intermediates, to be freed with them. */
  adopt(info: Info): Info {
    this.temps.push(info);
    return info;
  }

  /** Frees an intermediate now (a loop's, so that the next pass reuses its memory while it is in cache). */
  free(info: Info): void {
    this.keep(info);
    this.backend.disposeData(info.dataId);
  }

  /** Takes `info` out of the intermediates: the caller returns it. */
  keep(info: Info): Info {
    const at = this.temps.indexOf(info);
    if (at >= 0) this.temps.splice(at, 1);
    return info;
  }

  dispose(): void {
    for (const info of this.temps) this.backend.disposeData(info.dataId);
    this.temps.length = 0;
  }
}

function scoped(body: (s: Scope, args: KernelArgs) => Info): Kernel {
  return (args) => {
    const s = new Scope(args.backend);
    try {
      return s.keep(body(s, args));
    } finally {
      s.dispose();
    }
  };
}

/** The permutation swapping the last two axes of a rank-`rank` tensor. */
function swapLast(rank: number): number[] {
  const perm = [...Array(rank).keys()];
  [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1]!, perm[rank - 2]!];
  return perm;
}

function matMulWithoutTranspose(name: 'BatchMatMul' | '_FusedMatMul'): Kernel {
  return scoped((s, { inputs, backend, attrs = {} }) => {
    const { a, b } = inputs as { a: Info; b: Info };
    const { transposeA, transposeB } = attrs;
    if (!transposeA && !transposeB && name === '_FusedMatMul') return kernel(name)({ inputs, backend, attrs });
    const b2 = transposeB ? s.transpose(b, swapLast(b.shape.length)) : b;
    // A plain product of two matrices in SIMD tiles, A read transposed where it is: no packing of a B that is new
    // at every training step (see `tiledMatMul`).
    const tiled =
      name === 'BatchMatMul'
        ? tiledMatMul(backend, a, b2, transposeA === true, { dataId: b.dataId, transposed: transposeB === true })
        : undefined;
    if (tiled) return tiled;
    if (!transposeA && !transposeB) return kernel(name)({ inputs, backend, attrs });
    const a2 = transposeA ? s.transpose(a, swapLast(a.shape.length)) : a;
    return kernel(name)({
      inputs: { ...inputs, a: a2, b: b2 },
      backend,
      attrs: { ...attrs, transposeA: false, transposeB: false },
    });
  });
}

/** Spreads `x` [n, h, w, c] to [n, (h-1)·sh+1, (w-1)·sw+1, c], zeros between the rows and columns (a strided conv's gradient). */
function dilate(s: Scope, x: Info, sh: number, sw: number): Info {
  if (sh === 1 && sw === 1) return x;
  const [n, h, w, c] = x.shape as [number, number, number, number];
  const six = s.reshape(x, [n, h, 1, w, 1, c]);
  const padded = s.run(
    'PadV2',
    { x: six },
    {
      paddings: [
        [0, 0],
        [0, 0],
        [0, sh - 1],
        [0, 0],
        [0, sw - 1],
        [0, 0],
      ],
      constantValue: 0,
    },
  );
  const flat = s.reshape(padded, [n, h * sh, w * sw, c]);
  return s.run('Slice', { x: flat }, { begin: [0, 0, 0, 0], size: [n, (h - 1) * sh + 1, (w - 1) * sw + 1, c] });
}

/**
 * The padding of the "full" convolution that maps the dilated output gradient back onto the input: `before` is
 * the filter's reach minus the forward padding, `after` whatever makes the result exactly the input's size.
 */
function fullPadding(inSize: number, filterSize: number, dilatedSize: number, padBefore: number): [number, number] {
  const before = filterSize - 1 - padBefore;
  return [before, inSize + filterSize - 1 - dilatedSize - before];
}

/**
 * Whether a convolution's dilations are 1 (absent, 1, or [1, 1]). Without an array or a closure per call: the
 * convolution kernels ask ~6 times per training step, mostly before V8 optimizes them.
 */
function undilated(attrs: Attrs): boolean {
  const dilations = attrs.dilations ?? 1;
  return typeof dilations === 'number' ? dilations === 1 : dilations[0] === 1 && dilations[1] === 1;
}

function convInfo(
  xShape: number[],
  filterShape: number[],
  attrs: Attrs,
  depthwise = false,
): tf.backend_util.Conv2DInfo {
  if (attrs.dataFormat && attrs.dataFormat !== 'NHWC') {
    throw new BackendError(
      'LEPTON_BACKEND_UNSUPPORTED',
      `Lepton's wasm convolution gradients take channels-last (NHWC) data, not ${attrs.dataFormat}.`,
    );
  }
  if (!undilated(attrs)) {
    throw new BackendError(
      'LEPTON_BACKEND_UNSUPPORTED',
      "Lepton's wasm convolution gradients need dilations of 1 (as tfjs's own convolution gradients do).",
    );
  }
  return tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides!,
    1,
    attrs.pad!,
    attrs.dimRoundingMode,
    depthwise,
  );
}

/** Pads the input gradient's dilated source and convolves it with `filter` (already flipped and arranged). */
function fullConvolution(s: Scope, dy: Info, info: tf.backend_util.Conv2DInfo, filter: Info, depthwise: boolean): Info {
  const dilated = dilate(s, dy, info.strideHeight, info.strideWidth);
  const [top, bottom] = fullPadding(info.inHeight, info.filterHeight, dilated.shape[1]!, info.padInfo.top);
  const [left, right] = fullPadding(info.inWidth, info.filterWidth, dilated.shape[2]!, info.padInfo.left);
  const pad: tf.backend_util.ExplicitPadding = [
    [0, 0],
    [top, bottom],
    [left, right],
    [0, 0],
  ];
  const attrs: Attrs = { strides: 1, pad, dilations: 1, dataFormat: 'NHWC', dimRoundingMode: undefined };
  return s.run(depthwise ? 'DepthwiseConv2dNative' : 'Conv2D', { x: dilated, filter }, attrs);
}

/**
 * Bytes of columns one matrix product makes (whole images), so that they are still in cache when added back: the
 * CIFAR CNN's 12.5 MB in one product ran 2–3× slower than in 256 KiB parts (64 KiB measured the same).
 */
const columnBytes = 1 << 18;

/**
 * dx by columns (`col2im`): one matrix product dy [n·oh·ow, cout] · Wᵀ [cout, kh·kw·cin] gives each output
 * position's contribution to every tap's input pixel, then each filter row's span of it is added onto the input
 * (padded, then cropped) by the SIMD `addColumnsToImages`. It does only the multiply-adds that matter
 * (n·oh·ow·kh·kw·cin·cout), where the full convolution below also multiplies the zero border it pads dy with (265 M
 * against 199 M for the CIFAR CNN's second layer). Undefined where it does not apply (not float32, no SIMD).
 */
function inputGradByColumns(s: Scope, { inputs, backend, attrs = {} }: KernelArgs): Info | undefined {
  const { dy, filter } = inputs as { dy: Info; filter: Info };
  const loops = loopsOf(backend);
  if (!loops || dy.dtype !== 'float32' || filter.dtype !== 'float32') return undefined;
  const info = convInfo(attrs.inputShape!, filter.shape, attrs);
  const [kh, kw, cin, cout] = filter.shape as [number, number, number, number];
  const { batchSize: n, inHeight: h, inWidth: w, outHeight: oh, outWidth: ow } = info;
  const { strideHeight: sh, strideWidth: sw } = info;
  const taps = kh * kw * cin;
  const wT = s.reshape(s.transpose(s.reshape(filter, [taps, cout]), [1, 0]), [1, cout, taps]);
  const [top, bottom, left, right] = spatialPadding(info);
  const [hp, wp] = [h + top + bottom, w + left + right];
  const heap = backend as unknown as HeapBackend;
  const cropped = top || bottom || left || right;
  const padded = heap.makeOutput([n, hp, wp, cin], 'float32');
  if (cropped) s.adopt(padded);
  const pixelBytes = cin * 4;
  const spanBytes = kw * pixelBytes;
  const dyImage = oh * ow * cout;
  const imagesPerCall = Math.max(1, Math.floor(columnBytes / (oh * ow * taps * 4)));
  // The parts' dy: the whole of dy (a reshape, no copy) when one part holds the batch, else one buffer that every
  // full part is copied into (the last, shorter one gets its own): no allocation and no views per part.
  const fullPart =
    n <= imagesPerCall
      ? s.reshape(dy, [1, n * oh * ow, cout])
      : s.adopt(heap.makeOutput([1, imagesPerCall * oh * ow, cout], 'float32'));
  const [dyAt, paddedAt] = [address(backend, dy) / 4, address(backend, padded)];
  heapWords(backend).fill(0, paddedAt / 4, paddedAt / 4 + n * hp * wp * cin);
  for (let b0 = 0; b0 < n; b0 += imagesPerCall) {
    const images = Math.min(imagesPerCall, n - b0);
    let part = fullPart;
    if (n > imagesPerCall) {
      if (images < imagesPerCall) part = s.adopt(heap.makeOutput([1, images * oh * ow, cout], 'float32'));
      const partAt = address(backend, part) / 4;
      heapWords(backend).copyWithin(partAt, dyAt + b0 * dyImage, dyAt + (b0 + images) * dyImage);
    }
    const columns = s.run('BatchMatMul', { a: part, b: wT }, { transposeA: false, transposeB: false });
    // One call for the part's images (the loop in JavaScript made images·oh·kh calls: 2,112 per CIFAR CNN step).
    loops.addColumnsToImages(
      address(backend, columns),
      paddedAt + b0 * hp * wp * pixelBytes,
      images,
      oh,
      kh,
      ow,
      taps * 4,
      sw * pixelBytes,
      spanBytes,
      wp * pixelBytes,
      sh,
      hp * wp * pixelBytes,
    );
    s.free(columns);
  }
  if (!cropped) return padded;
  const out = heap.makeOutput(info.inShape, 'float32');
  // Row by row with copyWithin on the heap's words (read after the last allocation): no view per row.
  const words = heapWords(backend);
  const [from, to] = [paddedAt / 4, address(backend, out) / 4];
  const rowLength = w * cin;
  for (let b = 0; b < n; b++) {
    for (let y = 0; y < h; y++) {
      const start = from + ((b * hp + y + top) * wp + left) * cin;
      words.copyWithin(to + (b * h + y) * rowLength, start, start + rowLength);
    }
  }
  return out;
}

const conv2DBackpropInput: Kernel = scoped((s, args) => {
  const byColumns = inputGradByColumns(s, args);
  if (byColumns) return byColumns;
  const { inputs, attrs = {} } = args;
  const { dy, filter } = inputs as { dy: Info; filter: Info };
  const info = convInfo(attrs.inputShape!, filter.shape, attrs);
  // dx = full convolution of dy with the filter rotated 180° and its in/out channels swapped.
  const flipped = s.run('Reverse', { x: filter }, { dims: [0, 1] });
  const swapped = s.transpose(flipped, [0, 1, 3, 2]);
  return fullConvolution(s, dy, info, swapped, false);
});

/**
 * The zeros a convolution described by `info` adds around each image, as [top, bottom, left, right]: the top and left
 * of its padding, and as much bottom and right as its last strided window reaches past the image.
 */
function spatialPadding(info: tf.backend_util.Conv2DInfo): [number, number, number, number] {
  const {
    outHeight: oh,
    outWidth: ow,
    strideHeight: sh,
    strideWidth: sw,
    filterHeight: kh,
    filterWidth: kw,
    inHeight: h,
    inWidth: w,
  } = info;
  const { top, left } = info.padInfo;
  return [top, Math.max(0, (oh - 1) * sh + kh - h - top), left, Math.max(0, (ow - 1) * sw + kw - w - left)];
}

/** `x` with `padding` ([top, bottom, left, right]) added on its height axis and the width axis after it; `x` itself when there is none. */
function padSpatial(
  s: Scope,
  x: Info,
  [top, bottom, left, right]: [number, number, number, number],
  heightAxis: number,
): Info {
  if (!(top || bottom || left || right)) return x;
  const paddings = x.shape.map(() => [0, 0]);
  paddings[heightAxis] = [top, bottom];
  paddings[heightAxis + 1] = [left, right];
  return s.run('PadV2', { x }, { paddings, constantValue: 0 });
}

/** The strided patches of the padded input that each filter tap sees: [n, outH, outW, kh·kw·c], tap-major. */
function patches(s: Scope, x: Info, info: tf.backend_util.Conv2DInfo): Info[] {
  const { outHeight: oh, outWidth: ow, strideHeight: sh, strideWidth: sw, filterHeight: kh, filterWidth: kw } = info;
  const [n, , , c] = x.shape as [number, number, number, number];
  const padded = padSpatial(s, x, spatialPadding(info), 1);
  const taps: Info[] = [];
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      const begin = [0, i, j, 0];
      const end = [n, i + (oh - 1) * sh + 1, j + (ow - 1) * sw + 1, c];
      taps.push(
        s.run(
          'StridedSlice',
          { x: padded },
          {
            begin,
            end,
            strides: [1, sh, sw, 1],
            beginMask: 0,
            endMask: 0,
            ellipsisMask: 0,
            newAxisMask: 0,
            shrinkAxisMask: 0,
          },
        ),
      );
    }
  }
  return taps;
}

/**
 * dW as one matrix product: the input's patches, channels first ([kh·kw·cin, n·oh·ow]), times dy ([n·oh·ow, cout]).
 * Used for one input channel only: with more, gathering the patches costs more than the dilated convolution.
 */
const conv2DBackpropFilterByPatches: Kernel = scoped((s, { inputs, attrs = {} }) => {
  const { x, dy } = inputs as { x: Info; dy: Info };
  const filterShape = attrs.filterShape as [number, number, number, number];
  const info = convInfo(x.shape, filterShape, attrs);
  const [kh, kw, cin, cout] = filterShape;
  const [n] = x.shape as [number];
  const m = n * info.outHeight * info.outWidth;
  const { outHeight: oh, outWidth: ow, strideHeight: sh, strideWidth: sw } = info;
  const [, h, w] = x.shape as [number, number, number, number];
  // Channels first ([cin, n, h, w, 1]) so that each tap's patch is already a [cin, m] row block.
  const xc = cin === 1 ? s.reshape(x, [1, n, h, w]) : s.transpose(x, [3, 0, 1, 2]);
  const padded = padSpatial(s, xc, spatialPadding(info), 2);
  const taps: Info[] = [];
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      const begin = [0, 0, i, j];
      const end = [cin, n, i + (oh - 1) * sh + 1, j + (ow - 1) * sw + 1];
      const tap = s.run(
        'StridedSlice',
        { x: padded },
        {
          begin,
          end,
          strides: [1, 1, sh, sw],
          beginMask: 0,
          endMask: 0,
          ellipsisMask: 0,
          newAxisMask: 0,
          shrinkAxisMask: 0,
        },
      );
      taps.push(s.reshape(tap, [cin, m]));
    }
  }
  const p = taps.length === 1 ? taps[0]! : s.run('Concat', taps, { axis: 0 });
  const product = s.run(
    'BatchMatMul',
    { a: s.reshape(p, [1, kh * kw * cin, m]), b: s.reshape(dy, [1, m, cout]) },
    { transposeA: false, transposeB: false },
  );
  return s.reshape(product, filterShape);
});

/** Bytes of dy one call of the tile loop walks (whole images): measured as fast as 64 KiB and 16 KiB, still in L2. */
const chunkBytes = 1 << 18;

/**
 * The filter gradient as a matrix product computed in tiles on the wasm heap (`filterGradTile` in `simd.ts`):
 * dW[(tap, ci), co] = Σ_positions x[position + tap, ci] · dy[position, co], read straight from the padded input (no
 * patches gathered). The images are taken a chunk at a time so that the chunk of dy stays in cache while every tile
 * walks it. Undefined where it does not apply (output channels not a multiple of 4, not float32, no SIMD).
 */
function tiledFilterGrad(s: Scope, { inputs, backend, attrs = {} }: KernelArgs): Info | undefined {
  const { x, dy } = inputs as { x: Info; dy: Info };
  const filterShape = attrs.filterShape as [number, number, number, number];
  const [kh, kw, cin, cout] = filterShape;
  const memory = (backend as unknown as HeapBackend).wasm?.asm?.memory;
  if (cout % 4 !== 0 || x.dtype !== 'float32' || dy.dtype !== 'float32' || !isWasmMemory(memory)) return undefined;
  const tile = tileFor(cout);
  const rowsPerTile = Math.min(tile.rows, kh * kw * cin);
  const groupsPerTile = tile.groups;
  const loopFor = tileLoops(memory, tile, kh * kw * cin, cout / 4);
  if (!loopFor) return undefined;
  const info = convInfo(x.shape, filterShape, attrs);
  const { outHeight: oh, outWidth: ow, strideHeight: sh, strideWidth: sw } = info;
  const [n] = x.shape as [number];
  const padded = padSpatial(s, x, spatialPadding(info), 1);
  const [, hp, wp] = padded.shape as [number, number, number, number];
  const heap = backend as unknown as HeapBackend;
  const out = heap.makeOutput(filterShape, 'float32');
  heap.typedArrayFromHeap(out).fill(0);
  const [xAt, dyAt, outAt] = [address(backend, padded), address(backend, dy), address(backend, out)];
  const coutBytes = cout * 4;
  const imageBytes = hp * wp * cin * 4;
  const dyImageBytes = oh * ow * coutBytes;
  const imagesPerCall = Math.max(1, Math.floor(chunkBytes / dyImageBytes));
  // Row r of dW is (tap t = r div cin, channel r mod cin); its input value lies this many bytes from a position's first.
  const rowOffset = (r: number) => {
    const t = Math.floor(r / cin);
    return ((Math.floor(t / kw) * wp + (t % kw)) * cin + (r % cin)) * 4;
  };
  const offsets = Array.from({ length: kh * kw * cin }, (_, r) => rowOffset(r));
  // The tiles (their loop, first row, first group and rows' offsets) listed once per call, not per part of the
  // batch: a step of the reference CNN makes ~90 tile calls, and a loop looked up by a string key and a slice per
  // call cost more than the call while V8 had not optimized this function.
  const tiles: { loop: FilterGradTileLoop; r0: number; g0: number; offsets: number[] }[] = [];
  for (let r0 = 0; r0 < offsets.length; r0 += rowsPerTile) {
    const rows = Math.min(rowsPerTile, offsets.length - r0);
    for (let g0 = 0; g0 < cout / 4; g0 += groupsPerTile) {
      const groups = Math.min(groupsPerTile, cout / 4 - g0);
      tiles.push({ loop: loopFor(rows, groups), r0, g0, offsets: offsets.slice(r0, r0 + rows) });
    }
  }
  for (let b0 = 0; b0 < n; b0 += imagesPerCall) {
    const images = Math.min(imagesPerCall, n - b0);
    // An index loop: an iterator and destructuring per tile are runtime calls before V8 optimizes this.
    for (let t = 0; t < tiles.length; t++) {
      const { loop, r0, g0, offsets: tileOffsets } = tiles[t]!;
      loop(
        xAt + b0 * imageBytes,
        dyAt + b0 * dyImageBytes + g0 * 16,
        outAt + r0 * coutBytes + g0 * 16,
        images,
        oh,
        ow,
        imageBytes,
        sh * wp * cin * 4,
        sw * cin * 4,
        coutBytes,
        ...tileOffsets,
      );
    }
  }
  return out;
}

const conv2DBackpropFilter: Kernel = scoped((s, args) => {
  const { inputs, attrs = {} } = args;
  const { x, dy } = inputs as { x: Info; dy: Info };
  const filterShape = attrs.filterShape as [number, number, number, number];
  // The SIMD tiles wherever they apply: measured 1.3–4× faster than the dilated convolution below from 1 to 128
  // input channels (3×3 and 5×5 filters), and faster than the single-channel loop they replaced.
  const tiled = tiledFilterGrad(s, args);
  if (tiled) return tiled;
  // One input channel (a grayscale image's first layer) without the tiles: the dilated convolution below has a
  // single image row to slide over, which XNNPACK runs ~3× slower than the patch product.
  if (filterShape[2] === 1) return conv2DBackpropFilterByPatches(args);
  const info = convInfo(x.shape, filterShape, attrs);
  const [kh, kw] = filterShape;
  const { strideHeight: sh, strideWidth: sw } = info;
  // dW[i, j, ci, co] = Σ_{n,y,x} x[n, y·s + i, x·s + j, ci] · dy[n, y, x, co]: a convolution of x with the batch as
  // channels ([ci, H, W, n]) by dy as the filter ([oh, ow, n, co]), dilated by the stride, giving [ci, kh, kw, co].
  const [top, bottom, left, right] = spatialPadding(info);
  const image = s.transpose(x, [3, 1, 2, 0]);
  const filter = s.transpose(dy, [1, 2, 0, 3]);
  const conv = s.run(
    'Conv2D',
    { x: image, filter },
    {
      strides: 1,
      pad: [
        [0, 0],
        [top, bottom],
        [left, right],
        [0, 0],
      ],
      dilations: [sh, sw],
      dataFormat: 'NHWC',
      dimRoundingMode: undefined,
    },
  );
  const [cin, gotH, gotW, cout] = conv.shape as [number, number, number, number];
  const cropped =
    gotH === kh && gotW === kw ? conv : s.run('Slice', { x: conv }, { begin: [0, 0, 0, 0], size: [cin, kh, kw, cout] });
  return s.transpose(cropped, [1, 2, 0, 3]);
});

/**
 * A convolution with ONE input channel (a grayscale image's first layer) and up to 16 output channels, a multiple of
 * 4: the SIMD loop of `simd.ts` over each (padded) image, its filter held in registers, with a `FusedConv2D`'s bias
 * and ReLU applied before each store (`epilogue`). XNNPACK runs this shape at half its rate on 8 input channels
 * (measured 0.54 ms for 64×28×28×1 → 8, 3×3). Undefined for everything else, and a wasm without SIMD: the caller
 * takes the stock kernel.
 */
function oneChannelConvolution(
  s: Scope,
  { inputs, backend, attrs = {} }: KernelArgs,
  epilogue: ConvEpilogue,
  bias?: Info,
): Info | undefined {
  const { x, filter } = inputs as { x: Info; filter: Info };
  const [kh, kw, cin, cout] = filter.shape as [number, number, number, number];
  const simple =
    x.dtype === 'float32' &&
    cin === 1 &&
    cout % 4 === 0 &&
    cout <= 16 &&
    kh * kw <= 25 &&
    (attrs.dataFormat ?? 'NHWC') === 'NHWC' &&
    undilated(attrs);
  const memory = (backend as unknown as HeapBackend).wasm?.asm?.memory;
  const loop = simple && isWasmMemory(memory) ? oneChannelConvLoop(memory, kh, kw, cout / 4, epilogue) : null;
  if (!loop) return undefined;
  const info = convInfo(x.shape, filter.shape, attrs);
  const padded = padSpatial(s, x, spatialPadding(info), 1);
  const [n, h, w] = padded.shape as [number, number, number, number];
  const { outHeight: oh, outWidth: ow, strideHeight: sh, strideWidth: sw } = info;
  const out = (backend as unknown as HeapBackend).makeOutput([n, oh, ow, cout], 'float32');
  // Addresses after makeOutput: allocating may grow the heap (offsets stay valid, views would not).
  const [xAt, wAt, outAt] = [address(backend, padded), address(backend, filter), address(backend, out)];
  const biasAt = bias ? address(backend, bias) : 0;
  // One call for the batch: a call per image from JavaScript cost ~1 µs each (V8's generic JS-to-wasm wrapper)
  // until V8 optimized this function, hundreds of steps into training.
  loop(xAt, wAt, outAt, oh, ow, w * 4, sh * w * 4, sw * 4, biasAt, n, h * w * 4);
  return out;
}

const conv2D: Kernel = scoped((s, args) => oneChannelConvolution(s, args, 'none') ?? kernel('Conv2D')(args));

/**
 * `FusedConv2D` (a convolution, its bias and its activation in one kernel: inference, and training through
 * `fused-conv.ts`) with one input channel, a bias of one value per output channel or none, and no activation or ReLU:
 * the one-channel loop above with the bias and ReLU in its epilogue. Everything else takes the stock kernel.
 */
const fusedConv2D: Kernel = scoped((s, args) => {
  const { inputs, attrs = {} } = args;
  const { bias, preluActivationWeights } = inputs as { bias?: Info; preluActivationWeights?: Info };
  const cout = inputs.filter!.shape[3];
  const activation = attrs.activation ?? 'linear';
  const fusable =
    (activation === 'linear' || activation === 'relu') &&
    !preluActivationWeights &&
    (!bias || (bias.dtype === 'float32' && tf.util.sizeFromShape(bias.shape) === cout));
  if (!fusable) return kernel('FusedConv2D')(args);
  const epilogue: ConvEpilogue = activation === 'relu' ? 'biasRelu' : bias ? 'bias' : 'none';
  // ReLU without a bias: a bias of zeros (x + 0 = x, −0 aside, which ReLU makes 0 anyway).
  const reluBias = epilogue === 'biasRelu' ? (bias ?? s.adopt(zeroed(args.backend, [cout!]))) : bias;
  return oneChannelConvolution(s, args, epilogue, reluBias) ?? kernel('FusedConv2D')(args);
});

/** A float32 tensor of zeros on the wasm heap. */
function zeroed(backend: tf.KernelBackend, shape: number[]): Info {
  const heap = backend as unknown as HeapBackend;
  const out = heap.makeOutput(shape, 'float32');
  heap.typedArrayFromHeap(out).fill(0);
  return out;
}

const depthwiseBackpropInput: Kernel = scoped((s, { inputs, attrs = {} }) => {
  const { dy, filter } = inputs as { dy: Info; filter: Info };
  const [kh, kw, c, mult] = filter.shape as [number, number, number, number];
  const info = convInfo(attrs.inputShape!, filter.shape, attrs, true);
  // Each of the c·mult output channels convolves back onto its own input channel; sum over the multiplier.
  const flipped = s.reshape(s.run('Reverse', { x: filter }, { dims: [0, 1] }), [kh, kw, c * mult, 1]);
  const perChannel = fullConvolution(s, dy, info, flipped, true);
  if (mult === 1) return perChannel;
  const [n, h, w] = perChannel.shape as [number, number, number];
  return s.run('Sum', { x: s.reshape(perChannel, [n, h, w, c, mult]) }, { axis: [4], keepDims: false });
});

const depthwiseBackpropFilter: Kernel = scoped((s, { inputs, attrs = {} }) => {
  const { x, dy } = inputs as { x: Info; dy: Info };
  const filterShape = attrs.filterShape as [number, number, number, number];
  const [kh, kw, c, mult] = filterShape;
  const info = convInfo(x.shape, filterShape, attrs, true);
  const n = info.batchSize;
  const m = n * info.outHeight * info.outWidth;
  const dy3 = s.reshape(dy, [m, c, mult]);
  const taps = patches(s, x, info).map((tap) => {
    // Σ over batch and positions of x_tap[·, ch] · dy[·, ch, k] for each (ch, k).
    const product = s.run('Multiply', { a: s.reshape(tap, [m, c, 1]), b: dy3 });
    return s.reshape(s.run('Sum', { x: product }, { axis: [0], keepDims: false }), [1, c, mult]);
  });
  const stacked = taps.length === 1 ? taps[0]! : s.run('Concat', taps, { axis: 0 });
  return s.reshape(stacked, [kh, kw, c, mult]);
});

const unsortedSegmentSum: Kernel = ({ inputs, backend, attrs = {} }) => {
  const { x, segmentIds } = inputs as { x: Info; segmentIds: Info };
  const numSegments = attrs.numSegments as number;
  const wasm = backend as unknown as HeapBackend;
  const values = wasm.readSync(x.dataId);
  const ids = wasm.readSync(segmentIds.dataId);
  const rows = ids.length;
  const width = rows === 0 ? 0 : values.length / rows;
  const out = wasm.makeOutput([numSegments, ...x.shape.slice(segmentIds.shape.length)], x.dtype);
  const target = wasm.typedArrayFromHeap(out);
  target.fill(0);
  for (let r = 0; r < rows; r++) {
    const segment = ids[r]!;
    if (segment < 0 || segment >= numSegments) continue;
    const from = r * width;
    const to = segment * width;
    for (let k = 0; k < width; k++) target[to + k]! += values[from + k]!;
  }
  return out;
};

/**
 * The gradient of max pooling, one pass in place on the wasm heap: each window's gradient goes to its first
 * maximum (the cpu backend's rule). The stock C++ kernel is a plain loop, several times slower. Channels are the
 * innermost loop so that every read walks the heap contiguously, a window's running maxima kept per channel.
 */
const maxPoolGrad: Kernel = ({ inputs, backend, attrs = {} }) => {
  const { dy, input } = inputs as { dy: Info; input: Info };
  const info = tf.backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    attrs.filterSize!,
    attrs.strides!,
    1,
    attrs.pad!,
    attrs.dimRoundingMode,
  );
  const heap = backend as unknown as HeapBackend;
  const out = heap.makeOutput(input.shape, 'float32');
  // Views after makeOutput: allocating may grow the heap and detach earlier views.
  const x = heap.typedArrayFromHeap(input);
  const g = heap.typedArrayFromHeap(dy);
  const dx = heap.typedArrayFromHeap(out);
  const {
    batchSize,
    inHeight: h,
    inWidth: w,
    inChannels: c,
    outHeight: oh,
    outWidth: ow,
    strideHeight: sh,
    strideWidth: sw,
  } = info;
  const fh = info.effectiveFilterHeight;
  const fw = info.effectiveFilterWidth;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const loops = c % 4 === 0 ? loopsOf(backend) : null;
  // A 2×2 pool of stride 2 whose windows are all whole (the usual CNN case) has its own loop, which writes every
  // element of every window; when those windows also cover the whole input (even sizes) no element is left for
  // zeroing, so dx skips that pass.
  const wholeTwoByTwo =
    loops !== null &&
    fh === 2 &&
    fw === 2 &&
    sh === 2 &&
    sw === 2 &&
    top === 0 &&
    left === 0 &&
    2 * oh <= h &&
    2 * ow <= w;
  if (!(wholeTwoByTwo && 2 * oh === h && 2 * ow === w)) dx.fill(0);
  if (loops && wholeTwoByTwo) {
    const [xAt, gAt, dxAt] = [address(backend, input), address(backend, dy), address(backend, out)];
    loops.maxPool2x2Grad(xAt, gAt, dxAt - xAt, oh, ow, w * c * 4, c * 4, batchSize, h * w * c * 4);
    return out;
  }
  if (loops) {
    const [xAt, gAt, dxAt] = [address(backend, input), address(backend, dy), address(backend, out)];
    for (let b = 0; b < batchSize; b++) {
      for (let oy = 0; oy < oh; oy++) {
        const y0 = Math.max(0, oy * sh - top);
        const y1 = Math.min(h, oy * sh - top + fh);
        if (y1 <= y0) continue;
        loops.maxPoolGradRow(
          xAt + (b * h + y0) * w * c * 4,
          y1 - y0,
          gAt + (b * oh + oy) * ow * c * 4,
          dxAt - xAt,
          ow,
          w * c * 4,
          c * 4,
          sw,
          fw,
          left,
          w,
        );
      }
    }
    return out;
  }
  const best = new Float32Array(c);
  const at = new Int32Array(c);
  for (let b = 0; b < batchSize; b++) {
    const xBase = b * h * w * c;
    for (let oy = 0; oy < oh; oy++) {
      const y0 = Math.max(0, oy * sh - top);
      const y1 = Math.min(h, oy * sh - top + fh);
      for (let ox = 0; ox < ow; ox++) {
        const x0 = Math.max(0, ox * sw - left);
        const x1 = Math.min(w, ox * sw - left + fw);
        const gBase = ((b * oh + oy) * ow + ox) * c;
        at.fill(-1);
        for (let y = y0; y < y1; y++) {
          for (let xx = x0; xx < x1; xx++) {
            const base = xBase + (y * w + xx) * c;
            for (let ch = 0; ch < c; ch++) {
              const v = x[base + ch]!;
              if (v > best[ch]! || at[ch]! < 0) {
                best[ch] = v;
                at[ch] = base + ch;
              }
            }
          }
        }
        for (let ch = 0; ch < c; ch++) {
          const i = at[ch]!;
          if (i >= 0) dx[i]! += g[gBase + ch]!;
        }
      }
    }
  }
  return out;
};

/**
 * `gather` along the first axis (how `fit` draws each shuffled batch, and embeddings look rows up): one block copy
 * per index on the wasm heap. The stock C++ kernel computes every element's position, ~20× slower for image rows.
 */
const gatherV2: Kernel = (args) => {
  const { inputs, backend, attrs = {} } = args;
  const { x, indices } = inputs as { x: Info; indices: Info };
  const axis = tf.util.parseAxisParam(attrs.axis ?? 0, x.shape)[0];
  if (
    axis !== 0 ||
    (attrs.batchDims ?? 0) !== 0 ||
    (x.dtype !== 'float32' && x.dtype !== 'int32') ||
    x.shape.length === 0
  )
    return kernel('GatherV2')(args);
  const heap = backend as unknown as HeapBackend;
  const ids = heap.readSync(indices.dataId);
  const rows = x.shape[0]!;
  for (let i = 0; i < ids.length; i++) {
    const index = ids[i]!;
    // The stock kernel's check and message.
    if (!(index >= 0 && index <= rows - 1))
      throw new BackendError(
        'LEPTON_BACKEND_BAD_INDEX',
        `GatherV2: the index value ${index} is not in [0, ${rows - 1}]`,
      );
  }
  const rowShape = x.shape.slice(1);
  const width = rowShape.reduce((a, b) => a * b, 1);
  const out = heap.makeOutput([...indices.shape, ...rowShape], x.dtype);
  // Both lie on the one wasm heap: each row is a `copyWithin` on a view of the whole heap (a memmove, the bits
  // as they are), with no view made per row and no loop over a row's values in JavaScript, which V8 leaves
  // unoptimized for the first hundreds of batches.
  const words = heapWords(backend);
  const from = address(backend, x) / 4;
  const to = address(backend, out) / 4;
  for (let i = 0; i < ids.length; i++) {
    const start = from + ids[i]! * width;
    words.copyWithin(to + i * width, start, start + width);
  }
  return out;
};

/**
 * `slice` of a contiguous block (every axis after the first sliced one taken whole: a batch of rows) as one copy on
 * the wasm heap. The stock kernel reads the whole input off the heap first (`readSync` copies it), so `predict`
 * copied all of its input once per batch: 2048 images at batch 256 cost 8 full copies. Other slices: the stock kernel.
 */
const slice: Kernel = (args) => {
  const { inputs, backend, attrs = {} } = args;
  const { x } = inputs as { x: Info };
  if (x.dtype === 'string') return kernel('Slice')(args);
  // parseSliceParams is typed number[][]: a pair it did not give is the stock kernel's to handle.
  const [begin, size] = tf.slice_util.parseSliceParams(x, attrs.begin!, attrs.size);
  if (!begin || !size || !tf.slice_util.isSliceContinous(x.shape, begin, size)) return kernel('Slice')(args);
  const heap = backend as unknown as HeapBackend;
  const out = heap.makeOutput(size, x.dtype);
  const from = tf.slice_util.computeFlatOffset(begin, tf.util.computeStrides(x.shape));
  // Views after makeOutput: allocating may grow the heap and detach earlier views.
  heap.typedArrayFromHeap(out).set(heap.typedArrayFromHeap(x).subarray(from, from + tf.util.sizeFromShape(size)));
  return out;
};

/** `[..., c]` and `[c]` (or `[1, ..., 1, c]`): the bias of a layer, added along the last axis. */
function biasShapes(a: Info, b: Info): boolean {
  const c = a.shape.at(-1);
  return (
    a.shape.length > 1 &&
    c !== undefined &&
    c % 4 === 0 &&
    b.shape.at(-1) === c &&
    b.shape.length <= a.shape.length &&
    b.shape.slice(0, -1).every((d) => d === 1) &&
    tf.util.sizeFromShape(a.shape) > c
  );
}

/**
 * `Add`, with a SIMD loop for a bias along the last axis (every dense and conv layer's forward pass while
 * training, where tfjs does not fuse it): the stock kernel's general broadcasting is ~5× slower there.
 */
const add: Kernel = (args) => {
  const { inputs, backend } = args;
  const { a, b } = inputs as { a: Info; b: Info };
  const [big, bias] = biasShapes(a, b) ? [a, b] : biasShapes(b, a) ? [b, a] : [undefined, undefined];
  const loops = big && big.dtype === 'float32' && bias.dtype === 'float32' ? loopsOf(backend) : null;
  if (!big || !loops) return kernel('Add')(args);
  const out = (backend as unknown as HeapBackend).makeOutput(big.shape, 'float32');
  const bytes = tf.util.sizeFromShape(big.shape) * 4;
  loops.biasAdd(address(backend, big), address(backend, bias), address(backend, out), bytes, big.shape.at(-1)! * 4);
  return out;
};

/**
 * `Sum`, with a SIMD loop when the summed axes lead (a bias's gradient: dy summed over batch and positions): the
 * stock kernel transposes them to the end first.
 */
const sum: Kernel = (args) => {
  const { inputs, backend, attrs = {} } = args;
  const { x } = inputs as { x: Info };
  const rank = x.shape.length;
  const axes = [...new Set(tf.util.parseAxisParam(attrs.axis!, x.shape))].sort((p, q) => p - q);
  const leading = axes.length > 0 && axes.length < rank && axes.every((axis, i) => axis === i);
  const width = tf.util.sizeFromShape(x.shape.slice(axes.length));
  const loops = leading && x.dtype === 'float32' && width % 4 === 0 ? loopsOf(backend) : null;
  if (!loops) return kernel('Sum')(args);
  const shape = attrs.keepDims ? x.shape.map((d, i) => (i < axes.length ? 1 : d)) : x.shape.slice(axes.length);
  const heap = backend as unknown as HeapBackend;
  const out = heap.makeOutput(shape, 'float32');
  heap.typedArrayFromHeap(out).fill(0);
  loops.columnSum(address(backend, x), 0, address(backend, out), tf.util.sizeFromShape(x.shape) * 4, width * 4);
  return out;
};

/**
 * `Identity` (tfjs clones every tensor a gradient will need with it) shares the input's memory and counts the
 * reference, as the cpu backend and the wasm backend's own `Reshape` do: wasm kernels never write into their inputs,
 * so the stock kernel's copy of each saved activation is wasted.
 */
const identity: Kernel = (args) => {
  const { inputs, backend } = args;
  const { x } = inputs as { x: Info };
  if (x.dtype === 'string') return kernel('Identity')(args);
  (backend as unknown as { incRef(id: object): void }).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
};

const replacements: Record<(typeof replacedWasmKernels)[number], Kernel> = {
  BatchMatMul: matMulWithoutTranspose('BatchMatMul'),
  _FusedMatMul: matMulWithoutTranspose('_FusedMatMul'),
  Conv2D: conv2D,
  FusedConv2D: fusedConv2D,
  Conv2DBackpropInput: conv2DBackpropInput,
  Conv2DBackpropFilter: conv2DBackpropFilter,
  DepthwiseConv2dNativeBackpropInput: depthwiseBackpropInput,
  DepthwiseConv2dNativeBackpropFilter: depthwiseBackpropFilter,
  UnsortedSegmentSum: unsortedSegmentSum,
  MaxPoolGrad: maxPoolGrad,
  GatherV2: gatherV2,
  Slice: slice,
  Add: add,
  Sum: sum,
  Identity: identity,
};

let installed = false;

/**
 * Registers Lepton's training kernels on the `wasm` backend (once; later calls do nothing). The stock kernels
 * they replace stay reachable to them. Call before the first training step; `lepton.backend()` does.
 */
export function installWasmTrainingKernels(): void {
  if (installed) return;
  installed = true;
  for (const name of [
    'BatchMatMul',
    '_FusedMatMul',
    'Conv2D',
    'FusedConv2D',
    'DepthwiseConv2dNative',
    'Reshape',
    'Transpose',
    'PadV2',
    'Slice',
    'StridedSlice',
    'Concat',
    'Reverse',
    'Sum',
    'Multiply',
    'Identity',
    'GatherV2',
    'Add',
  ]) {
    const found = registeredKernel(name, 'wasm');
    if (found) stock.set(name, found.kernelFunc as unknown as StockKernel);
  }
  for (const [name, kernelFunc] of Object.entries(replacements)) {
    const replaced = registeredKernel(name, 'wasm');
    if (replaced) tf.unregisterKernel(name, 'wasm');
    // The stock kernel's setup (binding its C++ function) must still run when the backend initializes.
    const setupFunc = replaced?.setupFunc;
    tf.registerKernel({
      kernelName: name,
      backendName: 'wasm',
      kernelFunc: kernelFunc as unknown as tf.KernelFunc,
      ...(setupFunc ? { setupFunc } : {}),
    });
  }
  installReluGrad();
  installConvBiasRelu();
}
