/**
 * A few WebAssembly SIMD loops that run directly on the wasm backend's heap, for the training steps whose stock
 * kernels are slow at small-CNN sizes: the max-pooling gradient, adding a bias along the last axis, summing the
 * leading axes (a bias's gradient) and a convolution's filter gradient. They are assembled
 * here byte by byte — a few hundred bytes, no toolchain — and share the backend's `WebAssembly.Memory`, so tensors
 * are read and written where they lie, never copied.
 *
 * Every loop works on groups of 4 float32 lanes: the kernels that call them check that the innermost dimension is
 * a multiple of 4 and otherwise take their other path (JavaScript, or the stock kernel).
 * @module
 */

// Value types, opcodes and SIMD (0xfd-prefixed) opcodes of the WebAssembly binary format.
const I32 = 0x7f;
const F32 = 0x7d;
const V128 = 0x7b;
const op = {
  block: 0x02,
  loop: 0x03,
  br: 0x0c,
  brIf: 0x0d,
  end: 0x0b,
  void: 0x40,
  select: 0x1b,
  get: 0x20,
  set: 0x21,
  tee: 0x22,
  i32Const: 0x41,
  f32Load: 0x2a,
  f32Store: 0x38,
  f32Add: 0x92,
  f32Mul: 0x94,
  f32Div: 0x95,
  f32Sqrt: 0x91,
  f32Const: 0x43,
  f32Ne: 0x5c,
  f32Gt: 0x5e,
  i32Eqz: 0x45,
  i32And: 0x71,
  i32GeS: 0x4e,
  i32LtS: 0x48,
  i32GtS: 0x4a,
  i32Add: 0x6a,
  i32Sub: 0x6b,
  i32Mul: 0x6c,
  i32Shl: 0x74,
} as const;
const simd = {
  load: 0x00,
  store: 0x0b,
  const: 0x0c,
  i32x4Splat: 0x11,
  i32x4ExtractLane: 0x1b,
  v128And: 0x4e,
  v128AndNot: 0x4f,
  f32x4ExtractLane: 0x1f,
  f32x4Splat: 0x13,
  f32x4Lt: 0x43,
  bitselect: 0x52,
  i32x4Add: 0xae,
  f32x4Add: 0xe4,
  f32x4Sub: 0xe5,
  f32x4Mul: 0xe6,
  f32x4Div: 0xe7,
  f32x4Sqrt: 0xe3,
  f32x4Pmax: 0xeb,
  f32x4Ne: 0x42,
  f32x4Gt: 0x44,
  v128Or: 0x50,
  anyTrue: 0x53,
} as const;

function leb(value: number, signed = false): number[] {
  const bytes: number[] = [];
  for (;;) {
    const byte = value & 0x7f;
    value = signed ? value >> 7 : value >>> 7;
    const done = signed ? (value === 0 && !(byte & 0x40)) || (value === -1 && (byte & 0x40) !== 0) : value === 0;
    bytes.push(done ? byte : byte | 0x80);
    if (done) return bytes;
  }
}

const vec = (items: number[][]) => [...leb(items.length), ...items.flat()];
const name = (text: string) => [...leb(text.length), ...Array.from(text, (ch) => ch.charCodeAt(0))];
const section = (id: number, body: number[]) => [id, ...leb(body.length), ...body];

// Instruction helpers (memory operands: alignment hint 1 byte — tensors are not 16-byte aligned — offset 0).
const get = (i: number) => [op.get, i];
const set = (i: number) => [op.set, i];
const tee = (i: number) => [op.tee, i];
const i32 = (n: number) => [op.i32Const, ...leb(n, true)];
const v = (code: number, ...rest: number[]) => [0xfd, ...leb(code), ...rest];
const vload = [...v(simd.load), 0, 0];
const vstore = [...v(simd.store), 0, 0];
/** `+ local[a]·local[b]`, onto the address already on the stack. */
const plusProduct = (a: number, b: number) => [...get(a), ...get(b), op.i32Mul, op.i32Add];
/** `local = value` for each `[local, value]` pair, in order. */
const assign = (pairs: [number, number[]][]) => pairs.flatMap(([local, value]) => [...value, ...set(local)]);
/** `local[i] += step` */
const bump = (i: number, step: number[]) => [...get(i), ...step, op.i32Add, ...set(i)];
/** `for (; local[i] < local[limit]; local[i] += step) body`, as block/loop with a test before each pass. */
const forLt = (i: number, limit: number, step: number[], body: number[]) => [
  op.block,
  op.void,
  op.loop,
  op.void,
  ...get(i),
  ...get(limit),
  op.i32GeS,
  op.brIf,
  1,
  ...body,
  ...bump(i, step),
  op.br,
  0,
  op.end,
  op.end,
];

/**
 * `for (local[j] = 0; j < local[end]; j += 16) step(true)` then `for (; j < local[bytes]; j += 4) step(false)`: a row
 * by groups of 4 float32 lanes (`end` is `bytes` rounded down to 16), then what is left one value at a time.
 */
const lanesThenRest = (j: number, end: number, bytes: number, step: (lanes: boolean) => number[]) => [
  ...i32(0),
  ...set(j),
  ...forLt(j, end, i32(16), step(true)),
  ...forLt(j, bytes, i32(4), step(false)),
];

interface Func {
  params: number[];
  /** Result types (none by default). */
  results?: number[];
  locals: number[];
  body: number[];
}

/**
 * `(a, bias, out, bytes, rowBytes)`, walking `bytes` bytes of `a` as rows of `rowBytes`: `add` writes
 * out = a + bias (bias one row long, repeating); `columnSum` adds each row of `a` into `out` (one row long).
 */
