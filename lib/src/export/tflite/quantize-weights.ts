/**
 * The two weight-only quantizations: `float16` (every float constant stored as float16 behind a DEQUANTIZE, what
 * TensorFlow's converter does with `target_spec.supported_types = [tf.float16]`) and `dynamic` (the weights of
 * FULLY_CONNECTED, CONV_2D and DEPTHWISE_CONV_2D stored int8, symmetric per output channel; TFLite's hybrid kernels
 * quantize the activations on the fly and compute in integers, with float inputs and outputs).
 */
import { quantizeWeight } from '../../onnx/quant-math.js';
import type { TfliteGraph, TfliteOp } from './graph.js';
import { toHalf } from './half.js';
import { BuiltinOptions } from './generated/schema/tflite/builtin-options.js';
import { Op } from './options.js';
import { channelAxis, weightOps } from './weights.js';

/** Rewrites `g` so its float constants are float16, each read through a DEQUANTIZE to float32. Returns how many. */
export function toFloat16(g: TfliteGraph): number {
  const dequantize: TfliteOp[] = [];
  for (const t of [...g.tensors]) {
    if (!(t.data instanceof Float32Array)) continue;
    const half = g.addTensor(`${t.name}/fp16`, t.shape, 'float16', toHalf(t.data));
    delete t.data;
    dequantize.push({
      code: Op.DEQUANTIZE,
      inputs: [half],
      outputs: [t.index],
      optionsType: BuiltinOptions.NONE,
      options: null,
    });
  }
  g.ops.unshift(...dequantize);
  return dequantize.length;
}

/** Rewrites the weights of `g`'s weight ops as int8 (per output channel). Returns the ops whose weights changed. */
export function toDynamicRange(g: TfliteGraph): TfliteOp[] {
  const done = new Set<number>();
  const changed: TfliteOp[] = [];
  for (const op of g.ops) {
    if (!weightOps.has(op.code)) continue;
    const w = g.tensor(op.inputs[1]!);
    if (done.has(w.index) || !(w.data instanceof Float32Array)) continue;
    const q = quantizeWeight(w.data, w.shape, channelAxis(op));
    w.data = q.values as Int8Array;
    w.dtype = 'int8';
    w.quantization = { scale: Array.from(q.scales), zeroPoint: Array.from(q.zeroPoints), axis: channelAxis(op) };
    done.add(w.index);
    // Quantize each batch row of the activations with its own zero point: more accurate at the same speed.
    if (op.code === Op.FULLY_CONNECTED)
      (op.options as unknown as { asymmetricQuantizeInputs: boolean }).asymmetricQuantizeInputs = true;
    changed.push(op);
  }
  return changed;
}
