/**
 * An LSTM layer's forward pass over every time step and its backward pass, as plain loops over float32 arrays: the
 * arithmetic of tfjs's `LSTMCell` (gates i, f, c, o in that order along the last axis of the kernels; c' = f·c + i·g,
 * h' = o·tanh(c')) without its dozens of small tensor operations per step and their gradients, which is where tfjs
 * spends an LSTM's training time (each op costs more to dispatch than its arithmetic at these sizes).
 * `fused-lstm.ts` wraps these loops as one differentiable tfjs operation.
 *
 * The products (the input projection, h·U and their gradients) run in a WebAssembly SIMD loop (`gemmAccumulate` in
 * `simd.ts`) on a scratch memory of this module's own, so they work the same on every tfjs backend; the gates are
 * JavaScript (a few thousand values per step). Without WebAssembly SIMD the same loop runs in JavaScript.
 * @module
 */
import { simdLoops, type SimdLoops } from './simd.js';

/** The gate activation of tfjs's LSTM: `hardSigmoid` (its default) or `sigmoid` (Keras's default). */
export type GateActivation = 'hardSigmoid' | 'sigmoid';

/** The sizes of one LSTM pass. */
export interface LstmShape {
  /** Sequences in the batch. */
  batch: number;
  /** Time steps. */
  steps: number;
  /** Features per step. */
  features: number;
  /** Units (the length of h and c). */
  units: number;
}

/** The weights: kernel [features, 4·units], recurrent kernel [units, 4·units], bias [4·units]. */
export interface LstmWeights {
  kernel: Float32Array;
  recurrentKernel: Float32Array;
  bias: Float32Array;
}

/** What the forward pass keeps for the backward pass (time-major: step t of sequence b at [t, b, ·]). */
export interface LstmTrace {
  shape: LstmShape;
  gate: GateActivation;
  /** Pre-activations z = x·W + h·U + b, [steps, batch, 4·units]. */
  z: Float32Array;
  /** The activated gates i, f, g, o, [steps, batch, 4·units]. */
  gates: Float32Array;
  /** Cell states c, [steps, batch, units]. */
  c: Float32Array;
  /** tanh(c), [steps, batch, units]. */
  tanhC: Float32Array;
  /** Hidden states h, [steps, batch, units]. */
  h: Float32Array;
}

/** The gradients of one backward pass. */
export interface LstmGradients {
  /** [batch, steps, features] */
  x: Float32Array;
  /** [features, 4·units] */
  kernel: Float32Array;
  /** [units, 4·units] */
  recurrentKernel: Float32Array;
  /** [4·units] */
  bias: Float32Array;
}

/**
 * The gate activation in float32, as tfjs computes it: hardSigmoid is clip(0.5 + 0.2·z, 0, 1) with each operation
 * rounded to float32; sigmoid is 1 / (1 + e^−z).
 */
function activate(gate: GateActivation, z: number): number {
  if (gate === 'sigmoid') return 1 / (1 + Math.exp(-z));
  const y = Math.fround(0.5 + Math.fround(0.2 * z));
  return y < 0 ? 0 : y > 1 ? 1 : y;
}

/**
 * The derivative of the gate activation at pre-activation z with value y. For hardSigmoid it is tfjs's: 0.2 where
 * 0 ≤ 0.5 + 0.2·z ≤ 1 (clipByValue passes the gradient at its bounds too), else 0.
 */
function slope(gate: GateActivation, z: number, y: number): number {
  if (gate === 'sigmoid') return y * (1 - y);
  const u = Math.fround(0.5 + Math.fround(0.2 * z));
  return u >= 0 && u <= 1 ? 0.2 : 0;
}

/** C += A·B by rows with byte strides: `SimdLoops.gemmAccumulate`'s contract. */
type Gemm = SimdLoops['gemmAccumulate'];

/** A `WebAssembly.Memory` with what this module uses of it. */
type GrowableMemory = { readonly buffer: ArrayBuffer; grow(pages: number): number };

const PAGE = 65536;

/**
 * The scratch memory the passes compute in: a bump allocator reset by each pass (passes are synchronous, so one
 * memory serves them all), grown when a pass needs more. Views are taken after every allocation (growing detaches
 * earlier views).
 */
class Scratch {
  private readonly memory: GrowableMemory;
  /** The SIMD product, or its JavaScript twin on this memory's float32 view. */
  readonly gemm: Gemm;
  private end = 0;

  constructor() {
    const WebAssemblyApi = (
      globalThis as unknown as { WebAssembly: { Memory: new (d: { initial: number }) => GrowableMemory } }
    ).WebAssembly;
    this.memory = new WebAssemblyApi.Memory({ initial: 16 });
    const loops = simdLoops(this.memory);
    this.gemm = loops ? loops.gemmAccumulate : (...args) => gemmInJs(new Float32Array(this.memory.buffer), ...args);
  }