function rowBroadcast(kind: 'add' | 'columnSum'): Func {
  // params 0 a, 1 bias, 2 out, 3 bytes, 4 rowBytes; locals 5 offset, 6 column offset
  const [a, bias, out, bytes, rowBytes, at, k] = [0, 1, 2, 3, 4, 5, 6];
  const step = [
    ...(kind === 'add'
      ? [
          ...get(out),
          ...get(at),
          op.i32Add,
          ...get(a),
          ...get(at),
          op.i32Add,
          ...vload,
          ...get(bias),
          ...get(k),
          op.i32Add,
          ...vload,
          ...v(simd.f32x4Add),
          ...vstore,
        ]
      : [
          ...get(out),
          ...get(k),
          op.i32Add,
          ...get(out),
          ...get(k),
          op.i32Add,
          ...vload,
          ...get(a),
          ...get(at),
          op.i32Add,
          ...vload,
          ...v(simd.f32x4Add),
          ...vstore,
        ]),
    ...nextColumn(k, rowBytes),
  ];
  return { params: [I32, I32, I32, I32, I32], locals: [I32, I32], body: forLt(at, bytes, i32(16), step) };
}

/** `k = (k + 16 == rowBytes) ? 0 : k + 16`: the byte offset of the next 4 columns within a row. */
const nextColumn = (k: number, rowBytes: number) => {
  const next = [...get(k), ...i32(16), op.i32Add, ...tee(k)];
  const atRowEnd = [...get(k), ...get(rowBytes), op.i32Sub, op.i32Eqz];
  return [...i32(0), ...next, ...atRowEnd, op.select, ...set(k)];
};

/**
 * `mask = best < next; best = next where mask`, lane by lane: a later element replaces the running maximum only when
 * strictly greater, so the first maximum wins (the cpu backend's tie rule, which both max-pooling gradients keep).
 * Unlike the cpu backend, a leading NaN stays and a window of −∞ sends its gradient to its first element (the cpu
 * backend skips NaN and drops that gradient): both loops share this, as the general loop always had.
 */
const keepFirstMaximum = (best: number, next: number, mask: number) => [
  ...get(best),
  ...get(next),
  ...v(simd.f32x4Lt),
  ...set(mask),
  ...get(next),
  ...get(best),
  ...get(mask),
  ...v(simd.bitselect),
  ...set(best),
];

/**
 * `(xRow, windowRows, g, delta, ow, rowBytes, cBytes, sw, fw, left, w)`: the max-pooling gradient of one
 * output row. For each output column and group of 4 channels it walks the window (rows from `xRow`, columns
 * clipped to the input) keeping the running maximum and its address: a later element replaces it only when
 * strictly greater, so the first maximum wins and a leading NaN stays (the cpu backend's rule). The window's
 * gradient is then added at that address + `delta` (dx's offset from x).
 */
function maxPoolGradRow(): Func {
  const [xRow, windowRows, g, delta, ow, rowBytes, cBytes, sw, fw, left, w] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  // i32 locals
  const [ox, start, x0, x1, cb, fy, fx, p, lane] = [11, 12, 13, 14, 15, 16, 17, 18, 19];
  // v128 locals
  const [best, idx, value, mask, lanes] = [20, 21, 22, 23, 24];
  const laneOffsets = [0, 4, 8, 12].flatMap((n) => [n & 0xff, 0, 0, 0]);
  const addressOf = (pointer: number) => [...get(pointer), ...v(simd.i32x4Splat), ...get(lanes), ...v(simd.i32x4Add)];
  const pixel = (column: number[]) => [
    ...get(xRow),
    ...get(fy),
    ...get(rowBytes),
    op.i32Mul,
    op.i32Add,
    ...column,
    ...get(cBytes),
    op.i32Mul,
    op.i32Add,
    ...get(cb),
    op.i32Add,
  ];
  const scatter = (l: number) => [
    ...get(idx),
    ...v(simd.i32x4ExtractLane, l),
    ...get(delta),
    op.i32Add,
    ...tee(lane),
    ...get(lane),
    op.f32Load,
    2,
    0,
    ...get(g),
    ...get(ox),
    ...get(cBytes),
    op.i32Mul,
    op.i32Add,
    ...get(cb),
    op.i32Add,
    ...vload,
    ...v(simd.f32x4ExtractLane, l),
    op.f32Add,
    op.f32Store,
    2,
    0,
  ];
  const window = [
    // p = first element of the window; best = its values, idx = their addresses
    ...i32(0),
    ...set(fy),
    ...pixel(get(x0)),
    ...tee(p),
    ...vload,
    ...set(best),
    ...addressOf(p),
    ...set(idx),
    ...forLt(fy, windowRows, i32(1), [
      ...get(x0),
      ...set(fx),
      ...forLt(fx, x1, i32(1), [
        ...pixel(get(fx)),
        ...tee(p),
        ...vload,
        ...set(value),
        ...keepFirstMaximum(best, value, mask),
        ...addressOf(p),
        ...get(idx),
        ...get(mask),
        ...v(simd.bitselect),
        ...set(idx),
      ]),
    ]),
    ...scatter(0),
    ...scatter(1),
    ...scatter(2),
    ...scatter(3),
  ];
  const column = [
    // start = ox·stride − left; x0 = max(0, start); x1 = min(w, start + fw)
    ...get(ox),
    ...get(sw),
    op.i32Mul,
    ...get(left),
    op.i32Sub,
    ...set(start),
    ...get(start),
    ...i32(0),
    ...get(start),
    ...i32(0),
    op.i32GtS,
    op.select,
    ...set(x0),
    ...get(start),
    ...get(fw),
    op.i32Add,
    ...tee(x1),
    ...get(w),
    ...get(x1),
    ...get(w),
    op.i32LtS,
    op.select,
    ...set(x1),
    op.block,
    op.void,
    ...get(x0),
    ...get(x1),
    op.i32GeS,
    op.brIf,
    0,
    ...i32(0),
    ...set(cb),
    ...forLt(cb, cBytes, i32(16), window),
    op.end,
  ];
  return {
    params: Array<number>(11).fill(I32),
    locals: [...Array<number>(9).fill(I32), ...Array<number>(5).fill(V128)],
    body: [...v(simd.const, ...laneOffsets), ...set(lanes), ...i32(0), ...set(ox), ...forLt(ox, ow, i32(1), column)],
  };
}

