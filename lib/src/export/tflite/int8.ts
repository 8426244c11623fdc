/**
 * Full-integer (int8) quantization of a float TFLite graph, as TensorFlow Lite's integer kernels expect it:
 * weights int8 symmetric per output channel, biases int32 at `input scale × weight scale`, activations int8
 * asymmetric per tensor from the calibrated ranges. Ops whose int8 kernels do not requantize (RESHAPE, pools,
 * SPLIT, PACK, CONCATENATION, MAXIMUM/MINIMUM, GATHER, TRANSPOSE) get the same parameters on their inputs and outputs; SOFTMAX,
 * LOGISTIC and TANH outputs get the fixed ones their kernels require. Weight biases are corrected for the rounding of
 * the weights with the calibration data's input means (`compress/bias-correction.ts`, the ONNX int8 path's
 * correction). Ops without an int8 kernel stay float between a DEQUANTIZE and a QUANTIZE; float model inputs and
 * outputs are QUANTIZEd/DEQUANTIZEd at the edges unless `integerIo` asks for int8 ones.
 */
import type * as tf from '@tensorflow/tfjs';
import { correctedBias } from '../../onnx/bias-correction.js';
import {
  activationParams,
  dequantizeWeight,
  quantizeWeight,
  roundHalfEven,
  type Range,
} from '../../onnx/quant-math.js';
import { calibrate } from './calibrate.js';
import type { TensorQuantization, TfliteGraph, TfliteOp } from './graph.js';
import { BuiltinOptions } from './generated/schema/tflite/builtin-options.js';
import { Op } from './options.js';
import { channelAxis, correctionView, weightOps } from './weights.js';

/** Options of int8 quantization. */
export interface Int8Options {
  /** Correct weight biases for rounding with the calibration data (default true). */
  biasCorrection?: boolean;
  /** int8 model inputs and outputs instead of float ones (default false). */
  integerIo?: boolean;
  /** Samples per calibration batch (default 64). */
  batchSize?: number;
}

/** What int8 quantization did. */
export interface Int8Result {
  /** Calibration samples used. */
  calibrationSamples: number;
  /** Names of the weight ops whose bias was corrected. */
  biasCorrected: string[];
  /** Ops left in float (no int8 kernel), by name. */
  floatOps: string[];
}

/** Ops with int8 kernels in TensorFlow Lite. */
const int8Ops: ReadonlySet<Op> = new Set([
  Op.FULLY_CONNECTED,
  Op.CONV_2D,
  Op.DEPTHWISE_CONV_2D,
  Op.MAX_POOL_2D,
  Op.AVERAGE_POOL_2D,
  Op.MEAN,
  Op.REDUCE_MAX,
  Op.RESHAPE,
  Op.CONCATENATION,
  Op.ADD,
  Op.SUB,
  Op.MUL,
  Op.MAXIMUM,
  Op.MINIMUM,
  Op.LOGISTIC,
  Op.TANH,
  Op.RELU,
  Op.RELU6,
  Op.ELU,
  Op.LEAKY_RELU,
  Op.PRELU,
  Op.SOFTMAX,
  Op.GATHER,
  Op.SPLIT,
  Op.SPLIT_V,
  Op.UNPACK,
  Op.PACK,
  Op.GELU,
  Op.TRANSPOSE,
  Op.BATCH_MATMUL,
  Op.RSQRT,
]);

/** Outputs whose parameters the int8 kernels fix: [scale, zero point]. */
const fixedOutputs: Partial<Record<Op, [number, number]>> = {
  [Op.SOFTMAX]: [1 / 256, -128],
  [Op.LOGISTIC]: [1 / 256, -128],
  [Op.TANH]: [1 / 128, 0],
};

/** The float tensors an op's int8 kernel requires to share one set of parameters (besides weights). */
function tiedTensors(op: TfliteOp): number[] {
  switch (op.code) {
    case Op.RESHAPE:
    case Op.MAX_POOL_2D:
    case Op.AVERAGE_POOL_2D:
    case Op.REDUCE_MAX:
    case Op.GATHER:
    case Op.TRANSPOSE:
    case Op.SPLIT_V:
    case Op.UNPACK:
      return [op.inputs[0]!, ...op.outputs];
    case Op.SPLIT:
      return [op.inputs[1]!, ...op.outputs];
    case Op.PACK:
    case Op.CONCATENATION:
    case Op.MAXIMUM:
    case Op.MINIMUM:
      return [...op.inputs, ...op.outputs];
    default:
      return [];
  }
}

/** Union-find over tensor indices. */
class Ties {
  private readonly parent = new Map<number, number>();
  find(i: number): number {
    let root = i;
    while (this.parent.has(root) && this.parent.get(root) !== root) root = this.parent.get(root)!;
    this.parent.set(i, root);
    return root;
  }
  union(a: number, b: number): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent.set(rb, ra);
  }
}

