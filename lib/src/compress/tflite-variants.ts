/**
 * The TFLite rows of `compress.report`: each `.tflite` variant (a `TfliteExport`) runs in TensorFlow Lite's own
 * interpreter (a Python subprocess, all files in one process) on the test data for accuracy, then alone at batch 1
 * for its median latency on one thread. Without an interpreter installed, the rows keep their sizes and say the
 * rest was not measured.
 */
import { gzipSync } from 'node:zlib';
import { argMaxRows } from '../metrics/values.js';
import * as metrics from '../metrics/index.js';
import { TfliteExport } from '../export/tflite/tflite.js';
import { runInterpreterJobs, tflitePython } from '../export/tflite/interpreter.js';
import type { FloatBatch } from '../onnx/session.js';

/** One TFLite variant in the report. */
export interface TfliteRow {
  /** The variant's name. */
  name: string;
  /** `float32`, `float16`, `dynamic` or `int8`. */
  quantization: string;
  /** Weight values in the file. */
  parameters: number;
  /** The `.tflite` file size. */
  bytes: number;
  /** Its gzipped size. */
  gzipBytes: number;
  /** Accuracy on the test data in TensorFlow Lite's interpreter, or null when no interpreter is installed. */
  accuracy: number | null;
  /** Median batch-1 latency in the interpreter (one thread), in milliseconds, or null when not measured. */
  latencyP50Ms: number | null;
  /** Ratios to the report's baseline (its first variant). */
  vsBaseline: {
    /** File size ÷ the baseline's. */
    bytes: number;
    /** Accuracy minus the baseline's, in percentage points (null when not measured). */
    accuracyPoints: number | null;
  };
}

/** Whether a report variant is a `.tflite` export. */
export function isTflite(variant: unknown): variant is TfliteExport {
  return variant instanceof TfliteExport;
}

/** Predicted classes from a flat output of `width` scores per sample (one score: a sigmoid at 0.5). */
function classesOf(data: Float32Array, width: number): number[] {
  if (width === 1) return Array.from(data, (v) => (v >= 0.5 ? 1 : 0));
  return argMaxRows(
    Array.from({ length: data.length / width }, (_, i) => Array.from(data.subarray(i * width, (i + 1) * width))),
  );
}

/**
 * Measures the TFLite variants on `x` against labels `yTrue`; `latencyRuns` timed invokes each. Ratios are to
 * `baseline` (the report's first variant), or to the first TFLite variant when the report has no other.
 */
export async function measureTflite(
  variants: [string, TfliteExport][],
  x: FloatBatch,
  yTrue: number[],
  latencyRuns: number,
  baseline: { bytes: number; accuracy: number | null } | undefined,
): Promise<TfliteRow[]> {
  const measured =
    tflitePython() && variants.length
      ? await runInterpreterJobs(
          variants.map(([, e]) => ({ bytes: e.data, feeds: [{ data: x.data, shape: x.shape }], repeats: latencyRuns })),
        )
      : undefined;
  const rows = variants.map(([name, e], k) => {
    const run = measured?.[k];
    const out = run?.outputs?.[0];
    const accuracy = out
      ? metrics.accuracy(
          yTrue,
          classesOf(
            out.data,
            out.shape.slice(1).reduce((a, b) => a * b, 1),
          ),
        )
      : null;
    return {
      name,
      quantization: e.quantization,
      parameters: e.parameters,
      bytes: e.sizeBytes,
      gzipBytes: gzipSync(e.data).length,
      accuracy,
      latencyP50Ms: run?.latencyMs ?? null,
    };
  });
  const base = baseline ?? rows[0];
  return rows.map((r) => ({
    ...r,
    vsBaseline: {
      bytes: r.bytes / base!.bytes,
      accuracyPoints: r.accuracy === null || base!.accuracy === null ? null : (r.accuracy - base!.accuracy) * 100,
    },
  }));
}

/** The TFLite sentence of the recommendation: the smallest file within `maxDrop` points, or why none is chosen. */
export function tfliteAdvice(
  rows: readonly TfliteRow[],
  maxDrop: number,
): { name: string; sentence: string } | undefined {
  if (rows.length === 0) return undefined;
  if (rows.every((r) => r.accuracy === null)) {
    const smallest = rows.reduce((a, b) => (b.bytes < a.bytes ? b : a));
    return {
      name: smallest.name,
      sentence:
        'TFLite accuracy and latency were not measured: no TensorFlow Lite interpreter is installed (run `lepton setup --tflite`).',
    };
  }
  const eligible = rows.filter((r) => r.vsBaseline.accuracyPoints !== null && r.vsBaseline.accuracyPoints >= -maxDrop);
  if (eligible.length === 0)
    return {
      name: rows[0]!.name,
      sentence: `No TFLite variant is within ${maxDrop} point of the baseline's accuracy.`,
    };
  const best = eligible.reduce((a, b) => (b.bytes < a.bytes ? b : a));
  return {
    name: best.name,
    sentence: `For phones and boards use ${best.name}: the smallest .tflite file (${best.bytes.toLocaleString('en-US')} bytes, ${best.vsBaseline.bytes.toFixed(2)}× the baseline) within ${maxDrop} point of its accuracy in TensorFlow Lite's interpreter.`,
  };
}