/**
 * `(x, dy, out, n, oh, ow, imageBytes, rowStepBytes, colStepBytes, coutBytes, offset₀ … offset₍mr−1₎)`: one tile of a
 * convolution's filter gradient seen as a matrix product, dW[r, co] = Σ_p X[p, r] · dy[p, co], where r runs over
 * (tap, input channel) and p over (image, output row, output column). The tile is `mr` rows r (their bytes from a
 * position's first input value given as `offset`s) by `nv` groups of 4 output channels, its mr·nv sums kept in
 * registers: per position, mr input values are each loaded and splatted once and nv vectors of dy loaded once, for
 * mr·nv multiply-adds, with no patches gathered anywhere. `x` is the padded input at the tile's first image, `dy` the
 * output gradient at that image and the tile's first channel, `out` dW at the tile's first row and channel (rows
 * `coutBytes` apart): the sums are added to it.
 */
function filterGradTile(mr: number, nv: number): Func {
  const [x, dy, out, n, oh, ow, imageBytes, rowStep, colStep, coutBytes] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] as const;
  const offset = (k: number) => 10 + k;
  const firstLocal = 10 + mr;
  const [b, oy, ox, xImage, xp, dyp, row] = [0, 1, 2, 3, 4, 5, 6].map((i) => firstLocal + i) as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const firstVector = 17 + mr;
  const acc = (k: number, j: number) => firstVector + k * nv + j;
  const splat = (k: number) => firstVector + mr * nv + k;
  const d = firstVector + mr * nv + mr;
  const rows = [...Array(mr).keys()];
  const groups = [...Array(nv).keys()];
  const at = (offsetBytes: number) => [0, ...leb(offsetBytes)];
  const position = [
    ...rows.flatMap((k) => [
      ...get(xp),
      ...get(offset(k)),
      op.i32Add,
      op.f32Load,
      2,
      0,
      ...v(simd.f32x4Splat),
      ...set(splat(k)),
    ]),
    ...groups.flatMap((j) => [
      ...get(dyp),
      ...v(simd.load),
      ...at(16 * j),
      ...set(d),
      ...rows.flatMap((k) => [
        ...get(acc(k, j)),
        ...get(splat(k)),
        ...get(d),
        ...v(simd.f32x4Mul),
        ...v(simd.f32x4Add),
        ...set(acc(k, j)),
      ]),
    ]),
    ...bump(xp, get(colStep)),
    ...bump(dyp, get(coutBytes)),
  ];
  const image = [
    ...get(x),
    ...get(b),
    ...get(imageBytes),
    op.i32Mul,
    op.i32Add,
    ...set(xImage),
    ...i32(0),
    ...set(oy),
    ...forLt(oy, oh, i32(1), [
      ...get(xImage),
      ...get(oy),
      ...get(rowStep),
      op.i32Mul,
      op.i32Add,
      ...set(xp),
      ...i32(0),
      ...set(ox),
      ...forLt(ox, ow, i32(1), position),
    ]),
  ];
  const addToOut = rows.flatMap((k) => [
    ...get(out),
    ...i32(k),
    ...get(coutBytes),
    op.i32Mul,
    op.i32Add,
    ...set(row),
    ...groups.flatMap((j) => [
      ...get(row),
      ...get(row),
      ...v(simd.load),
      ...at(16 * j),
      ...get(acc(k, j)),
      ...v(simd.f32x4Add),
      ...v(simd.store),
      ...at(16 * j),
    ]),
  ]);
  return {
    params: Array<number>(10 + mr).fill(I32),
    locals: [...Array<number>(7).fill(I32), ...Array<number>(mr * nv + mr + 1).fill(V128)],
    body: [...get(dy), ...set(dyp), ...i32(0), ...set(b), ...forLt(b, n, i32(1), image), ...addToOut],
  };
}

/**
 * `(x, w, out, oh, ow, inRowBytes, rowStepBytes, colStepBytes, bias, images, imageBytes)`: a convolution of `images`
 * images (`imageBytes` apart; their outputs follow each other from `out`) with ONE input channel
 * (a grayscale image's first layer), `fh`×`fw` taps, `groups`·4 output channels, no padding (the caller pads). The
 * filter's fh·fw·groups vectors stay in registers for the whole image; per output pixel, each tap's input value is
 * loaded and splatted once and multiplied into every group of channels: fh·fw·groups multiply-adds, no patches.
 * XNNPACK runs this shape as a 9-deep inner product at half the rate of its 8-channel convolutions. The sums go tap
 * by tap, row-major, as tfjs's cpu backend adds them. `x` is the image's first value, `out` its output's first value
 * (rows of ow·groups·16 bytes, written, not added to); `epilogue` adds the bias at `bias` (one vector per group,
 * held in registers too) and applies ReLU before the store.
 */
