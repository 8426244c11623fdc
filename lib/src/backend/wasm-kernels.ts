import * as tf from '@tensorflow/tfjs';

type Info = tf.TensorInfo;
type Attrs = Record<string, any>;
type KernelArgs = { inputs: Record<string, Info>; backend: tf.KernelBackend; attrs?: Attrs };
type Kernel = (args: KernelArgs) => Info;

/**
 * The kernels of the `wasm` backend that Lepton replaces or adds so that it trains CNNs and MLPs fast. Each is
 * written with the backend's own fast kernels (XNNPACK convolutions and matmuls, C++ transposes, pads, slices):
 * - `BatchMatMul`, `_FusedMatMul`: transposes first, so every multiply takes XNNPACK's fast (untransposed) path;
 * - `Conv2DBackpropInput`: a forward convolution of the (dilated, padded) output gradient with the flipped filter;
 * - `Conv2DBackpropFilter`: one dilated convolution of the input (batch as channels) by the output gradient;
 * - `DepthwiseConv2dNativeBackpropInput`/`Filter`: the same two ideas for depthwise convolutions;
 * - `UnsortedSegmentSum` (the gradient of `gather`, hence of embeddings): one pass over the rows;
 * - `MaxPoolGrad`: one pass over the windows on the wasm heap (the stock C++ loop is several times slower).
 */
export const replacedWasmKernels = [
  'BatchMatMul',
  '_FusedMatMul',
  'Conv2DBackpropInput',
  'Conv2DBackpropFilter',
  'DepthwiseConv2dNativeBackpropInput',
  'DepthwiseConv2dNativeBackpropFilter',
  'UnsortedSegmentSum',
  'MaxPoolGrad',
] as const;

/** The stock wasm kernels our replacements call, captured before any is replaced. */
const stock = new Map<string, Kernel>();

function kernel(name: string): Kernel {
  const found = stock.get(name) ?? (tf.getKernel(name, 'wasm')?.kernelFunc as Kernel | undefined);
  if (!found) throw new Error(`The wasm backend has no '${name}' kernel, which Lepton's training kernels need.`);
  return found;
}

/** Runs stock kernels and frees every intermediate result when done, except the ones kept. */
class Scope {
  private readonly temps: Info[] = [];
  constructor(private readonly backend: tf.KernelBackend) {}

  run(name: string, inputs: Record<string, Info> | Info[], attrs: Attrs = {}): Info {
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
    if (!transposeA && !transposeB) return kernel(name)({ inputs, backend, attrs });
    const a2 = transposeA ? s.transpose(a, swapLast(a.shape.length)) : a;
    const b2 = transposeB ? s.transpose(b, swapLast(b.shape.length)) : b;
    return kernel(name)({ inputs: { ...inputs, a: a2, b: b2 }, backend, attrs: { ...attrs, transposeA: false, transposeB: false } });
  });
}

/** Spreads `x` [n, h, w, c] to [n, (h-1)·sh+1, (w-1)·sw+1, c], zeros between the rows and columns (a strided conv's gradient). */
function dilate(s: Scope, x: Info, sh: number, sw: number): Info {
  if (sh === 1 && sw === 1) return x;
  const [n, h, w, c] = x.shape as [number, number, number, number];
  const six = s.reshape(x, [n, h, 1, w, 1, c]);
  const padded = s.run('PadV2', { x: six }, { paddings: [[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]], constantValue: 0 });
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

function convInfo(xShape: number[], filterShape: number[], attrs: Attrs, depthwise = false): tf.backend_util.Conv2DInfo {
  if (attrs.dataFormat && attrs.dataFormat !== 'NHWC') {
    throw new Error(`Lepton's wasm convolution gradients take channels-last (NHWC) data, not ${attrs.dataFormat}.`);
  }
  const dilations = attrs.dilations ?? 1;
  if ((Array.isArray(dilations) ? dilations : [dilations]).some((d: number) => d !== 1)) {
    throw new Error('Lepton\'s wasm convolution gradients need dilations of 1 (as tfjs\'s own convolution gradients do).');
  }
  return tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    depthwise,
  );
}

