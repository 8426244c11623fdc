/**
 * Recurrent layers unrolled into TFLite builtins: `LSTM`, `GRU` and `SimpleRNN` as one FULLY_CONNECTED over every
 * step's input, UNPACK into steps, then per step a FULLY_CONNECTED of the state and the gate arithmetic. TFLite's
 * fused UNIDIRECTIONAL_SEQUENCE_LSTM hard-codes the logistic for its gates, while tfjs's default recurrent
 * activation is the hard sigmoid, so unrolling is what keeps the file exact for every tfjs configuration (and
 * every op in it quantizes to int8). Gate blocks are reordered so the gates sharing the recurrent activation are
 * adjacent and take it in one pass: LSTM [i, f, o | c] from tfjs's [i, f, c, o]; GRU [z, r | h] as in tfjs.
 */
import { check, transposeData, weight } from '../../convert/context.js';
import type { TfliteGraph } from '../graph.js';
import { BuiltinOptions } from '../generated/schema/tflite/builtin-options.js';
import { SplitVOptionsT } from '../generated/schema/tflite/split-voptions.js';
import { Op, opt } from '../options.js';
import { applyActivation } from './activations.js';
import { onlyTensor, type TfliteCall, type TfliteConverter } from './context.js';

type Shape = (number | null)[];

/**
 * The gate blocks `order` of a tfjs gate matrix [rows, gates·units] (all its gates, or a subset), as TFLite's
 * [picked gates·units, rows].
 */
function gateWeights(
  data: Float32Array,
  rows: number,
  units: number,
  order: readonly number[],
): { data: Float32Array; shape: number[] } {
  const cols = order.length * units;
  const width = data.length / rows;
  const picked = new Float32Array(rows * cols);
  order.forEach((src, b) => {
    for (let r = 0; r < rows; r++)
      picked.set(data.subarray(r * width + src * units, r * width + (src + 1) * units), r * cols + b * units);
  });
  return transposeData(picked, [rows, cols], [1, 0]);
}

/** The bias with gate blocks in `order` (zeros without one). */
function gateBias(data: Float32Array | undefined, units: number, order: readonly number[]): Float32Array {
  const out = new Float32Array(order.length * units);
  if (data) order.forEach((src, b) => out.set(data.subarray(src * units, (src + 1) * units), b * units));
  return out;
}

/** Splits `x` [batch, Σ sizes] along its last axis into pieces of `sizes`. */
function splitV(g: TfliteGraph, x: number, sizes: number[], hint: string): number[] {
  const options = {
    type: BuiltinOptions.SplitVOptions,
    table: Object.assign(new SplitVOptionsT(), { numSplits: sizes.length }),
  };
  return g.opMany(
    Op.SPLIT_V,
    [x, g.ints(`${hint}/sizes`, sizes), g.ints(`${hint}/axis`, [1], [])],
    sizes.map((s) => [null, s]),
    hint,
    options,
  );
}

/** Splits `x` [batch, n·units] into `n` equal pieces. */
function split(g: TfliteGraph, x: number, n: number, units: number, hint: string): number[] {
  return g.opMany(
    Op.SPLIT,
    [g.ints(`${hint}/axis`, [1], []), x],
    Array.from({ length: n }, () => [null, units]),
    hint,
    opt.split({ numSplits: n }),
  );
}

/** What every recurrent layer shares: the steps' projected inputs and the recurrent weights. */
interface Unrolled {
  /** Each step's `x·W + b`, [batch, gates·units], in processing order. */
  steps: number[];
  /** The recurrent matrix for FULLY_CONNECTED, [gates·units, units]. */
  recurrent: number;
  /** A zero bias for the recurrent FULLY_CONNECTED. */
  zeroBias: number;
  units: number;
  hint: string;
}

function unroll(call: TfliteCall, g: TfliteGraph, order: readonly number[]): Unrolled {
  const c = call.config;
  check(
    call,
    c['stateful'] !== true,
    'stateful recurrent layers are not supported; rebuild the model with stateful: false',
  );
  check(call, c['resetAfter'] !== true, 'resetAfter is not supported');
  const [batch, steps, features] = call.inputShapes[0]! as [null, number | null, number];
  check(
    call,
    steps !== null,
    'a free number of steps is not supported (TFLite export unrolls the sequence); give the input a fixed length',
  );
  const units = c['units'] as number;
  const h = call.layer.name;
  const k = weight(call, 'kernel');
  const rk = weight(call, 'recurrent_kernel');
  const w = gateWeights(k.data, features, units, order);
  const r = gateWeights(rk.data, units, units, order);
  const b = gateBias(c['useBias'] === false ? undefined : weight(call, 'bias').data, units, order);
  const width = order.length * units;
  const projected = g.op(
    Op.FULLY_CONNECTED,
    [onlyTensor(call), g.floats(`${h}/kernel`, w.data, w.shape), g.floats(`${h}/bias`, b)],
    [batch, steps, width],
    h,
    opt.fullyConnected({ keepNumDims: true }),
  );
  const perStep = g.opMany(
    Op.UNPACK,
    [projected],
    Array.from({ length: steps }, () => [batch, width]),
    h,
    opt.unpack({ num: steps, axis: 1 }),
  );
  // tfjs's goBackwards reads the sequence from the end and keeps its outputs in processing order.
  if (c['goBackwards']) perStep.reverse();
  return {
    steps: perStep,
    recurrent: g.floats(`${h}/recurrent_kernel`, r.data, r.shape),
    zeroBias: g.floats(`${h}/recurrent_bias`, new Float32Array(width)),
    units,
    hint: h,
  };
}