function oneChannelConv(fh: number, fw: number, groups: number, epilogue: ConvEpilogue): Func {
  const [x, w, out, oh, ow, inRow, rowStep, colStep, bias, images, imageBytes] = [
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
  ] as const;
  const [oy, ox, rowStart, p, q, o, image] = [11, 12, 13, 14, 15, 16, 17] as const;
  // The v128 locals follow the 7 i32 ones.
  const vectors = 18;
  const taps = fh * fw;
  const weight = (t: number, g: number) => vectors + t * groups + g;
  const acc = (g: number) => vectors + taps * groups + g;
  const s = vectors + taps * groups + groups;
  const biasOf = (g: number) => s + 1 + g;
  const zero = s + 1 + groups;
  const withBias = epilogue !== 'none';
  const relu = epilogue === 'biasRelu';
  const lanes = [...Array(groups).keys()];
  const at = (offsetBytes: number) => [0, ...leb(offsetBytes)];
  const pixel = [
    ...get(p),
    ...set(q),
    ...[...Array(taps).keys()].flatMap((t) => {
      const [ky, kx] = [Math.floor(t / fw), t % fw];
      return [
        ...(kx === 0 && ky > 0 ? bump(q, get(inRow)) : []),
        ...get(q),
        op.f32Load,
        2,
        ...leb(kx * 4),
        ...v(simd.f32x4Splat),
        ...set(s),
        ...lanes.flatMap((g) => [
          ...(t === 0 ? [] : get(acc(g))),
          ...get(s),
          ...get(weight(t, g)),
          ...v(simd.f32x4Mul),
          ...(t === 0 ? [] : v(simd.f32x4Add)),
          ...set(acc(g)),
        ]),
      ];
    }),
    // The bias after the taps and then ReLU, in the order of tfjs's unfused Conv2D, Add, Relu (same roundings);
    // pmax(0, a) = 0 < a ? a : 0, XNNPACK's clamp (a NaN becomes 0 as in its fused convolution).
    ...lanes.flatMap((g) => [
      ...get(o),
      ...(relu ? get(zero) : []),
      ...get(acc(g)),
      ...(withBias ? [...get(biasOf(g)), ...v(simd.f32x4Add)] : []),
      ...(relu ? v(simd.f32x4Pmax) : []),
      ...v(simd.store),
      ...at(16 * g),
    ]),
    ...bump(o, i32(16 * groups)),
    ...bump(p, get(colStep)),
  ];
  const loadFilter = [...Array(taps).keys()].flatMap((t) =>
    lanes.flatMap((g) => [...get(w), ...v(simd.load), ...at(16 * (t * groups + g)), ...set(weight(t, g))]),
  );
  const loadBias = withBias
    ? lanes.flatMap((g) => [...get(bias), ...v(simd.load), ...at(16 * g), ...set(biasOf(g))])
    : [];
  // o runs on through the images (their outputs are contiguous); x moves to the next image after each.
  const oneImage = [
    ...assign([
      [rowStart, get(x)],
      [oy, i32(0)],
    ]),
    ...forLt(oy, oh, i32(1), [
      ...assign([
        [p, get(rowStart)],
        [ox, i32(0)],
      ]),
      ...forLt(ox, ow, i32(1), pixel),
      ...bump(rowStart, get(rowStep)),
    ]),
    ...bump(x, get(imageBytes)),
  ];
  return {
    params: Array<number>(11).fill(I32),
    locals: [...Array<number>(7).fill(I32), ...Array<number>(taps * groups + 2 * groups + 2).fill(V128)],
    body: [
      ...loadFilter,
      ...loadBias,
      ...assign([
        [o, get(out)],
        [image, i32(0)],
      ]),
      ...forLt(image, images, i32(1), oneImage),
    ],
  };
}

/**
 * `(g, m, v, w, mOut, vOut, wOut, bytes, b1, c1, b2, c2, oneMinusAcc1, oneMinusAcc2, eps, negLr)`: one Adam step over
 * `bytes` bytes of float32, with exactly the float32 operations of `tf.train.adam`, in its order:
 * m' = m·b1 + g·c1; v' = v·b2 + (g·g)·c2; w' = ((m' / oneMinusAcc1) / (√(v' / oneMinusAcc2) + eps))·negLr + w.
 * Groups of 4 go through SIMD lanes, the last `bytes` mod 16 one by one with the same scalar operations. The outputs
 * may be the inputs (updated in place) or other buffers.
 */
function adamStep(): Func {
  const [g, m, second, w, mOut, vOut, wOut, bytes] = [0, 1, 2, 3, 4, 5, 6, 7];
  const [b1, c1, b2, c2, oma1, oma2, eps, negLr] = [8, 9, 10, 11, 12, 13, 14, 15];
  const [at, end, sg, sm, sv] = [16, 17, 18, 19, 20];
  // v128 locals: the 8 constants splatted (in parameter order), then g, m', v'.
  const splat = (param: number) => 21 + param - b1;
  const [vg, vm, vv] = [29, 30, 31];
  const step = (lanes: boolean) => {
    const load = (pointer: number) => [...get(pointer), ...get(at), op.i32Add, ...(lanes ? vload : [op.f32Load, 2, 0])];
    const address = (pointer: number) => [...get(pointer), ...get(at), op.i32Add];
    const store = lanes ? vstore : [op.f32Store, 2, 0];
    const k = (param: number) => get(lanes ? splat(param) : param);
    const [mul, add, div, sqrt] = lanes
      ? [v(simd.f32x4Mul), v(simd.f32x4Add), v(simd.f32x4Div), v(simd.f32x4Sqrt)]
      : [[op.f32Mul], [op.f32Add], [op.f32Div], [op.f32Sqrt]];
    const [G, M, V] = lanes ? [vg, vm, vv] : [sg, sm, sv];
    return [
      ...load(g),
      ...set(G),
      // m' = m·b1 + g·c1
      ...address(mOut),
      ...load(m),
      ...k(b1),
      ...mul,
      ...get(G),
      ...k(c1),
      ...mul,
      ...add,
      ...tee(M),
      ...store,
      // v' = v·b2 + (g·g)·c2
      ...address(vOut),
      ...load(second),
      ...k(b2),
      ...mul,
      ...get(G),
      ...get(G),
      ...mul,
      ...k(c2),
      ...mul,
      ...add,
      ...tee(V),
      ...store,
      // w' = (m'/(1−β1ᵗ)) / (√(v'/(1−β2ᵗ)) + eps) · (−lr) + w
      ...address(wOut),
      ...get(M),
      ...k(oma1),
      ...div,
      ...get(V),
      ...k(oma2),
      ...div,
      ...sqrt,
      ...k(eps),
      ...add,
      ...div,
      ...k(negLr),
      ...mul,
      ...load(w),
      ...add,
      ...store,
    ];
  };
  return {
    params: [...Array<number>(8).fill(I32), ...Array<number>(8).fill(F32)],
    locals: [I32, I32, F32, F32, F32, ...Array<number>(11).fill(V128)],
    body: [
      ...[b1, c1, b2, c2, oma1, oma2, eps, negLr].flatMap((param) => [
        ...get(param),
        ...v(simd.f32x4Splat),
        ...set(splat(param)),
      ]),
      // end = bytes rounded down to whole groups of 4 floats
      ...get(bytes),
      ...i32(-16),
      op.i32And,
      ...set(end),
      ...i32(0),
      ...set(at),
      ...forLt(at, end, i32(16), step(true)),
      ...forLt(at, bytes, i32(4), step(false)),
    ],
  };
}

