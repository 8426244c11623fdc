/**
 * Runs ONNX bytes in onnxruntime-node on random inputs shaped by tensor specs: what checking an export against tfjs
 * (`export/verify.ts`, TFLite's check) and probing a model before quantizing (`compress`) share.
 */
import type { TfjsTensorSpec } from '@lepton/server/wire';

/** Size used for free (`null`) dimensions other than the batch. */
const FREE_DIM = 5;

/** Concrete shape of a spec for a batch of `batch`. */
export function concreteShape(spec: TfjsTensorSpec, batch: number): number[] {
  return spec.shape.map((d, i) => d ?? (i === 0 ? batch : FREE_DIM));
}

/** Random inputs for `specs`: floats in [-1, 1), index inputs in their range, other ints in [0, 10). */
export function randomInputs(
  specs: readonly TfjsTensorSpec[],
  batch: number,
  seed = 1,
): { spec: TfjsTensorSpec; shape: number[]; data: Float32Array | Int32Array }[] {
  let s = seed >>> 0 || 1;
  const next = () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
  return specs.map((spec) => {
    const shape = concreteShape(spec, batch);
    const n = shape.reduce((a, b) => a * b, 1);
    const range = spec.indexRange ?? (spec.dtype === 'int32' ? 10 : undefined);
    const data = spec.dtype === 'int32' ? new Int32Array(n) : new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = range === undefined ? next() * 2 - 1 : Math.floor(next() * range);
    return { spec, shape, data };
  });
}

/** Runs `bytes` in onnxruntime-node on `feeds`; returns the outputs as flat arrays in `outputs` order. */
export async function runOnnx(
  bytes: Uint8Array,
  feeds: { name: string; shape: number[]; data: Float32Array | Int32Array }[],
  outputs: readonly string[],
): Promise<Float32Array[]> {
  const ort = await import('onnxruntime-node');
  const session = await ort.InferenceSession.create(bytes);
  try {
    const input: Record<string, InstanceType<typeof ort.Tensor>> = {};
    for (const f of feeds)
      input[f.name] = new ort.Tensor(f.data instanceof Int32Array ? 'int32' : 'float32', f.data, f.shape);
    const result = await session.run(input);
    return outputs.map((name) => Float32Array.from(result[name]!.data as Float32Array));
  } finally {
    await session.release();
  }
}
