/**
 * onnxruntime-node sessions for compressed models: creation with a thread count, batched float runs.
 */
import type * as Ort from 'onnxruntime-node';

type Ort = typeof Ort;
let ortModule: Promise<Ort> | undefined;

/** The onnxruntime-node module, loaded once. */
export function ort(): Promise<Ort> {
  ortModule ??= import('onnxruntime-node');
  return ortModule;
}

/** Options of a session. */
export interface SessionOptions {
  /** Threads inside one operator (default: onnxruntime's choice, one per core). */
  threads?: number;
}

/** Opens `bytes` in onnxruntime-node with all graph optimizations (the QDQ fusions included). */
export async function openSession(bytes: Uint8Array, options: SessionOptions = {}): Promise<Ort.InferenceSession> {
  const o = await ort();
  return o.InferenceSession.create(bytes, {
    graphOptimizationLevel: 'all',
    ...(options.threads === undefined ? {} : { intraOpNumThreads: options.threads, interOpNumThreads: 1 }),
  });
}

/** A float32 batch: values and shape. */
export interface FloatBatch {
  /** Row-major values. */
  data: Float32Array;
  /** The shape, batch first. */
  shape: number[];
  /** `int32` for a model input of token ids (the values are whole numbers, fed as int32); float32 when absent. */
  dtype?: 'int32';
}

/** Runs one float input through `session`; returns the requested outputs as float batches. */
export async function runFloat(
  session: Ort.InferenceSession,
  input: FloatBatch,
  outputs: readonly string[] = session.outputNames,
): Promise<Map<string, FloatBatch>> {
  const o = await ort();
  const feed =
    input.dtype === 'int32'
      ? new o.Tensor('int32', Int32Array.from(input.data), input.shape)
      : new o.Tensor('float32', input.data, input.shape);
  const result = await session.run({ [session.inputNames[0]!]: feed }, [...outputs]);
  const map = new Map<string, FloatBatch>();
  for (const name of outputs) {
    const t = result[name]!;
    map.set(name, { data: t.data as Float32Array, shape: t.dims.map(Number) });
  }
  return map;
}

/** Slices rows `[start, end)` of a batch. */
export function rows(batch: FloatBatch, start: number, end: number): FloatBatch {
  const row = batch.shape.slice(1).reduce((a, b) => a * b, 1);
  return {
    data: batch.data.subarray(start * row, end * row),
    shape: [end - start, ...batch.shape.slice(1)],
    ...(batch.dtype ? { dtype: batch.dtype } : {}),
  };
}