/**
 * `(dy, x, out, bytes)`: the gradient of ReLU, out = dy · step(x), with tfjs's step: 1 where x > 0, NaN where x is
 * NaN, else 0; multiplied, not selected, so that dy·0 keeps its sign and ∞·0 is NaN, as in the stock gradient.
 * One pass instead of tfjs's three kernels (step, a float32→float32 cast that copies, multiply). `withSums`:
 * `(dy, x, out, bytes, sums, rowBytes)`, the same pass also adding each row of out into `sums` (a bias's gradient).
 */
function reluGrad(withSums: boolean): Func {
  const [dy, x, out, bytes, sums, rowBytes] = [0, 1, 2, 3, 4, 5];
  const first = withSums ? 6 : 4;
  const [at, end, sx] = [first, first + 1, first + 2];
  const [one, zero, vx, vm, k] = [first + 3, first + 4, first + 5, first + 6, first + 7];
  const f32 = (value: number) => [op.f32Const, ...new Uint8Array(new Float32Array([value]).buffer)];
  const step = (lanes: boolean) => {
    const load = (pointer: number) => [...get(pointer), ...get(at), op.i32Add, ...(lanes ? vload : [op.f32Load, 2, 0])];
    const X = lanes ? vx : sx;
    // select(a, b, mask): a where mask, else b (bitselect for lanes, select for one float).
    const pick = (a: number[], b: number[], mask: number[]) =>
      lanes ? [...a, ...b, ...mask, ...v(simd.bitselect)] : [...a, ...b, ...mask, op.select];
    const gt0 = lanes ? [...get(vx), ...get(zero), ...v(simd.f32x4Gt)] : [...get(sx), ...f32(0), op.f32Gt];
    const isNaN = lanes ? [...get(vx), ...get(vx), ...v(simd.f32x4Ne)] : [...get(sx), ...get(sx), op.f32Ne];
    const stepOfX = pick(get(X), pick(lanes ? get(one) : f32(1), lanes ? get(zero) : f32(0), gt0), isNaN);
    // With sums: sums[k] += the value just stored, row after row (the order of `columnSum` over the result).
    const sumAt = [...get(sums), ...get(k), op.i32Add];
    const addToSums = [
      ...sumAt,
      ...sumAt,
      ...vload,
      ...get(vm),
      ...v(simd.f32x4Add),
      ...vstore,
      ...nextColumn(k, rowBytes),
    ];
    return [
      ...load(x),
      ...set(X),
      ...get(out),
      ...get(at),
      op.i32Add,
      ...load(dy),
      ...stepOfX,
      ...(lanes ? v(simd.f32x4Mul) : [op.f32Mul]),
      ...(lanes && withSums ? tee(vm) : []),
      ...(lanes ? vstore : [op.f32Store, 2, 0]),
      ...(lanes && withSums ? addToSums : []),
    ];
  };
  return {
    params: withSums ? [I32, I32, I32, I32, I32, I32] : [I32, I32, I32, I32],
    locals: withSums ? [I32, I32, F32, V128, V128, V128, V128, I32] : [I32, I32, F32, V128, V128, V128],
    body: [
      ...f32(1),
      ...v(simd.f32x4Splat),
      ...set(one),
      ...f32(0),
      ...v(simd.f32x4Splat),
      ...set(zero),
      ...get(bytes),
      ...i32(-16),
      op.i32And,
      ...set(end),
      ...i32(0),
      ...set(at),
      ...forLt(at, end, i32(16), step(true)),
      ...forLt(at, bytes, i32(4), step(false)),
    ],
  };
}

/**
 * `(a, aRow, aCol, b, bRow, bCol, c, cRow, cCol, m, k, nBytes)`: C += A·B by rows, with byte strides, so that one loop
 * serves a product, a product with A transposed and an accumulated outer product: for i < m, p < k, the scalar
 * a = A[a + i·aRow + p·aCol] scales the row B[b + i·bRow + p·bCol] (nBytes long) into C[c + i·cRow + p·cCol].
 * Groups of 4 through SIMD lanes, the last nBytes mod 16 one by one (the same float32 multiply and add).
 */
function gemmAccumulate(): Func {
  const [a, aRow, aCol, b, bRow, bCol, c, cRow, cCol, m, k, nBytes] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
  const [i, p, j, end, bAt, cAt] = [12, 13, 14, 15, 16, 17];
  const scalar = 18;
  const lanes = 19;
  const at = (base: number, ri: number, ci: number) => [
    ...get(base),
    ...get(i),
    ...get(ri),
    op.i32Mul,
    op.i32Add,
    ...get(p),
    ...get(ci),
    op.i32Mul,
    op.i32Add,
  ];
  const step = (simdLanes: boolean) => {
    const load = simdLanes ? vload : [op.f32Load, 2, 0];
    const [mul, add] = simdLanes ? [v(simd.f32x4Mul), v(simd.f32x4Add)] : [[op.f32Mul], [op.f32Add]];
    return [
      ...get(cAt),
      ...get(j),
      op.i32Add,
      ...get(cAt),
      ...get(j),
      op.i32Add,
      ...load,
      ...get(simdLanes ? lanes : scalar),
      ...get(bAt),
      ...get(j),
      op.i32Add,
      ...load,
      ...mul,
      ...add,
      ...(simdLanes ? vstore : [op.f32Store, 2, 0]),
    ];
  };
  const inner = [
    ...at(a, aRow, aCol),
    op.f32Load,
    2,
    0,
    ...tee(scalar),
    ...v(simd.f32x4Splat),
    ...set(lanes),
    ...at(b, bRow, bCol),
    ...set(bAt),
    ...at(c, cRow, cCol),
    ...set(cAt),
    ...lanesThenRest(j, end, nBytes, step),
  ];
  return {
    params: Array<number>(12).fill(I32),
    locals: [...Array<number>(6).fill(I32), F32, V128],
    body: [
      ...get(nBytes),
      ...i32(-16),
      op.i32And,
      ...set(end),
      ...i32(0),
      ...set(i),
      ...forLt(i, m, i32(1), [...i32(0), ...set(p), ...forLt(p, k, i32(1), inner)]),
    ],
  };
}

