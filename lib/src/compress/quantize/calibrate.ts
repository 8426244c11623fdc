/**
 * Calibration: the fp32 model runs in onnxruntime-node with every candidate activation added as a graph output,
 * and the min/max of each is tracked over the calibration data. The same run records each value's rank.
 */
import { encodeModel } from '../../onnx/encode.js';
import { DataType, Field, type ModelProto } from '../../onnx/format.js';
import { ProtoWriter } from '../../onnx/protobuf-writer.js';
import type { Range } from '../../onnx/quant-math.js';
import { openSession, rows, runFloat, type FloatBatch } from '../../onnx/session.js';

/** Ranges and ranks observed on the calibration data. */
export interface Observation {
  /** min/max of each observed float value. */
  ranges: Map<string, Range>;
  /** Rank of each observed value. */
  ranks: Map<string, number>;
  /** Samples seen. */
  samples: number;
  /** Statistics per channel of each value asked for in `channelAxes` (a Gemm's features, a Conv's channels). */
  channels: Map<string, ChannelStats>;
}

/** A value's statistics per index of one axis. */
export interface ChannelStats {
  /** The mean of each channel. */
  mean: Float32Array;
  /** The largest absolute value of each channel. */
  absMax: Float32Array;
}

/** Sums and largest magnitudes along one axis of a value, over the batches seen so far. */
interface AxisSums {
  sums: Float64Array;
  absMax: Float32Array;
  /** Elements added into each sum. */
  count: number;
}

/** Adds `data` (shape `shape`) into per-index statistics along `axis` (negative: from the end). */
function addAlongAxis(
  into: AxisSums | undefined,
  data: Float32Array,
  shape: readonly number[],
  axis: number,
): AxisSums {
  const a = axis < 0 ? shape.length + axis : axis;
  const channels = shape[a]!;
  const inner = shape.slice(a + 1).reduce((x, y) => x * y, 1);
  const acc =
    into && into.sums.length === channels
      ? into
      : { sums: new Float64Array(channels), absMax: new Float32Array(channels), count: 0 };
  for (let i = 0; i < data.length; i++) {
    const c = Math.floor(i / inner) % channels;
    acc.sums[c]! += data[i]!;
    acc.absMax[c] = Math.max(acc.absMax[c]!, Math.abs(data[i]!));
  }
  acc.count += data.length / channels;
  return acc;
}

/**
 * The model's bytes with `extra` values declared as float graph outputs of unknown shape. `ValueInfoProto` always
 * carries a shape (an empty one means a scalar), so the declarations are appended as a second `graph` field without
 * one: protobuf parsers merge repeated embedded messages, appending their repeated fields.
 */
export function withOutputs(model: ModelProto, extra: readonly string[]): Uint8Array {
  const base = encodeModel(model);
  if (extra.length === 0) return base;
  const w = new ProtoWriter();
  w.message(Field.Model.graph, (g) => {
    for (const name of extra) {
      g.message(Field.Graph.output, (v) => {
        v.string(Field.ValueInfo.name, name);
        v.message(Field.ValueInfo.type, (t) =>
          t.message(Field.Type.tensorType, (tt) => tt.varint(Field.TypeTensor.elemType, DataType.FLOAT)),
        );
      });
    }
  });
  const tail = w.finish();
  const out = new Uint8Array(base.length + tail.length);
  out.set(base);
  out.set(tail, base.length);
  return out;
}

/**
 * Runs `model` on `data` (in batches of `batchSize`) and observes `values`.
 * @param model the fp32 model
 * @param values value names to observe (node outputs or graph inputs)
 * @param data the calibration inputs, batch first
 * @param batchSize samples per run
 * @param channelAxes values to take statistics of per index of one axis (1: channels of NCHW; -1: the last, features)
 */
export async function observe(
  model: ModelProto,
  values: readonly string[],
  data: FloatBatch,
  batchSize = 256,
  channelAxes: ReadonlyMap<string, number> = new Map(),
): Promise<Observation> {
  const inputs = new Set(model.graph.input.map((i) => i.name));
  const existing = new Set(model.graph.output.map((o) => o.name));
  const extra = values.filter((v) => !inputs.has(v) && !existing.has(v));
  const session = await openSession(withOutputs(model, extra));
  const ranges = new Map<string, Range>();
  const ranks = new Map<string, number>();
  const sums = new Map<string, AxisSums>();
  const n = data.shape[0]!;
  try {
    for (let start = 0; start < n; start += batchSize) {
      const batch = rows(data, start, Math.min(n, start + batchSize));
      const outputs = await runFloat(
        session,
        batch,
        [...extra, ...existing].filter((v) => values.includes(v)),
      );
      outputs.set(model.graph.input[0]!.name, batch);
      for (const name of values) {
        const value = outputs.get(name);
        if (!value) continue;
        ranks.set(name, value.shape.length);
        let { min, max } = ranges.get(name) ?? { min: Infinity, max: -Infinity };
        for (const x of value.data) {
          if (x < min) min = x;
          if (x > max) max = x;
        }
        ranges.set(name, { min, max });
        const axis = channelAxes.get(name);
        if (axis !== undefined && value.shape.length > Math.max(axis, -axis - 1))
          sums.set(name, addAlongAxis(sums.get(name), value.data, value.shape, axis));
      }
    }
  } finally {
    await session.release();
  }
  const channels = new Map(
    [...sums].map(([name, { sums: s, absMax, count }]) => [
      name,
      { mean: Float32Array.from(s, (x) => x / count), absMax },
    ]),
  );
  return { ranges, ranks, samples: n, channels };
}