/** Pads the input gradient's dilated source and convolves it with `filter` (already flipped and arranged). */
function fullConvolution(s: Scope, dy: Info, info: tf.backend_util.Conv2DInfo, filter: Info, depthwise: boolean): Info {
  const dilated = dilate(s, dy, info.strideHeight, info.strideWidth);
  const [top, bottom] = fullPadding(info.inHeight, info.filterHeight, dilated.shape[1]!, info.padInfo.top);
  const [left, right] = fullPadding(info.inWidth, info.filterWidth, dilated.shape[2]!, info.padInfo.left);
  const pad = [[0, 0], [top, bottom], [left, right], [0, 0]];
  const attrs = { strides: 1, pad, dilations: 1, dataFormat: 'NHWC', dimRoundingMode: undefined };
  return s.run(depthwise ? 'DepthwiseConv2dNative' : 'Conv2D', { x: dilated, filter }, attrs);
}

const conv2DBackpropInput: Kernel = scoped((s, { inputs, attrs = {} }) => {
  const { dy, filter } = inputs as { dy: Info; filter: Info };
  const info = convInfo(attrs.inputShape, filter.shape, attrs);
  // dx = full convolution of dy with the filter rotated 180° and its in/out channels swapped.
  const flipped = s.run('Reverse', { x: filter }, { dims: [0, 1] });
  const swapped = s.transpose(flipped, [0, 1, 3, 2]);
  return fullConvolution(s, dy, info, swapped, false);
});

/** The strided patches of the padded input that each filter tap sees: [n, outH, outW, kh·kw·c], tap-major. */
function patches(s: Scope, x: Info, info: tf.backend_util.Conv2DInfo): Info[] {
  const { outHeight: oh, outWidth: ow, strideHeight: sh, strideWidth: sw, filterHeight: kh, filterWidth: kw } = info;
  const [n, h, w, c] = x.shape as [number, number, number, number];
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const bottom = Math.max(0, (oh - 1) * sh + kh - h - top);
  const right = Math.max(0, (ow - 1) * sw + kw - w - left);
  const padded = top || bottom || left || right
    ? s.run('PadV2', { x }, { paddings: [[0, 0], [top, bottom], [left, right], [0, 0]], constantValue: 0 })
    : x;
  const taps: Info[] = [];
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      const begin = [0, i, j, 0];
      const end = [n, i + (oh - 1) * sh + 1, j + (ow - 1) * sw + 1, c];
      taps.push(s.run('StridedSlice', { x: padded }, { begin, end, strides: [1, sh, sw, 1], beginMask: 0, endMask: 0, ellipsisMask: 0, newAxisMask: 0, shrinkAxisMask: 0 }));
    }
  }
  return taps;
}

const conv2DBackpropFilter: Kernel = scoped((s, { inputs, attrs = {} }) => {
  const { x, dy } = inputs as { x: Info; dy: Info };
  const filterShape = attrs.filterShape as [number, number, number, number];
  const info = convInfo(x.shape, filterShape, attrs);
  const [kh, kw] = filterShape;
  const { outHeight: oh, outWidth: ow, strideHeight: sh, strideWidth: sw, inHeight: h, inWidth: w } = info;
  // dW[i, j, ci, co] = Σ_{n,y,x} x[n, y·s + i, x·s + j, ci] · dy[n, y, x, co]: a convolution of x with the batch as
  // channels ([ci, H, W, n]) by dy as the filter ([oh, ow, n, co]), dilated by the stride, giving [ci, kh, kw, co].
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const bottom = Math.max(0, (oh - 1) * sh + kh - h - top);
  const right = Math.max(0, (ow - 1) * sw + kw - w - left);
  const image = s.transpose(x, [3, 1, 2, 0]);
  const filter = s.transpose(dy, [1, 2, 0, 3]);
  const conv = s.run('Conv2D', { x: image, filter }, {
    strides: 1,
    pad: [[0, 0], [top, bottom], [left, right], [0, 0]],
    dilations: [sh, sw],
    dataFormat: 'NHWC',
    dimRoundingMode: undefined,
  });
  const [cin, gotH, gotW, cout] = conv.shape as [number, number, number, number];
  const cropped = gotH === kh && gotW === kw ? conv : s.run('Slice', { x: conv }, { begin: [0, 0, 0, 0], size: [cin, kh, kw, cout] });
  return s.transpose(cropped, [1, 2, 0, 3]);
});