/**
 * `(src, dst, images, oh, kh, ow, srcRow, dstRow, bytes, dstLine, sh, dstImage)`: the `col2im` of a convolution's
 * input gradient, every image of a part in one call (a call per image, output row and filter row made 2,112 calls
 * from JavaScript per step of the CIFAR CNN). The columns at `src` are `images`·`oh`·`ow` rows of `srcRow` bytes, each
 * output position's products with every tap. A filter row's taps fall on adjacent input pixels, so each position's
 * share of filter row i is one contiguous span of `bytes` (kw taps × input channels), added by groups of 4 then one by
 * one onto the padded input: for output row y of image b at dst + b·dstImage + (y·sh + i)·dstLine, positions `dstRow`
 * bytes apart. The loops run image, output row, filter row, position, lanes — the order of the per-row calls this
 * replaced, so every sum is made in the same order and gives the same bits.
 */
function addColumnsToImages(): Func {
  const [src, dst, images, oh, kh, ow, srcRow, dstRow, bytes, dstLine, sh, dstImage] = [
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11,
  ];
  const [b, y, i, x, j, end, from, to, srcY, dstY, lineStep] = [12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22];
  const at = (base: number, index: number) => [...get(base), ...get(index), op.i32Add];
  const step = (lanes: boolean) => [
    ...at(to, j),
    ...at(to, j),
    ...(lanes ? vload : [op.f32Load, 2, 0]),
    ...at(from, j),
    ...(lanes ? vload : [op.f32Load, 2, 0]),
    ...(lanes ? v(simd.f32x4Add) : [op.f32Add]),
    ...(lanes ? vstore : [op.f32Store, 2, 0]),
  ];
  const position = [...lanesThenRest(j, end, bytes, step), ...bump(from, get(srcRow)), ...bump(to, get(dstRow))];
  const filterRow = [
    // from = srcY + i·bytes (filter row i's taps in the position's columns); to = dstY + i·dstLine.
    ...assign([
      [from, [...get(srcY), ...plusProduct(i, bytes)]],
      [to, [...get(dstY), ...plusProduct(i, dstLine)]],
      [x, i32(0)],
    ]),
    ...forLt(x, ow, i32(1), position),
  ];
  const outputRow = [
    // dstY = dst + b·dstImage + y·sh·dstLine: the padded input's row under output row y's first filter row.
    ...assign([
      [dstY, [...get(dst), ...plusProduct(b, dstImage), ...plusProduct(y, lineStep)]],
      [i, i32(0)],
    ]),
    ...forLt(i, kh, i32(1), filterRow),
    // The next output row's columns follow this one's: ow positions of srcRow bytes.
    ...bump(srcY, [...get(ow), ...get(srcRow), op.i32Mul]),
  ];
  return {
    params: Array<number>(12).fill(I32),
    locals: Array<number>(11).fill(I32),
    body: [
      ...assign([
        [end, [...get(bytes), ...i32(-16), op.i32And]],
        // sh·dstLine: how far the padded input moves from one output row to the next.
        [lineStep, [...get(sh), ...get(dstLine), op.i32Mul]],
        [srcY, get(src)],
        [b, i32(0)],
      ]),
      ...forLt(b, images, i32(1), [...i32(0), ...set(y), ...forLt(y, oh, i32(1), outputRow)]),
    ],
  };
}

/**
 * `(at, bytes) → i32`: 1 when any of the float32 values in `bytes` bytes (a multiple of 16) from `at` is NaN (or, with
 * `orInfinite`, NaN or ±Infinity), else 0. One pass without branches (the masks OR-ed together): how windows check a
 * long series for holes after copying it, and how `lepton.fit` checks its training data. x − x is NaN exactly where
 * x is NaN or infinite, so the second test is the first on x − x.
 */
function anyNaN(orInfinite: boolean): Func {
  const [at, bytes, i, acc, x] = [0, 1, 2, 3, 4];
  const load = [...get(at), ...get(i), op.i32Add, ...vload];
  const tested = orInfinite ? [...tee(x), ...get(x), ...v(simd.f32x4Sub), ...tee(x)] : tee(x);
  return {
    params: [I32, I32],
    results: [I32],
    locals: [I32, V128, V128],
    body: [
      ...v(simd.const, ...Array<number>(16).fill(0)),
      ...set(acc),
      ...i32(0),
      ...set(i),
      ...forLt(i, bytes, i32(16), [
        ...get(acc),
        ...load,
        ...tested,
        ...get(x),
        ...v(simd.f32x4Ne),
        ...v(simd.v128Or),
        ...set(acc),
      ]),
      ...get(acc),
      ...v(simd.anyTrue),
    ],
  };
}

/**
 * `(x, g, delta, oh, ow, rowBytes, cBytes, images, imageBytes)`: the max-pooling gradient of `images` images
 * (`imageBytes` apart in x and dx; their gradients follow each other in `g`) for a 2×2 pool of stride 2 with
 * no padding on the top or left and every window whole (`2·oh` rows and `2·ow` columns inside the input) — the
 * pooling of most small CNNs. Per group of 4 channels the window's four vectors are loaded once and compared in the
 * order the general loop walks them (a later element wins only when strictly greater: the first maximum, a leading
 * NaN kept); the gradient `g` is then written to the winner and 0 to the other three with AND/ANDNOT masks, at
 * + `delta` (dx's offset from x). No loops over the window, no scatters, no addresses compared: the general loop
 * (`maxPoolGradRow`) spends most of its time there. The batch's images are one call: a call per image from
 * JavaScript cost ~1.5 µs each (V8's generic JS-to-wasm wrapper) until V8 optimized the caller, 128 per step of
 * the reference CNN.
 */