  /** Starts a pass: every earlier allocation is free again. */
  reset(): void {
    this.end = 0;
  }

  /** Room for `floats` float32 values, 16-byte aligned; its byte offset. */
  alloc(floats: number): number {
    const at = this.end;
    this.end += Math.ceil((floats * 4) / 16) * 16;
    const missing = this.end - this.memory.buffer.byteLength;
    if (missing > 0) this.memory.grow(Math.ceil(missing / PAGE));
    return at;
  }

  /** A float32 view of `floats` values at byte offset `at` (valid until the next `alloc`). */
  view(at: number, floats: number): Float32Array {
    return new Float32Array(this.memory.buffer, at, floats);
  }
}

/** `gemmAccumulate` in JavaScript, for engines without WebAssembly SIMD. */
function gemmInJs(
  heap: Float32Array,
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
): void {
  const n = nBytes / 4;
  for (let i = 0; i < m; i++) {
    for (let p = 0; p < k; p++) {
      const av = heap[(a + i * aRow + p * aCol) / 4]!;
      const bAt = (b + i * bRow + p * bCol) / 4;
      const cAt = (c + i * cRow + p * cCol) / 4;
      for (let j = 0; j < n; j++) heap[cAt + j] = Math.fround(heap[cAt + j]! + Math.fround(av * heap[bAt + j]!));
    }
  }
}

let shared: Scratch | undefined;
const scratch = (): Scratch => (shared ??= new Scratch());

/** `m` [rows, cols] transposed into `out` [cols, rows]. */
function transpose(m: Float32Array, rows: number, cols: number, out: Float32Array): void {
  for (let r = 0; r < rows; r++) for (let q = 0; q < cols; q++) out[q * rows + r] = m[r * cols + q]!;
}

/**
 * Runs the LSTM over every step from zero states. `x` is [batch, steps, features]; the result's `h` holds every
 * step's output (the layer returns all of them, or the last).
 */
export function lstmForward(shape: LstmShape, x: Float32Array, w: LstmWeights, gate: GateActivation): LstmTrace {
  const { batch: B, steps: T, features: F, units: U } = shape;
  const G = 4 * U;
  const s = scratch();
  s.reset();
  const [xAt, kAt, rAt, zAt, hAt] = [
    s.alloc(B * T * F),
    s.alloc(F * G),
    s.alloc(U * G),
    s.alloc(T * B * G),
    s.alloc(T * B * U),
  ];
  s.view(xAt, B * T * F).set(x);
  s.view(kAt, F * G).set(w.kernel);
  s.view(rAt, U * G).set(w.recurrentKernel);
  const z = s.view(zAt, T * B * G);
  const h = s.view(hAt, T * B * U);
  const gates = new Float32Array(T * B * G);
  const c = new Float32Array(T * B * U);
  const tanhC = new Float32Array(T * B * U);
  // The input projection of every step first (it does not depend on the state): z = b + x·W.
  for (let r = 0; r < T * B; r++) z.set(w.bias, r * G);
  for (let t = 0; t < T; t++)
    s.gemm(xAt + t * F * 4, T * F * 4, 4, kAt, 0, G * 4, zAt + t * B * G * 4, G * 4, 0, B, F, G * 4);
  for (let t = 0; t < T; t++) {
    // z += h(t−1)·U for the whole batch.
    if (t > 0) s.gemm(hAt + (t - 1) * B * U * 4, U * 4, 4, rAt, 0, G * 4, zAt + t * B * G * 4, G * 4, 0, B, U, G * 4);
    for (let b = 0; b < B; b++) {
      const row = (t * B + b) * G;
      const sAt = (t * B + b) * U;
      const prevAt = ((t - 1) * B + b) * U;
      for (let u = 0; u < U; u++) {
        const i = activate(gate, z[row + u]!);
        const f = activate(gate, z[row + U + u]!);
        const g = Math.fround(Math.tanh(z[row + 2 * U + u]!));
        const o = activate(gate, z[row + 3 * U + u]!);
        gates[row + u] = i;
        gates[row + U + u] = f;
        gates[row + 2 * U + u] = g;
        gates[row + 3 * U + u] = o;
        const cPrev = t > 0 ? c[prevAt + u]! : 0;
        const cv = Math.fround(Math.fround(f * cPrev) + Math.fround(i * g));
        c[sAt + u] = cv;
        const tc = Math.fround(Math.tanh(cv));
        tanhC[sAt + u] = tc;
        h[sAt + u] = o * tc;
      }
    }
  }
  return { shape, gate, z: z.slice(), gates, c, tanhC, h: h.slice() };
}