const depthwiseBackpropInput: Kernel = scoped((s, { inputs, attrs = {} }) => {
  const { dy, filter } = inputs as { dy: Info; filter: Info };
  const [kh, kw, c, mult] = filter.shape as [number, number, number, number];
  const info = convInfo(attrs.inputShape, filter.shape, attrs, true);
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

/** The parts of the wasm backend that kernels written in JavaScript use. */
type HeapBackend = {
  makeOutput(shape: number[], dtype: string): Info;
  typedArrayFromHeap(info: Info): Float32Array | Int32Array;
  readSync(id: object): ArrayLike<number>;
};

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
    for (let k = 0; k < width; k++) target[to + k] += values[from + k]!;
  }
  return out;
};

/**
 * The gradient of max pooling, one pass in place on the wasm heap: each window's gradient goes to its first
 * maximum (the cpu backend's rule). The stock C++ kernel is a plain loop, several times slower.
 */
const maxPoolGrad: Kernel = ({ inputs, backend, attrs = {} }) => {
  const { dy, input } = inputs as { dy: Info; input: Info };
  const info = tf.backend_util.computePool2DInfo(input.shape as [number, number, number, number], attrs.filterSize, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode);
  const heap = backend as unknown as HeapBackend;
  const out = heap.makeOutput(input.shape, 'float32');
  // Views after makeOutput: allocating may grow the heap and detach earlier views.
  const x = heap.typedArrayFromHeap(input);
  const g = heap.typedArrayFromHeap(dy);
  const dx = heap.typedArrayFromHeap(out);
  dx.fill(0);
  const { batchSize, inHeight: h, inWidth: w, inChannels: c, outHeight: oh, outWidth: ow, strideHeight: sh, strideWidth: sw } = info;
  const fh = info.effectiveFilterHeight;
  const fw = info.effectiveFilterWidth;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  for (let b = 0; b < batchSize; b++) {
    const xBase = b * h * w * c;
    for (let oy = 0; oy < oh; oy++) {
      const y0 = Math.max(0, oy * sh - top);
      const y1 = Math.min(h, oy * sh - top + fh);
      for (let ox = 0; ox < ow; ox++) {
        const x0 = Math.max(0, ox * sw - left);
        const x1 = Math.min(w, ox * sw - left + fw);
        const gBase = ((b * oh + oy) * ow + ox) * c;
        for (let ch = 0; ch < c; ch++) {
          let best = -Infinity;
          let at = -1;
          for (let y = y0; y < y1; y++) {
            for (let xx = x0; xx < x1; xx++) {
              const i = xBase + (y * w + xx) * c + ch;
              const v = x[i]!;
              if (v > best || at < 0) {
                best = v;
                at = i;
              }
            }
          }
          if (at >= 0) dx[at] += g[gBase + ch]!;
        }
      }
    }
  }
  return out;
};

const replacements: Record<(typeof replacedWasmKernels)[number], Kernel> = {
  BatchMatMul: matMulWithoutTranspose('BatchMatMul'),
  _FusedMatMul: matMulWithoutTranspose('_FusedMatMul'),
  Conv2DBackpropInput: conv2DBackpropInput,
  Conv2DBackpropFilter: conv2DBackpropFilter,
  DepthwiseConv2dNativeBackpropInput: depthwiseBackpropInput,
  DepthwiseConv2dNativeBackpropFilter: depthwiseBackpropFilter,
  UnsortedSegmentSum: unsortedSegmentSum,
  MaxPoolGrad: maxPoolGrad,
};

let installed = false;

/**
 * Registers Lepton's training kernels on the `wasm` backend (once; later calls do nothing). The stock kernels
 * they replace stay reachable to them. Call before the first training step; `lepton.backend()` does.
 */
export function installWasmTrainingKernels(): void {
  if (installed) return;
  installed = true;
  for (const name of ['BatchMatMul', '_FusedMatMul', 'Conv2D', 'DepthwiseConv2dNative', 'Reshape', 'Transpose', 'PadV2', 'Slice', 'StridedSlice', 'Concat', 'Reverse', 'Sum', 'Multiply', 'Identity']) {
    const found = tf.getKernel(name, 'wasm');
    if (found) stock.set(name, found.kernelFunc as unknown as Kernel);
  }
  for (const [name, kernelFunc] of Object.entries(replacements)) {
    const replaced = tf.getKernel(name, 'wasm');
    if (replaced) tf.unregisterKernel(name, 'wasm');
    // The stock kernel's setup (binding its C++ function) must still run when the backend initializes.
    const setupFunc = replaced?.setupFunc;
    tf.registerKernel({ kernelName: name, backendName: 'wasm', kernelFunc: kernelFunc as unknown as tf.KernelFunc, ...(setupFunc ? { setupFunc } : {}) });
  }
}