function maxPool2x2Grad(): Func {
  const [x, g, delta, oh, ow, rowBytes, cBytes, images, imageBytes] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const [oy, ox, cb, p, gp, image] = [9, 10, 11, 12, 13, 14];
  const [a, b, c, d, tb, tc, td, gv] = [15, 16, 17, 18, 19, 20, 21, 22];
  // The window's four elements, as byte offsets from its first.
  const corners: number[][] = [[], get(cBytes), get(rowBytes), [...get(rowBytes), ...get(cBytes), op.i32Add]];
  const at = (corner: number[]) => [...get(p), ...corner, ...(corner.length ? [op.i32Add] : [])];
  const load = (corner: number[], into: number) => [...at(corner), ...vload, ...set(into)];
  const or = (...masks: number[]) => masks.flatMap((m, i) => [...get(m), ...(i ? v(simd.v128Or) : [])]);
  const write = (corner: number[], value: number[]) => [...at(corner), ...get(delta), op.i32Add, ...value, ...vstore];
  const group = [
    ...load(corners[0]!, a),
    ...load(corners[1]!, b),
    ...load(corners[2]!, c),
    ...load(corners[3]!, d),
    ...keepFirstMaximum(a, b, tb),
    ...keepFirstMaximum(a, c, tc),
    ...get(a),
    ...get(d),
    ...v(simd.f32x4Lt),
    ...set(td),
    ...get(gp),
    ...vload,
    ...set(gv),
    // The winner: d if td; else c if tc; else b if tb; else a.
    ...write(corners[0]!, [...get(gv), ...or(tb, tc, td), ...v(simd.v128AndNot)]),
    ...write(corners[1]!, [...get(gv), ...get(tb), ...v(simd.v128And), ...or(tc, td), ...v(simd.v128AndNot)]),
    ...write(corners[2]!, [...get(gv), ...get(tc), ...v(simd.v128And), ...get(td), ...v(simd.v128AndNot)]),
    ...write(corners[3]!, [...get(gv), ...get(td), ...v(simd.v128And)]),
    ...bump(p, i32(16)),
    ...bump(gp, i32(16)),
  ];
  const twice = (count: number, bytes: number) => [...get(count), ...get(bytes), op.i32Mul, ...i32(1), op.i32Shl];
  const column = [
    // p = x + oy·2·rowBytes + ox·2·cBytes; the inner loop moves it (and gp) 16 bytes a group.
    ...get(x),
    ...twice(oy, rowBytes),
    op.i32Add,
    ...twice(ox, cBytes),
    op.i32Add,
    ...set(p),
    ...i32(0),
    ...set(cb),
    ...forLt(cb, cBytes, i32(16), group),
  ];
  // gp runs on through the images (their gradients are contiguous); x moves to the next image after each.
  const oneImage = [
    ...i32(0),
    ...set(oy),
    ...forLt(oy, oh, i32(1), [...i32(0), ...set(ox), ...forLt(ox, ow, i32(1), column)]),
    ...bump(x, get(imageBytes)),
  ];
  return {
    params: Array<number>(9).fill(I32),
    locals: [...Array<number>(6).fill(I32), ...Array<number>(8).fill(V128)],
    body: [
      ...assign([
        [gp, get(g)],
        [image, i32(0)],
      ]),
      ...forLt(image, images, i32(1), oneImage),
    ],
  };
}

const functions = {
  biasAdd: rowBroadcast('add'),
  columnSum: rowBroadcast('columnSum'),
  maxPoolGradRow: maxPoolGradRow(),
  maxPool2x2Grad: maxPool2x2Grad(),
  adamStep: adamStep(),
  reluGrad: reluGrad(false),
  reluGradColumnSums: reluGrad(true),
  gemmAccumulate: gemmAccumulate(),
  addColumnsToImages: addColumnsToImages(),
  anyNaN: anyNaN(false),
  anyNonFinite: anyNaN(true),
};

function assemble(extra: Record<string, Func> = {}): Uint8Array {
  const entries = Object.entries({ ...functions, ...extra });
  const types = section(
    1,
    vec(entries.map(([, f]) => [0x60, ...vec(f.params.map((t) => [t])), ...vec((f.results ?? []).map((t) => [t]))])),
  );
  const imports = section(2, vec([[...name('env'), ...name('memory'), 0x02, 0x00, 0x00]]));
  const declared = section(3, vec(entries.map((_, i) => leb(i))));
  const exports = section(7, vec(entries.map(([n], i) => [...name(n), 0x00, ...leb(i)])));
  const code = section(
    10,
    vec(
      entries.map(([, f]) => {
        const body = [...vec(f.locals.map((t) => [1, t])), ...f.body, op.end];
        return [...leb(body.length), ...body];
      }),
    ),
  );
  return new Uint8Array([
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...types,
    ...imports,
    ...declared,
    ...exports,
    ...code,
  ]);
}

/** One tile of the filter gradient, bound to a memory (see `filterGradTile`); the last arguments are the rows' offsets. */
export type FilterGradTileLoop = (
  x: number,
  dy: number,
  out: number,
  n: number,
  oh: number,
  ow: number,
  imageBytes: number,
  rowStepBytes: number,
  colStepBytes: number,
  coutBytes: number,
  ...offsets: number[]
) => void;

const specialised = new WeakMap<WasmMemory, Map<string, ((...args: number[]) => void) | null>>();

/**
 * A loop assembled for particular sizes (its registers and unrolling depend on them), compiled once per memory and
 * key; null where this WebAssembly cannot compile it (no SIMD).
 */
function specialisedLoop(memory: WasmMemory, key: string, make: () => Func): ((...args: number[]) => void) | null {
  const cache = specialised.get(memory) ?? new Map<string, ((...args: number[]) => void) | null>();
  specialised.set(memory, cache);
  if (!cache.has(key)) {
    try {
      const module = new wasm.Module(assemble({ loop: make() }));
      cache.set(
        key,
        (new wasm.Instance(module, { env: { memory } }).exports as { loop: (...args: number[]) => void }).loop,
      );
    } catch {
      cache.set(key, null);
    }
  }
  return cache.get(key)!;
}