/**
 * Back-propagates through the steps of `trace`. `dy` is the gradient of the layer's output: [batch, steps, units]
 * when it returned every step (`sequences`), else [batch, units] for the last step only.
 */
export function lstmBackward(
  trace: LstmTrace,
  x: Float32Array,
  w: LstmWeights,
  dy: Float32Array,
  sequences: boolean,
): LstmGradients {
  const { shape, gate, z, gates, c, tanhC } = trace;
  const { batch: B, steps: T, features: F, units: U } = shape;
  const G = 4 * U;
  const s = scratch();
  s.reset();
  const [xAt, ktAt, rtAt, hAt, dzAt, dRAt, dKAt, dxAt] = [
    s.alloc(B * T * F),
    s.alloc(G * F),
    s.alloc(G * U),
    s.alloc(T * B * U),
    s.alloc(T * B * G),
    s.alloc(U * G),
    s.alloc(F * G),
    s.alloc(B * T * F),
  ];
  // The gradients flowing into step t from step t + 1 through h (two buffers, swapped each step).
  let [dhNextAt, dhNowAt] = [s.alloc(B * U), s.alloc(B * U)];
  s.view(xAt, B * T * F).set(x);
  transpose(w.kernel, F, G, s.view(ktAt, G * F));
  transpose(w.recurrentKernel, U, G, s.view(rtAt, G * U));
  s.view(hAt, T * B * U).set(trace.h);
  const dz = s.view(dzAt, T * B * G);
  for (const [at, n] of [
    [dRAt, U * G],
    [dKAt, F * G],
    [dxAt, B * T * F],
    [dhNextAt, B * U],
  ] as const)
    s.view(at, n).fill(0);
  const dcNext = new Float32Array(B * U);
  for (let t = T - 1; t >= 0; t--) {
    const dhNext = s.view(dhNextAt, B * U);
    for (let b = 0; b < B; b++) {
      const row = (t * B + b) * G;
      const sAt = (t * B + b) * U;
      const prevAt = ((t - 1) * B + b) * U;
      const dyAt = sequences ? (b * T + t) * U : t === T - 1 ? b * U : -1;
      for (let u = 0; u < U; u++) {
        const dh = dhNext[b * U + u]! + (dyAt >= 0 ? dy[dyAt + u]! : 0);
        const i = gates[row + u]!;
        const f = gates[row + U + u]!;
        const g = gates[row + 2 * U + u]!;
        const o = gates[row + 3 * U + u]!;
        const tc = tanhC[sAt + u]!;
        const dc = dcNext[b * U + u]! + dh * o * (1 - tc * tc);
        const cPrev = t > 0 ? c[prevAt + u]! : 0;
        dcNext[b * U + u] = dc * f;
        dz[row + u] = dc * g * slope(gate, z[row + u]!, i);
        dz[row + U + u] = dc * cPrev * slope(gate, z[row + U + u]!, f);
        dz[row + 2 * U + u] = dc * i * (1 - g * g);
        dz[row + 3 * U + u] = dh * tc * slope(gate, z[row + 3 * U + u]!, o);
      }
    }
    const stepAt = dzAt + t * B * G * 4;
    // dh(t−1) = dz·Uᵀ, and dU += h(t−1)ᵀ·dz (h(−1) is zero).
    s.view(dhNowAt, B * U).fill(0);
    s.gemm(stepAt, G * 4, 4, rtAt, 0, U * 4, dhNowAt, U * 4, 0, B, G, U * 4);
    if (t > 0) s.gemm(hAt + (t - 1) * B * U * 4, U * 4, 4, stepAt, G * 4, 0, dRAt, 0, G * 4, B, U, G * 4);
    [dhNextAt, dhNowAt] = [dhNowAt, dhNextAt];
  }
  // The input side, every step at once: db = Σ dz, dW = xᵀ·dz, dx = dz·Wᵀ.
  const dBias = new Float32Array(G);
  for (let r = 0; r < T * B; r++) for (let j = 0; j < G; j++) dBias[j]! += dz[r * G + j]!;
  for (let t = 0; t < T; t++) {
    const stepAt = dzAt + t * B * G * 4;
    s.gemm(xAt + t * F * 4, T * F * 4, 4, stepAt, G * 4, 0, dKAt, 0, G * 4, B, F, G * 4);
    s.gemm(stepAt, G * 4, 4, ktAt, 0, F * 4, dxAt + t * F * 4, T * F * 4, 0, B, G, F * 4);
  }
  return {
    x: s.view(dxAt, B * T * F).slice(),
    kernel: s.view(dKAt, F * G).slice(),
    recurrentKernel: s.view(dRAt, U * G).slice(),
    bias: dBias,
  };
}
