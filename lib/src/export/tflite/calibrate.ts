/**
 * Calibration for full-integer quantization: the float graph runs in the reference evaluator (`evaluate.ts`) on
 * the user's samples, batch by batch, and every float tensor's range is tracked, plus the per-channel mean (last
 * axis: channels in NHWC, features in a FULLY_CONNECTED input) of the tensors bias correction reads.
 */
import * as tf from '@tensorflow/tfjs';
import type { Range } from '../../onnx/quant-math.js';
import { evaluateGraph } from './evaluate.js';
import type { TfliteGraph } from './graph.js';

/** What calibration observed. */
export interface Calibration {
  /** min/max of every float tensor made while running (inputs included). */
  ranges: Map<number, Range>;
  /** Per-channel means of the tensors asked for. */
  means: Map<number, Float32Array>;
  /** Samples seen. */
  samples: number;
}

/**
 * Runs `g` on `feeds` (one tensor per graph input, batch first) in batches of `batchSize`, observing ranges of
 * every float tensor and the per-channel means of `meanOf`.
 */
export function calibrate(
  g: TfliteGraph,
  feeds: readonly tf.Tensor[],
  meanOf: ReadonlySet<number>,
  batchSize = 64,
): Calibration {
  const ranges = new Map<number, Range>();
  const sums = new Map<number, { sums: Float64Array; count: number }>();
  const n = feeds[0]!.shape[0];
  for (let start = 0; start < n; start += batchSize) {
    const size = Math.min(batchSize, n - start);
    const batch = feeds.map((f) => tf.slice(f, start, size));
    try {
      const outs = evaluateGraph(g, batch, (index, value) => {
        if (value.dtype !== 'float32') return;
        const data = value.dataSync() as Float32Array;
        let { min, max } = ranges.get(index) ?? { min: Infinity, max: -Infinity };
        for (const x of data) {
          if (x < min) min = x;
          if (x > max) max = x;
        }
        ranges.set(index, { min, max });
        if (meanOf.has(index)) {
          const channels = value.shape[value.shape.length - 1]!;
          const acc = sums.get(index) ?? { sums: new Float64Array(channels), count: 0 };
          for (let i = 0; i < data.length; i++) acc.sums[i % channels]! += data[i]!;
          acc.count += data.length / channels;
          sums.set(index, acc);
        }
      });
      for (const o of outs) if (!batch.includes(o)) o.dispose();
    } finally {
      for (const b of batch) b.dispose();
    }
  }
  const means = new Map(
    [...sums].map(([index, { sums: s, count }]) => [index, Float32Array.from(s, (x) => x / count)]),
  );
  return { ranges, means, samples: n };
}
