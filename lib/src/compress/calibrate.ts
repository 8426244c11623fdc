/**
 * Calibration: the fp32 model runs in onnxruntime-node with every candidate activation added as a graph output,
 * and the min/max of each is tracked over the calibration data. The same run records each value's rank.
 */
import { encodeModel } from '../export/onnx-encode.js';
import { DataType, Field, type ModelProto } from '../export/onnx-format.js';
import { ProtoWriter } from '../export/protobuf-writer.js';
import type { Range } from './qdq.js';
import { openSession, rows, runFloat, type FloatBatch } from './session.js';

/** Ranges and ranks observed on the calibration data. */
export interface Observation {
  /** min/max of each observed float value. */
  ranges: Map<string, Range>;
  /** Rank of each observed value. */
  ranks: Map<string, number>;
  /** Samples seen. */
  samples: number;
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
        v.message(Field.ValueInfo.type, (t) => t.message(Field.Type.tensorType, (tt) => tt.varint(Field.TypeTensor.elemType, DataType.FLOAT)));
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
 */
export async function observe(model: ModelProto, values: readonly string[], data: FloatBatch, batchSize = 256): Promise<Observation> {
  const inputs = new Set(model.graph.input.map((i) => i.name));
  const existing = new Set(model.graph.output.map((o) => o.name));
  const extra = values.filter((v) => !inputs.has(v) && !existing.has(v));
  const session = await openSession(withOutputs(model, extra));
  const ranges = new Map<string, Range>();
  const ranks = new Map<string, number>();
  const n = data.shape[0]!;
  try {
    for (let start = 0; start < n; start += batchSize) {
      const batch = rows(data, start, Math.min(n, start + batchSize));
      const outputs = await runFloat(session, batch, [...extra, ...existing].filter((v) => values.includes(v)));
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
      }
    }
  } finally {
    await session.release();
  }
  return { ranges, ranks, samples: n };
}
