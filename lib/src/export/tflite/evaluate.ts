/**
 * A reference evaluator of float TFLite graphs in tfjs: each builtin op Lepton writes, computed with the tfjs op
 * that means the same. It checks a converted graph against the tfjs model in-process (no Python needed), and it is
 * the calibration run of int8 quantization: every tensor's range and per-channel mean are observed on it.
 */
import * as tf from '@tensorflow/tfjs';
import type { TfliteGraph, TfliteOp } from './graph.js';
import { ActivationFunctionType, Op, Padding } from './options.js';
import { InternalError } from '../../core/errors.js';

/**
 * Options tables read by field name: each op reads only its own table's fields, which its table
 * always holds (the generated object API's `…OptionsT` classes start every field at its schema default), so they
 * are typed as present.
 */
interface Fields {
  fusedActivationFunction?: ActivationFunctionType;
  padding: Padding;
  strideH: number;
  strideW: number;
  dilationHFactor: number;
  dilationWFactor: number;
  filterHeight: number;
  filterWidth: number;
  keepDims: boolean;
  keepNumDims: boolean;
  axis: number;
  alpha: number;
  beta: number;
  approximate: boolean;
  numSplits: number;
  adjX: boolean;
  adjY: boolean;
}

function fused(x: tf.Tensor, fn: ActivationFunctionType | undefined): tf.Tensor {
  if (fn === undefined || fn === ActivationFunctionType.NONE) return x;
  if (fn === ActivationFunctionType.RELU) return tf.relu(x);
  if (fn === ActivationFunctionType.RELU6) return tf.relu6(x);
  if (fn === ActivationFunctionType.TANH) return tf.tanh(x);
  throw new InternalError(`fused activation ${ActivationFunctionType[fn]} is not evaluated`);
}

const pad = (o: Fields) => (o['padding'] === Padding.SAME ? 'same' : 'valid');

type Evaluator = (x: tf.Tensor[], o: Fields) => tf.Tensor | tf.Tensor[];

/** Erf by Abramowitz–Stegun 7.1.26 is too coarse for GELU at 1e-5; tfjs has `tf.erf`. */
const gelu = (x: tf.Tensor, approximate: boolean) =>
  approximate
    ? tf.mul(
        tf.mul(x, 0.5),
        tf.add(1, tf.tanh(tf.mul(Math.sqrt(2 / Math.PI), tf.add(x, tf.mul(0.044715, tf.pow(x, 3)))))),
      )
    : tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.div(x, Math.SQRT2))));

/** How each builtin op computes, inputs in TFLite's order. */
const evaluators: Partial<Record<Op, Evaluator>> = {
  [Op.FULLY_CONNECTED]: ([x, w, b], o) => {
    const [n, k] = w!.shape as [number, number];
    let y: tf.Tensor = tf.matMul(x!.reshape([-1, k]), w!, false, true);
    if (b) y = tf.add(y, b);
    y = y.reshape(o['keepNumDims'] ? [...x!.shape.slice(0, -1), n] : [-1, n]);
    return fused(y, o['fusedActivationFunction']);
  },
  [Op.CONV_2D]: ([x, w, b], o) => {
    const y = tf.conv2d(
      x as tf.Tensor4D,
      tf.transpose(w!, [1, 2, 3, 0]) as tf.Tensor4D,
      [o['strideH'], o['strideW']],
      pad(o),
      'NHWC',
      [o['dilationHFactor'], o['dilationWFactor']],
    );
    return fused(b ? tf.add(y, b) : y, o['fusedActivationFunction']);
  },
  [Op.DEPTHWISE_CONV_2D]: ([x, w, b], o) => {
    const [, kh, kw, cm] = w!.shape as number[];
    const cin = x!.shape[3]!;
    const kernel = w!.reshape<tf.Tensor4D>([kh!, kw!, cin, cm! / cin]);
    const y = tf.depthwiseConv2d(x as tf.Tensor4D, kernel, [o['strideH'], o['strideW']], pad(o), 'NHWC', [
      o['dilationHFactor'],
      o['dilationWFactor'],
    ]);
    return fused(b ? tf.add(y, b) : y, o['fusedActivationFunction']);
  },
  [Op.MAX_POOL_2D]: ([x], o) =>
    fused(
      tf.maxPool(x as tf.Tensor4D, [o['filterHeight'], o['filterWidth']], [o['strideH'], o['strideW']], pad(o)),
      o['fusedActivationFunction'],
    ),
  [Op.AVERAGE_POOL_2D]: ([x], o) =>
    fused(
      tf.avgPool(x as tf.Tensor4D, [o['filterHeight'], o['filterWidth']], [o['strideH'], o['strideW']], pad(o)),
      o['fusedActivationFunction'],
    ),
  [Op.MEAN]: ([x, axes], o) => tf.mean(x!, Array.from(axes!.dataSync()), o['keepDims']),
  [Op.REDUCE_MAX]: ([x, axes], o) => tf.max(x!, Array.from(axes!.dataSync()), o['keepDims']),
  [Op.RESHAPE]: ([x, shape]) => x!.reshape(Array.from(shape!.dataSync())),
  [Op.CONCATENATION]: (xs, o) => fused(tf.concat(xs, o['axis']), o['fusedActivationFunction']),
  [Op.ADD]: ([a, b], o) => fused(tf.add(a!, b!), o['fusedActivationFunction']),
  [Op.SUB]: ([a, b], o) => fused(tf.sub(a!, b!), o['fusedActivationFunction']),
  [Op.MUL]: ([a, b], o) => fused(tf.mul(a!, b!), o['fusedActivationFunction']),
  [Op.DIV]: ([a, b]) => tf.div(a!, b!),
  [Op.MAXIMUM]: ([a, b]) => tf.maximum(a!, b!),
  [Op.MINIMUM]: ([a, b]) => tf.minimum(a!, b!),
  [Op.LOGISTIC]: ([x]) => tf.sigmoid(x!),
  [Op.TANH]: ([x]) => tf.tanh(x!),
  [Op.RELU]: ([x]) => tf.relu(x!),
  [Op.RELU6]: ([x]) => tf.relu6(x!),
  [Op.ELU]: ([x]) => tf.elu(x!),
  [Op.LEAKY_RELU]: ([x], o) => tf.leakyRelu(x!, o['alpha']),
  [Op.PRELU]: ([x, alpha]) => tf.prelu(x!, alpha!),
  [Op.SOFTMAX]: ([x], o) => tf.softmax(tf.mul(x!, o['beta'])),
  [Op.LOG_SOFTMAX]: ([x]) => tf.logSoftmax(x!),
  [Op.EXP]: ([x]) => tf.exp(x!),
  [Op.LOG]: ([x]) => tf.log(x!),
  [Op.ABS]: ([x]) => tf.abs(x!),
  [Op.NEG]: ([x]) => tf.neg(x!),
  [Op.GELU]: ([x], o) => gelu(x!, o['approximate']),
  [Op.GATHER]: ([params, ids], o) => tf.gather(params!, ids!.toInt(), o['axis']),
  [Op.CAST]: ([x]) => x!.toInt(),
  [Op.SPLIT]: ([axis, x], o) => tf.split(x!, o['numSplits'], axis!.dataSync()[0]),
  [Op.SPLIT_V]: ([x, sizes, axis]) => tf.split(x!, Array.from(sizes!.dataSync()), axis!.dataSync()[0]),
  [Op.UNPACK]: ([x], o) => tf.unstack(x!, o['axis']),
  [Op.PACK]: (xs, o) => tf.stack(xs, o['axis']),
  [Op.RSQRT]: ([x]) => tf.rsqrt(x!),
  [Op.TRANSPOSE]: ([x, perm]) => tf.transpose(x!, Array.from(perm!.dataSync())),
  [Op.BATCH_MATMUL]: ([a, b], o) => tf.matMul(a!, b!, o['adjX'], o['adjY']),
};

