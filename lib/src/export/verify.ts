/**
 * Checks an exported ONNX model against the tfjs model it came from: the same random batch through tfjs and
 * through `onnxruntime-node`, outputs compared element by element.
 */
import type * as tf from '@tensorflow/tfjs';
import { tfjs } from '../core/tfjs.js';
import { ExportError } from './errors.js';
import { randomInputs, runOnnx } from '../onnx/run.js';
import type { TfjsTensorSpec } from '@lepton/server/wire';

/** The outcome of a verification. */
export interface Verification {
  /** The largest |onnx − tfjs| over all outputs. */
  maxAbsDiff: number;
  /** The tolerance used: each element must satisfy |onnx − tfjs| ≤ tolerance · max(1, |tfjs|). */
  tolerance: number;
  /** The batch size of the random inputs. */
  batch: number;
}

/** Runs `model` in tfjs on the same random batch and compares; throws `LEPTON_EXPORT_MISMATCH` past `tolerance`. */
export async function verifyExport(
  model: tf.LayersModel,
  bytes: Uint8Array,
  inputs: readonly TfjsTensorSpec[],
  outputs: readonly TfjsTensorSpec[],
  options: { tolerance?: number; batch?: number } = {},
): Promise<Verification> {
  const tolerance = options.tolerance ?? 1e-4;
  const batch = options.batch ?? 2;
  const t = tfjs();
  const feeds = randomInputs(inputs, batch);
  const expected = t.tidy(() => {
    const xs = feeds.map((f) => t.tensor(f.data, f.shape, f.spec.dtype));
    const ys = model.predict(xs.length === 1 ? xs[0]! : xs);
    return (Array.isArray(ys) ? ys : [ys]).map((y) => y.dataSync() as Float32Array);
  });
  const actual = await runOnnx(
    bytes,
    feeds.map((f) => ({ name: f.spec.name, shape: f.shape, data: f.data })),
    outputs.map((o) => o.name),
  );
  const maxAbsDiff = compareOutputs(
    'ONNX',
    outputs.map((o) => o.name),
    expected,
    actual,
    tolerance,
  );
  return { maxAbsDiff, tolerance, batch };
}

/**
 * Compares an exported model's outputs with tfjs's, element by element; throws `LEPTON_EXPORT_MISMATCH` naming the
 * output and element past `tolerance` (relative to max(1, |tfjs|)). Returns the largest |exported − tfjs|.
 * @param format the exported format's name, for messages (`ONNX`, `TFLite`)
 */
export function compareOutputs(
  format: string,
  names: readonly string[],
  expected: readonly ArrayLike<number>[],
  actual: readonly ArrayLike<number>[],
  tolerance: number,
): number {
  let maxAbsDiff = 0;
  names.forEach((name, k) => {
    const want = expected[k]!;
    const got = actual[k]!;
    if (want.length !== got.length) {
      throw new ExportError(
        'LEPTON_EXPORT_MISMATCH',
        `${format} output ${name} has ${got.length} values, tfjs has ${want.length}: the export is wrong. Please report it with the model summary.`,
      );
    }
    for (let i = 0; i < want.length; i++) {
      const diff = Math.abs(got[i]! - want[i]!);
      maxAbsDiff = Math.max(maxAbsDiff, Number.isNaN(diff) ? Infinity : diff);
      if (!(diff <= tolerance * Math.max(1, Math.abs(want[i]!)))) {
        throw new ExportError(
          'LEPTON_EXPORT_MISMATCH',
          `${format} output ${name} differs from tfjs at element ${i}: ${got[i]} vs ${want[i]} (tolerance ${tolerance}). ` +
            'The exported graph is wrong; please report it with the model summary, or pass { verify: false } to keep the file anyway.',
        );
      }
    }
  });
  return maxAbsDiff;
}