/** `state · R` for one step. */
function recurrentTerm(g: TfliteGraph, u: Unrolled, state: number, width: number): number {
  return g.op(Op.FULLY_CONNECTED, [state, u.recurrent, u.zeroBias], [null, width], u.hint, opt.fullyConnected());
}

/** The layer's outputs from each step's hidden state (and the final cell state for LSTM). */
function outputs(call: TfliteCall, g: TfliteGraph, hs: number[], units: number, extraState: number[] = []): number[] {
  const c = call.config;
  const last = hs[hs.length - 1]!;
  const out = c['returnSequences']
    ? g.op(Op.PACK, hs, [null, hs.length, units], call.layer.name, opt.pack({ valuesCount: hs.length, axis: 1 }))
    : last;
  return c['returnState'] ? [out, last, ...extraState] : [out];
}

const act = (c: Record<string, unknown>) => (c['activation'] as string | null | undefined) ?? 'tanh';
const recAct = (c: Record<string, unknown>) => (c['recurrentActivation'] as string | null | undefined) ?? 'hardSigmoid';

/** `LSTM`. */
export const lstm: TfliteConverter = (call, g) => {
  const u = unroll(call, g, [0, 1, 3, 2]);
  const { units, hint: h } = u;
  const s: Shape = [null, units];
  let hState: number | undefined;
  let cState: number | undefined;
  const hs: number[] = [];
  for (const xw of u.steps) {
    const z =
      hState === undefined
        ? xw
        : g.op(Op.ADD, [xw, recurrentTerm(g, u, hState, 4 * units)], [null, 4 * units], h, opt.add());
    const [ifo, cz] = splitV(g, z, [3 * units, units], h) as [number, number];
    const [i, f, o] = split(g, applyActivation(call, g, ifo, recAct(call.config)), 3, units, h) as [
      number,
      number,
      number,
    ];
    const candidate = applyActivation(call, g, cz, act(call.config));
    const inflow = g.op(Op.MUL, [i, candidate], s, h, opt.mul());
    cState =
      cState === undefined
        ? inflow
        : g.op(Op.ADD, [g.op(Op.MUL, [f, cState], s, h, opt.mul()), inflow], s, h, opt.add());
    hState = g.op(Op.MUL, [o, applyActivation(call, g, cState, act(call.config))], s, h, opt.mul());
    hs.push(hState);
  }
  return outputs(call, g, hs, units, [cState!]);
};

/** `GRU` (tfjs's reset-before variant: the reset gate scales the state before its recurrent product). */
export const gru: TfliteConverter = (call, g) => {
  const u = unroll(call, g, [0, 1, 2]);
  const { units, hint: h } = u;
  const s: Shape = [null, units];
  // The candidate's recurrent product reads r·h, so the z/r and h blocks of R are separate matrices.
  const rk = weight(call, 'recurrent_kernel');
  const rzr = gateWeights(rk.data, units, units, [0, 1]);
  const rh = gateWeights(rk.data, units, units, [2]);
  const recurrentZr = g.floats(`${h}/recurrent_kernel_zr`, rzr.data, rzr.shape);
  const recurrentH = g.floats(`${h}/recurrent_kernel_h`, rh.data, rh.shape);
  const zeroZr = g.floats(`${h}/recurrent_bias_zr`, new Float32Array(2 * units));
  const zeroH = g.floats(`${h}/recurrent_bias_h`, new Float32Array(units));
  let hState: number | undefined;
  const hs: number[] = [];
  for (const xw of u.steps) {
    const [xzr, xh] = splitV(g, xw, [2 * units, units], h) as [number, number];
    const zrIn =
      hState === undefined
        ? xzr
        : g.op(
            Op.ADD,
            [xzr, g.op(Op.FULLY_CONNECTED, [hState, recurrentZr, zeroZr], [null, 2 * units], h, opt.fullyConnected())],
            [null, 2 * units],
            h,
            opt.add(),
          );
    const [z, r] = split(g, applyActivation(call, g, zrIn, recAct(call.config)), 2, units, h) as [number, number];
    const hIn =
      hState === undefined
        ? xh
        : g.op(
            Op.ADD,
            [
              xh,
              g.op(
                Op.FULLY_CONNECTED,
                [g.op(Op.MUL, [r, hState], s, h, opt.mul()), recurrentH, zeroH],
                s,
                h,
                opt.fullyConnected(),
              ),
            ],
            s,
            h,
            opt.add(),
          );
    const candidate = applyActivation(call, g, hIn, act(call.config));
    // h = z·h₋₁ + (1 − z)·ĥ = ĥ + z·(h₋₁ − ĥ); the first step's h₋₁ is 0.
    const keep =
      hState === undefined ? g.op(Op.NEG, [candidate], s, h) : g.op(Op.SUB, [hState, candidate], s, h, opt.sub());
    hState = g.op(Op.ADD, [candidate, g.op(Op.MUL, [z, keep], s, h, opt.mul())], s, h, opt.add());
    hs.push(hState);
  }
  return outputs(call, g, hs, units);
};

/** `SimpleRNN`: h = act(x·W + h₋₁·R + b). */
export const simpleRnn: TfliteConverter = (call, g) => {
  const u = unroll(call, g, [0]);
  let hState: number | undefined;
  const hs: number[] = [];
  for (const xw of u.steps) {
    const pre =
      hState === undefined
        ? xw
        : g.op(Op.ADD, [xw, recurrentTerm(g, u, hState, u.units)], [null, u.units], u.hint, opt.add());
    hState = applyActivation(call, g, pre, act(call.config));
    hs.push(hState);
  }
  return outputs(call, g, hs, u.units);
};
