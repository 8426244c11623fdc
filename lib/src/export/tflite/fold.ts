/**
 * Folds what follows a weight op into it, as TensorFlow's converter does: a per-channel constant MUL (a
 * BatchNormalization's scale) into the weights and bias, a constant ADD (its shift) into the bias, and a RELU or
 * RELU6 into the op's fused activation. A Conv2D → BatchNormalization → ReLU block (ResNet's) becomes one CONV_2D,
 * faster to run and quantized as one op. Only ops whose output nothing else reads are folded.
 */
import type { TfliteGraph, TfliteOp } from './graph.js';
import { ActivationFunctionType, Op } from './options.js';
import { channelAxis, weightOps } from './weights.js';

type Fused = { fusedActivationFunction: ActivationFunctionType };

/** The per-output-channel values of a constant (one value broadcast, or one per channel), or null. */
function perChannel(g: TfliteGraph, index: number, channels: number): Float32Array | null {
  const t = g.tensor(index);
  if (!(t.data instanceof Float32Array)) return null;
  if (t.data.length === 1) return new Float32Array(channels).fill(t.data[0]!);
  return t.data.length === channels && t.shape.length === 1 ? t.data : null;
}

/** Scales channel `c` of a weight (channels on `axis`) by `s[c]`, in place. */
function scaleChannels(data: Float32Array, shape: readonly number[], axis: number, s: Float32Array): void {
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const channels = shape[axis]!;
  for (let i = 0; i < data.length; i++) data[i]! *= s[Math.floor(i / inner) % channels]!;
}

/** Folds one follower into `op` when it can; returns whether the graph changed. */
function foldInto(g: TfliteGraph, op: TfliteOp, consumers: Map<number, TfliteOp[]>): boolean {
  const out = op.outputs[0]!;
  const readers = consumers.get(out) ?? [];
  if (readers.length !== 1 || g.outputs.includes(out)) return false;
  const next = readers[0]!;
  const options = op.options as unknown as Fused;
  if (options.fusedActivationFunction !== ActivationFunctionType.NONE) return false;
  const w = g.tensor(op.inputs[1]!);
  const b = g.tensor(op.inputs[2]!);
  if (!(w.data instanceof Float32Array) || !(b.data instanceof Float32Array)) return false;
  // A weight or bias another op reads (an unrolled recurrent step's) cannot change for this op alone.
  if ((consumers.get(w.index) ?? []).length !== 1 || (consumers.get(b.index) ?? []).length !== 1) return false;
  const channels = b.data.length;
  const other = next.inputs.find((i) => i !== out);
  if (next.code === Op.MUL || next.code === Op.ADD) {
    if (
      other === undefined ||
      next.inputs.length !== 2 ||
      (next.options as unknown as Fused | null)?.fusedActivationFunction
    )
      return false;
    const s = perChannel(g, other, channels);
    if (!s) return false;
    if (next.code === Op.MUL) {
      scaleChannels(w.data, w.shape, channelAxis(op), s);
      b.data = Float32Array.from(b.data, (x, c) => x * s[c]!);
    } else {
      b.data = Float32Array.from(b.data, (x, c) => x + s[c]!);
    }
  } else if (next.code === Op.RELU || next.code === Op.RELU6) {
    options.fusedActivationFunction =
      next.code === Op.RELU ? ActivationFunctionType.RELU : ActivationFunctionType.RELU6;
  } else {
    return false;
  }
  // The op now writes the follower's output; the follower goes.
  op.outputs = [...next.outputs];
  g.ops.splice(g.ops.indexOf(next), 1);
  return true;
}

/** Folds every foldable follower of the graph's weight ops. Returns how many ops were folded away. */
export function foldFollowers(g: TfliteGraph): number {
  let folded = 0;
  for (let changed = true; changed;) {
    changed = false;
    const consumers = g.consumers();
    for (const op of g.ops) {
      if (weightOps.has(op.code) && foldInto(g, op, consumers)) {
        folded++;
        changed = true;
        break;
      }
    }
  }
  return folded;
}
