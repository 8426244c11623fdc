/**
 * Where the weight ops keep their weights: the tensor positions and channel axes TFLite's FULLY_CONNECTED,
 * CONV_2D and DEPTHWISE_CONV_2D use, and each one's layout for bias correction (`compress/bias-correction.ts`),
 * which reads ONNX's [out, in, k…] order.
 */
import { transposeData } from '../convert/context.js';
import type { WeightLayout } from '../../onnx/bias-correction.js';
import type { TfliteOp } from './graph.js';
import { Op } from './options.js';

/** The ops with a weight (input 1) and a bias (input 2). */
export const weightOps: ReadonlySet<Op> = new Set([Op.FULLY_CONNECTED, Op.CONV_2D, Op.DEPTHWISE_CONV_2D]);

/** The output-channel axis of a weight op's weight: 0 for [out, in] and [out, kh, kw, in], 3 for [1, kh, kw, out]. */
export function channelAxis(op: TfliteOp): number {
  return op.code === Op.DEPTHWISE_CONV_2D ? 3 : 0;
}

/** A weight in the layout bias correction reads, with that layout. */
export function correctionView(
  op: TfliteOp,
  data: Float32Array,
  shape: readonly number[],
  inputChannels: number,
): { data: Float32Array; dims: number[]; layout: WeightLayout } {
  if (op.code === Op.FULLY_CONNECTED) return { data, dims: [...shape], layout: { kind: 'gemm', transB: true } };
  if (op.code === Op.CONV_2D) {
    const t = transposeData(data, shape, [0, 3, 1, 2]);
    return { data: t.data, dims: t.shape, layout: { kind: 'conv', groups: 1 } };
  }
  // DEPTHWISE_CONV_2D [1, kh, kw, c·m] → [c·m, 1, kh, kw], one group per input channel.
  const t = transposeData(data, shape, [3, 0, 1, 2]);
  return { data: t.data, dims: t.shape, layout: { kind: 'conv', groups: inputChannels } };
}