/** int8 activation parameters for a range (0 always representable). */
function int8Params(range: Range): TensorQuantization {
  const p = activationParams(range.min, range.max);
  return { scale: [p.scale], zeroPoint: [p.zeroPoint - 128], axis: 0 };
}

function rangeOfData(data: Float32Array): Range {
  let min = 0;
  let max = 0;
  for (const x of data) {
    if (x < min) min = x;
    if (x > max) max = x;
  }
  return { min, max };
}

/** `data` quantized to int8 with per-tensor parameters `q`. */
function quantizeActivation(data: Float32Array, q: TensorQuantization): Int8Array {
  return Int8Array.from(data, (x) => Math.max(-128, Math.min(127, roundHalfEven(x / q.scale[0]!) + q.zeroPoint[0]!)));
}

/**
 * Rewrites the float graph `g` as a full-integer one, calibrated on `calibration` (one tensor per graph input,
 * batch first).
 */
export function toInt8(g: TfliteGraph, calibration: readonly tf.Tensor[], opts: Int8Options = {}): Int8Result {
  const weightInputs = new Set(g.ops.filter((op) => weightOps.has(op.code)).map((op) => op.inputs[0]!));
  const observed = calibrate(
    g,
    calibration,
    opts.biasCorrection === false ? new Set() : weightInputs,
    opts.batchSize ?? 64,
  );
  const isFloatOp = (op: TfliteOp) => !int8Ops.has(op.code);

  // Parameters of every float tensor: tie groups share one range; fixed outputs impose theirs on their group.
  const ties = new Ties();
  for (const op of g.ops)
    if (!isFloatOp(op)) {
      const tied = tiedTensors(op);
      for (const t of tied.slice(1)) ties.union(tied[0]!, t);
    }
  const groupRange = new Map<number, Range>();
  const groupFixed = new Map<number, [number, number]>();
  const widen = (index: number, r: Range) => {
    const root = ties.find(index);
    const old = groupRange.get(root);
    groupRange.set(root, old ? { min: Math.min(old.min, r.min), max: Math.max(old.max, r.max) } : r);
  };
  for (const [index, r] of observed.ranges) widen(index, r);
  for (const t of g.tensors) if (t.data instanceof Float32Array) widen(t.index, rangeOfData(t.data));
  for (const op of g.ops) {
    const fixed = fixedOutputs[op.code];
    if (fixed) groupFixed.set(ties.find(op.outputs[0]!), fixed);
  }
  const paramsOf = (index: number): TensorQuantization => {
    const root = ties.find(index);
    const fixed = groupFixed.get(root);
    if (fixed) return { scale: [fixed[0]], zeroPoint: [fixed[1]], axis: 0 };
    return int8Params(groupRange.get(root) ?? { min: 0, max: 0 });
  };

  // Weights, per output channel (once per weight tensor), and biases, corrected then int32 (one per op).
  const result: Int8Result = { calibrationSamples: observed.samples, biasCorrected: [], floatOps: [] };
  const quantizedWeights = new Map<
    number,
    { scales: Float32Array; values: Int8Array; dequantized: Float32Array; float: Float32Array }
  >();
  const biasFor = new Map<TfliteOp, number>();
  for (const op of g.ops) {
    if (!weightOps.has(op.code)) continue;
    const w = g.tensor(op.inputs[1]!);
    const b = g.tensor(op.inputs[2]!);
    if (!(w.data instanceof Float32Array || quantizedWeights.has(w.index)) || !(b.data instanceof Float32Array))
      continue;
    let q = quantizedWeights.get(w.index);
    if (!q) {
      const float = w.data as Float32Array;
      const qw = quantizeWeight(float, w.shape, channelAxis(op));
      q = { scales: qw.scales, values: qw.values as Int8Array, dequantized: dequantizeWeight(qw, w.shape), float };
      quantizedWeights.set(w.index, q);
    }
    let bias = b.data;
    const inputMean = observed.means.get(op.inputs[0]!);
    if (inputMean) {
      const inputChannels = g.tensor(op.inputs[0]!).shape.at(-1)!;
      const view = correctionView(op, q.float, w.shape, inputChannels);
      const deq = correctionView(op, q.dequantized, w.shape, inputChannels);
      const corrected = correctedBias(
        { weight: view.data, dequantized: deq.data, dims: view.dims, bias, layout: view.layout },
        inputMean,
      );
      if (corrected) {
        bias = corrected;
        result.biasCorrected.push(g.tensor(op.outputs[0]!).name);
      }
    }
    const inputScale = paramsOf(op.inputs[0]!).scale[0]!;
    const scales = Array.from(q.scales, (s) => inputScale * s);
    const values = Int32Array.from(bias, (x, c) => roundHalfEven(x / scales[c]!));
    const index = g.addTensor(`${b.name}/int32`, b.shape, 'int32', values);
    g.tensor(index).quantization = { scale: scales, zeroPoint: scales.map(() => 0), axis: 0 };
    biasFor.set(op, index);
  }
  for (const [index, q] of quantizedWeights) {
    const w = g.tensor(index);
    w.data = q.values;
    w.dtype = 'int8';
    w.quantization = {
      scale: Array.from(q.scales),
      zeroPoint: Array.from(q.scales, () => 0),
      axis: channelAxis(g.ops.find((op) => op.inputs[1] === index)!),
    };
  }

  // Domains: float32 tensors that stay float (float model inputs, outputs of float ops) and the rest, int8.
  const floatInputs = opts.integerIo
    ? new Set<number>()
    : new Set(g.inputs.filter((i) => g.tensor(i).dtype === 'float32'));
  const floatMade = new Set<number>(floatInputs);
  for (const op of g.ops)
    if (isFloatOp(op)) for (const o of op.outputs) if (g.tensor(o).dtype === 'float32') floatMade.add(o);
  const int32Biases = new Set(biasFor.values());
  const toInt8Tensor = new Set<number>();
  for (const t of g.tensors) {
    if (t.dtype === 'float32' && !floatMade.has(t.index) && !int32Biases.has(t.index)) toInt8Tensor.add(t.index);
  }

  // The ops, rebuilt: int8 ops read int8 shadows (QUANTIZE) of float tensors, float ops read float shadows
  // (DEQUANTIZE) of int8 ones.
  const ops: TfliteOp[] = [];
  const shadows = new Map<string, number>();
  /** The tensor holding `index`'s values as `dtype`, made once by a QUANTIZE or DEQUANTIZE op. */
  const shadow = (index: number, dtype: 'int8' | 'float32'): number => {
    const key = `${dtype}:${index}`;
    let made = shadows.get(key);
    if (made === undefined) {
      const t = g.tensor(index);
      made = g.addTensor(
        `${t.name}/${dtype === 'int8' ? 'int8' : 'float'}`,
        t.signature.map((d, i) => (d < 0 ? null : t.shape[i]!)),
        dtype,
      );
      if (dtype === 'int8') g.tensor(made).quantization = paramsOf(index);
      ops.push({
        code: dtype === 'int8' ? Op.QUANTIZE : Op.DEQUANTIZE,
        inputs: [index],
        outputs: [made],
        optionsType: BuiltinOptions.NONE,
        options: null,
      });
      shadows.set(key, made);
    }
    return made;
  };
  const int8Of = (index: number): number => (floatMade.has(index) ? shadow(index, 'int8') : index);
  const floatOf = (index: number): number => (toInt8Tensor.has(index) ? shadow(index, 'float32') : index);
  for (const op of g.ops) {
    if (isFloatOp(op)) {
      result.floatOps.push(`${Op[op.code]} ${g.tensor(op.outputs[0]!).name}`);
      ops.push({ ...op, inputs: op.inputs.map((i) => (i < 0 ? i : floatOf(i))) });
      continue;
    }
    const inputs = op.inputs.map((i, slot) => {
      if (i < 0) return i;
      if (weightOps.has(op.code) && slot === 2 && biasFor.has(op)) return biasFor.get(op)!;
      return g.tensor(i).dtype === 'float32' ? int8Of(i) : i;
    });
    ops.push({ ...op, inputs });
  }
  // Float outputs of the model read the int8 results through a DEQUANTIZE (the name moves to the float tensor).
  g.outputs.forEach((index, k) => {
    if (opts.integerIo || !toInt8Tensor.has(index)) return;
    const t = g.tensor(index);
    const f = floatOf(index);
    const name = t.name;
    t.name = g.uniqueName(`${name}/int8`);
    g.tensor(f).name = name;
    g.outputs[k] = f;
  });
  g.ops.splice(0, g.ops.length, ...ops);

  // Now the tensors themselves: int8 type, parameters, constant data.
  for (const index of toInt8Tensor) {
    const t = g.tensor(index);
    t.quantization = paramsOf(index);
    if (t.data instanceof Float32Array) t.data = quantizeActivation(t.data, t.quantization);
    t.dtype = 'int8';
  }
  dropUnused(g);
  return result;
}

/** Drops the data of constants no op reads any more (the float biases replaced by int32 ones). */
function dropUnused(g: TfliteGraph): void {
  const read = new Set(g.ops.flatMap((op) => op.inputs));
  for (const t of g.tensors) if (t.data && !read.has(t.index)) delete t.data;
}