/** The ops the evaluator (and so int8 calibration) knows. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-enum-assignment -- the keys are Op values by the record's type; Object.keys only widens them to strings
export const evaluatedOps: ReadonlySet<Op> = new Set(Object.keys(evaluators).map(Number) as Op[]);

/**
 * Runs the float graph on `feeds` (one tensor per graph input, batch first) and calls `observe` with every
 * tensor's value as it is made (inputs included); returns the outputs. Every intermediate is disposed after
 * `observe` unless it is an output.
 */
export function evaluateGraph(
  g: TfliteGraph,
  feeds: readonly tf.Tensor[],
  observe?: (index: number, value: tf.Tensor) => void,
): tf.Tensor[] {
  const values = new Map<number, tf.Tensor>();
  const constants: tf.Tensor[] = [];
  const valueOf = (index: number): tf.Tensor => {
    const known = values.get(index);
    if (known) return known;
    const t = g.tensor(index);
    if (!t.data) throw new InternalError(`tensor ${t.name} is read before it is made`);
    if (!(t.data instanceof Float32Array || t.data instanceof Int32Array))
      throw new InternalError(`the evaluator runs float graphs; ${t.name} is ${t.dtype}`);
    const c = tf.tensor(t.data, t.shape, t.dtype === 'int32' ? 'int32' : 'float32');
    constants.push(c);
    values.set(index, c);
    return c;
  };
  g.inputs.forEach((index, k) => {
    values.set(index, feeds[k]!);
    observe?.(index, feeds[k]!);
  });
  const remaining = new Map<number, number>();
  for (const op of g.ops) for (const i of op.inputs) remaining.set(i, (remaining.get(i) ?? 0) + 1);
  const keep = new Set([...g.outputs, ...g.inputs]);
  try {
    for (const op of g.ops) {
      const outs = runOp(op, op.inputs.map((i) => (i < 0 ? undefined : valueOf(i))) as tf.Tensor[]);
      op.outputs.forEach((index, k) => {
        observe?.(index, outs[k]!);
        // A value nothing reads (an unused split piece) is dropped at once.
        if (remaining.has(index) || keep.has(index)) values.set(index, outs[k]!);
        else outs[k]!.dispose();
      });
      for (const i of op.inputs) {
        const left = remaining.get(i)! - 1;
        remaining.set(i, left);
        if (left === 0 && !keep.has(i) && !g.tensor(i).data) values.get(i)!.dispose();
      }
    }
    return g.outputs.map((i) => values.get(i)!);
  } finally {
    for (const c of constants) c.dispose();
  }
}

function runOp(op: TfliteOp, inputs: tf.Tensor[]): tf.Tensor[] {
  const evaluate = evaluators[op.code];
  if (!evaluate) throw new InternalError(`the TFLite evaluator has no ${Op[op.code]}`);
  const out = tf.tidy(() => evaluate(inputs, (op.options ?? {}) as Fields));
  return Array.isArray(out) ? out : [out];
}