/** The filter-gradient tile loop for `rows` rows by `groups` groups of 4 output channels on `memory`, or null. */
export function filterGradTileLoop(memory: WasmMemory, rows: number, groups: number): FilterGradTileLoop | null {
  return specialisedLoop(memory, `tile ${rows}x${groups}`, () => filterGradTile(rows, groups));
}

/** A one-input-channel convolution of one image, bound to a memory (see `oneChannelConv`). */
export type OneChannelConvLoop = (
  x: number,
  w: number,
  out: number,
  oh: number,
  ow: number,
  inRowBytes: number,
  rowStepBytes: number,
  colStepBytes: number,
  bias: number,
  images: number,
  imageBytes: number,
) => void;

/**
 * What the one-input-channel convolution does to each output before storing it: nothing, add the bias (one float32
 * per output channel at `bias`), or add it and apply ReLU — a `FusedConv2D`'s bias and activation in the same pass.
 */
export type ConvEpilogue = 'none' | 'bias' | 'biasRelu';

/**
 * The one-input-channel convolution for an `fh`×`fw` filter, `groups` groups of 4 output channels and an epilogue,
 * or null.
 */
export function oneChannelConvLoop(
  memory: WasmMemory,
  fh: number,
  fw: number,
  groups: number,
  epilogue: ConvEpilogue = 'none',
): OneChannelConvLoop | null {
  return specialisedLoop(memory, `conv1 ${fh}x${fw}x${groups} ${epilogue}`, () =>
    oneChannelConv(fh, fw, groups, epilogue),
  );
}

/** The loops, bound to one backend's memory. Pointers and lengths are in bytes. */
export interface SimdLoops {
  /** out = a + bias, bias repeating every `rowBytes` (a multiple of 16) over `bytes`. */
  biasAdd(a: number, bias: number, out: number, bytes: number, rowBytes: number): void;
  /** out (rowBytes long, zeroed by the caller) += each row of x. */
  columnSum(x: number, unused: number, out: number, bytes: number, rowBytes: number): void;
  /** One output row of the max-pooling gradient (see the assembler above for the arguments). */
  maxPoolGradRow(
    xRow: number,
    windowRows: number,
    g: number,
    delta: number,
    ow: number,
    rowBytes: number,
    cBytes: number,
    sw: number,
    fw: number,
    left: number,
    w: number,
  ): void;
  /** One image's max-pooling gradient for a 2×2 pool of stride 2, every window whole (see the assembler above). */
  maxPool2x2Grad(
    x: number,
    g: number,
    delta: number,
    oh: number,
    ow: number,
    rowBytes: number,
    cBytes: number,
    images: number,
    imageBytes: number,
  ): void;
  /** out = dy · step(x) over `bytes` of float32: the gradient of ReLU (see the assembler above). */
  reluGrad(dy: number, x: number, out: number, bytes: number): void;
  /**
   * `reluGrad`, and each value written also added to `sums` (rowBytes long, a multiple of 16, zeroed by the caller)
   * at its column: the gradient's sum over rows in the same pass. `bytes` a multiple of `rowBytes`.
   */
  reluGradColumnSums(dy: number, x: number, out: number, bytes: number, sums: number, rowBytes: number): void;
  /** One Adam step over `bytes` of float32 (see the assembler above): m, v and w updated into the outputs, which may be the inputs. */
  adamStep(
    g: number,
    m: number,
    v: number,
    w: number,
    mOut: number,
    vOut: number,
    wOut: number,
    bytes: number,
    b1: number,
    c1: number,
    b2: number,
    c2: number,
    oneMinusAcc1: number,
    oneMinusAcc2: number,
    eps: number,
    negLr: number,
  ): void;
  /** C += A·B by rows with byte strides (see the assembler above): the LSTM's products (`lstm-sequence.ts`). */
  // A property, not a method: a WebAssembly export reads no `this`, so the LSTM keeps it as a plain function.
  gemmAccumulate: (
    a: number,
    aRow: number,
    aCol: number,
    b: number,
    bRow: number,
    bCol: number,
    c: number,
    cRow: number,
    cCol: number,
    m: number,
    k: number,
    nBytes: number,
  ) => void;
  /**
   * The whole `col2im` of a convolution's input gradient: each output row's filter rows added from the columns onto
   * the padded images (see the assembler above for the arguments).
   */
  addColumnsToImages(
    src: number,
    dst: number,
    images: number,
    oh: number,
    kh: number,
    ow: number,
    srcRow: number,
    dstRow: number,
    bytes: number,
    dstLine: number,
    sh: number,
    dstImage: number,
  ): void;
  /** 1 when a float32 in `bytes` (a multiple of 16) from `at` is NaN, else 0. */
  anyNaN(at: number, bytes: number): number;
  /** 1 when a float32 in `bytes` (a multiple of 16) from `at` is NaN or ±Infinity, else 0. */
  anyNonFinite(at: number, bytes: number): number;
}

/** A `WebAssembly.Memory` (Lepton's TypeScript settings carry no DOM or WebAssembly typings). */
export type WasmMemory = { readonly buffer: ArrayBuffer };

/** The bits of the global `WebAssembly` used here. */
const wasm = (
  globalThis as unknown as {
    WebAssembly: {
      Memory: new (descriptor: { initial: number }) => WasmMemory;
      Module: new (bytes: Uint8Array) => object;
      Instance: new (module: object, imports: object) => { exports: object };
    };
  }
).WebAssembly;

/** Whether `value` is a WebAssembly memory. */
export function isWasmMemory(value: unknown): value is WasmMemory {
  return value instanceof wasm.Memory;
}

const instances = new WeakMap<WasmMemory, SimdLoops | null>();

/**
 * The SIMD loops sharing `memory`, or null where this WebAssembly has no SIMD (the callers then use JavaScript).
 * Compiled once per memory.
 */
export function simdLoops(memory: WasmMemory): SimdLoops | null {
  let loops = instances.get(memory);
  if (loops === undefined) {
    try {
      const module = new wasm.Module(assemble());
      loops = new wasm.Instance(module, { env: { memory } }).exports as unknown as SimdLoops;
    } catch {
      loops = null;
    }
    instances.set(memory, loops);
  }
  return loops;
}
