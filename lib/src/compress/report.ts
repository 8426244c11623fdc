/**
 * `lepton.compress.report(variants, testData)`: model variants side by side — parameters, file size (raw and
 * gzipped), accuracy, onnxruntime latency (batch 1, p50) and throughput (batch 256) — with ratios to the baseline
 * (the first variant), a Vega-Lite chart and a recommendation.
 */
import { gzipSync } from 'node:zlib';
import { displaySymbol, type MimeBundle } from '../display/mime.js';
import { decodeModel } from '../onnx/decode.js';
import { DataType } from '../onnx/format.js';
import * as metrics from '../metrics/index.js';
import { argMaxRows } from '../metrics/values.js';
import { resolveData, type TensorData } from '../train/data.js';
import { CompressError } from './errors.js';
import type { ModelSource } from '../export/model-source.js';
import { onnxBytesOf } from './source.js';
import { openSession, rows, runFloat, type FloatBatch } from '../onnx/session.js';
import { timeInterleaved } from './timing.js';
import { count } from './tensors.js';
import { isTflite, measureTflite, tfliteAdvice, type TfliteRow } from './tflite-variants.js';
import type { TfliteExport } from '../export/tflite/tflite.js';
import { onnx, type TreeEnsembleSource as GradientBoosting } from '../export/onnx.js';
import { assertReportableTree, isTreeModel, treeNotApplicable, type NotApplicable } from './trees.js';

/** Options of `compress.report`. */
export interface ReportOptions {
  /** onnxruntime threads per operator (default: its own choice). */
  threads?: number;
  /** Batch-1 runs timed at least, for the latency median (default 50). */
  latencyRuns?: number;
  /** Batch-256 runs timed at least, for the throughput (from their median; default 5). */
  throughputRuns?: number;
  /**
   * Time budget per variant for the timings, in seconds (default 3): all variants are timed in 10 interleaved rounds,
   * each running batches of 1 and 256 until its share of the budget is spent (after the minimum runs).
   */
  maxSeconds?: number;
  /** Largest accuracy drop, in points, a variant may have to be recommended (default 1). */
  maxDrop?: number;
  /** Batch-1 invokes timed per TFLite variant in TensorFlow Lite's interpreter, for its median (default 200). */
  tfliteLatencyRuns?: number;
}

/** One row of the report. */
export interface VariantRow {
  /** The variant's name. */
  name: string;
  /** Weight values in the file (scales and zero points excluded). */
  parameters: number;
  /** The `.onnx` file size. */
  bytes: number;
  /** Its gzipped size. */
  gzipBytes: number;
  /** Classification accuracy on the test data, in [0, 1]. */
  accuracy: number;
  /** Median batch-1 latency, in milliseconds. */
  latencyP50Ms: number;
  /** Samples per second at batch 256. */
  throughput: number;
  /** Ratios to the baseline: size, gzipped size, latency, throughput; accuracy as a difference in points. */
  vsBaseline: {
    /** File size ÷ the baseline's (0.25 is 4× smaller). */
    bytes: number;
    /** Gzipped size ÷ the baseline's. */
    gzipBytes: number;
    /** Median latency ÷ the baseline's (below 1 is faster). */
    latency: number;
    /** Throughput ÷ the baseline's (above 1 is faster). */
    throughput: number;
    /** Accuracy minus the baseline's, in percentage points (−0.5 is half a point worse). */
    accuracyPoints: number;
  };
}

/** Parameters: elements of initializers other than quantization scales, zero points and int64 shapes. */
function parametersOf(bytes: Uint8Array): number {
  const g = decodeModel(bytes).graph;
  const aux = new Set<string>();
  for (const n of g.node) {
    if (n.opType === 'QuantizeLinear' || n.opType === 'DequantizeLinear') n.input.slice(1).forEach((v) => aux.add(v));
  }
  return g.initializer
    .filter((t) => !aux.has(t.name) && t.dataType !== DataType.INT64)
    .reduce((s, t) => s + count(t.dims), 0);
}

async function predictAll(session: Awaited<ReturnType<typeof openSession>>, x: FloatBatch): Promise<number[][]> {
  const out: number[][] = [];
  // A TreeEnsembleClassifier answers an int64 `label` first: its class scores are the `probabilities` output.
  const scores = session.outputNames.includes('probabilities') ? 'probabilities' : session.outputNames[0]!;
  for (let start = 0; start < x.shape[0]!; start += 256) {
    const y = (await runFloat(session, rows(x, start, Math.min(x.shape[0]!, start + 256)), [scores]))
      .values()
      .next().value!;
    const width = y.shape.slice(1).reduce((a, b) => a * b, 1);
    for (let i = 0; i < y.shape[0]!; i++) out.push(Array.from(y.data.subarray(i * width, (i + 1) * width)));
  }
  return out;
}

function classesOf(predicted: number[][]): number[] {
  return predicted[0]!.length === 1 ? predicted.map((r) => (r[0]! >= 0.5 ? 1 : 0)) : argMaxRows(predicted);
}

/**
 * Compares model variants on test data. The first variant is the baseline. Every variant runs in onnxruntime-node
 * (tfjs models are exported to fp32 ONNX first), so accuracy and speed are those of the deployed files.
 * `.tflite` variants (`lepton.export.tflite` results) run in TensorFlow Lite's own interpreter instead, in a table of
 * their own (size, accuracy, batch-1 latency; not measured where no interpreter is installed).
 * A fitted `lepton.models.gradientBoosting` classifier, alone or as a variant, is measured as its ONNX tree ensemble
 * (test data: the feature tensor in `gbm.featureNames` order); the report then lists quantization and pruning as
 * not applicable to trees, with the reason.
 * @param variants name → model (a tfjs model, a `QuantizedModel`, an `OnnxExport`, `.onnx` bytes, a gradient-boosting
 * model, or a `TfliteExport`), or one gradient-boosting model (its row is named `float`)
 * @param testData `{ x, y }`: features batch first, labels as class indices or one-hot
 * @param options timing budget, threads, accuracy drop allowed for the recommendation
 * @example lepton.compress.report({ fp32: model, int8: q }, { x: xTest, y: yTest })
 * @example lepton.compress.report(gbm, { x: xTest, y: yTest })
 */
export async function report(
  variants: Record<string, ModelSource | GradientBoosting | TfliteExport> | GradientBoosting,
  testData: TensorData,
  options: ReportOptions = {},
): Promise<CompressionReport> {
  if (isTreeModel(variants)) return report({ float: variants }, testData, options);
  const all = Object.keys(variants);
  const trees = all.filter((n) => isTreeModel(variants[n]));
  for (const n of trees) assertReportableTree(variants[n] as GradientBoosting, n);
  const names = all.filter((n) => !isTflite(variants[n]));
  const tfliteVariants = all
    .filter((n) => isTflite(variants[n]))
    .map((n) => [n, variants[n] as TfliteExport] as [string, TfliteExport]);
  if (all.length === 0)
    throw new CompressError(
      'LEPTON_COMPRESS_BAD_INPUT',
      'report needs at least one variant: { fp32: model, int8: quantized }.',
    );
  // Trees route missing values (NaN) themselves: their test data may hold them.
  const resolved = resolveData(testData, {}, 'test data', trees.length > 0 && trees.length === names.length);
  if (resolved.kind !== 'tensors')
    throw new CompressError('LEPTON_COMPRESS_BAD_INPUT', 'report takes test data as { x, y } tensors or arrays.');
  let x: FloatBatch;
  let yTrue: number[];
  try {
    const xt = resolved.x;
    x = { data: Float32Array.from(xt.dataSync() as Float32Array), shape: xt.shape };
    const y = resolved.y;
    yTrue =
      y.rank > 1 && y.shape[1]! > 1
        ? argMaxRows(y.arraySync() as number[][])
        : Array.from(y.dataSync(), (v) => Math.round(v));
  } finally {
    for (const t of resolved.owned) t.dispose();
  }
  const o = {
    latencyRuns: options.latencyRuns ?? 50,
    throughputRuns: options.throughputRuns ?? 5,
    maxSeconds: options.maxSeconds ?? 3,
  };
  // Every variant's session stays open until all are timed, so that the timings can interleave (`timing.ts`).
  const sessions: Awaited<ReturnType<typeof openSession>>[] = [];
  let measured: Omit<VariantRow, 'vsBaseline'>[];
  try {
    const files: Omit<VariantRow, 'vsBaseline' | 'latencyP50Ms' | 'throughput'>[] = [];
    for (const name of names) {
      const variant = variants[name]!;
      // A tree ensemble's own export checks its ONNX outputs against Lepton's predictions.
      const bytes = isTreeModel(variant) ? (await onnx(variant)).data : await onnxBytesOf(variant);
      const session = await openSession(bytes, options.threads === undefined ? {} : { threads: options.threads });
      sessions.push(session);
      const accuracy = metrics.accuracy(yTrue, classesOf(await predictAll(session, x)));
      files.push({
        name,
        parameters: parametersOf(bytes),
        bytes: bytes.length,
        gzipBytes: gzipSync(bytes).length,
        accuracy,
      });
    }
    const timings = sessions.length ? await timeInterleaved(sessions, x, o) : [];
    measured = files.map((f, i) => ({ ...f, ...timings[i]! }));
  } finally {
    for (const session of sessions) await session.release();
  }
  const base = measured[0];
  const table: VariantRow[] = measured.map((m) => ({
    ...m,
    vsBaseline: {
      bytes: m.bytes / base!.bytes,
      gzipBytes: m.gzipBytes / base!.gzipBytes,
      latency: m.latencyP50Ms / base!.latencyP50Ms,
      throughput: m.throughput / base!.throughput,
      accuracyPoints: (m.accuracy - base!.accuracy) * 100,
    },
  }));
  const tflite = await measureTflite(
    tfliteVariants,
    x,
    yTrue,
    options.tfliteLatencyRuns ?? 200,
    base ? { bytes: base.bytes, accuracy: base.accuracy } : undefined,
  );
  return new CompressionReport(table, options.maxDrop ?? 1, tflite, trees.length ? treeNotApplicable() : []);
}

/** The result of `compress.report`: rows, a recommendation, and a table plus chart when displayed. */
export class CompressionReport {
  /** One row per variant run in onnxruntime, the baseline first. */
  readonly rows: readonly VariantRow[];
  /** One row per `.tflite` variant, measured in TensorFlow Lite's interpreter. */
  readonly tflite: readonly TfliteRow[];
  /** The variant with the highest throughput among those within `maxDrop` points of the baseline's accuracy. */
  readonly recommended: string;
  /** One sentence saying which variant to use and why. */
  readonly recommendation: string;
  /** Compressions that do not apply to the variants (quantization and pruning of tree ensembles), with the reasons. */
  readonly notApplicable: readonly NotApplicable[];

  /** @internal */
  constructor(rows: VariantRow[], maxDrop: number, tflite: TfliteRow[] = [], notApplicable: NotApplicable[] = []) {
    this.rows = rows;
    this.tflite = tflite;
    this.notApplicable = notApplicable;
    const advice = tfliteAdvice(tflite, maxDrop);
    if (rows.length === 0) {
      this.recommended = advice!.name;
      this.recommendation = advice!.sentence;
      return;
    }
    const eligible = rows.filter((r) => r.vsBaseline.accuracyPoints >= -maxDrop);
    const best = eligible.reduce((a, b) => (b.throughput > a.throughput ? b : a));
    this.recommended = best.name;
    const base = rows[0]!;
    const slower = rows
      .filter((r) => r !== base && r.vsBaseline.throughput < 1)
      .map((r) => `${r.name} is slower than ${base.name} here (${r.vsBaseline.throughput.toFixed(2)}× its throughput)`);
    this.recommendation =
      `Use ${best.name}: the fastest at batch 256 (${Math.round(best.throughput).toLocaleString('en-US')} samples/s) within ${maxDrop} point of ${base.name}'s accuracy` +
      (best === base ? '' : `, ${best.vsBaseline.bytes.toFixed(2)}× its size`) +
      '.' +
      (slower.length ? ` Note: ${slower.join('; ')}.` : '') +
      (advice ? ` ${advice.sentence}` : '');
  }

  /** The chart: each variant's ratios to the baseline (size, gzipped size, latency, throughput), Vega-Lite v5. */
  chart(): Record<string, unknown> {
    const values = this.rows.flatMap((r) => [
      { variant: r.name, measure: 'file size', ratio: r.vsBaseline.bytes },
      { variant: r.name, measure: 'gzipped size', ratio: r.vsBaseline.gzipBytes },
      { variant: r.name, measure: 'latency p50 (batch 1)', ratio: r.vsBaseline.latency },
      { variant: r.name, measure: 'throughput (batch 256)', ratio: r.vsBaseline.throughput },
    ]);
    return {
      $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
      title: `Ratio to ${this.rows[0]!.name} (lower is better except throughput)`,
      data: { values },
      mark: 'bar',
      encoding: {
        column: { field: 'measure', type: 'nominal', title: null },
        x: { field: 'variant', type: 'nominal', sort: this.rows.map((r) => r.name), title: null },
        y: { field: 'ratio', type: 'quantitative', title: 'ratio to baseline' },
        color: { field: 'variant', type: 'nominal', sort: this.rows.map((r) => r.name) },
        tooltip: [{ field: 'variant' }, { field: 'measure' }, { field: 'ratio', format: '.2f' }],
      },
      width: 90,
      height: 160,
    };
  }

  /** The table, chart and recommendation. */
  [displaySymbol](): MimeBundle {
    const f = (n: number) => Math.round(n).toLocaleString('en-US');
    const cells = (r: VariantRow) => [
      r.name,
      f(r.parameters),
      `${f(r.bytes)} (${r.vsBaseline.bytes.toFixed(2)}×)`,
      `${f(r.gzipBytes)} (${r.vsBaseline.gzipBytes.toFixed(2)}×)`,
      `${(r.accuracy * 100).toFixed(2)}% (${r.vsBaseline.accuracyPoints >= 0 ? '+' : ''}${r.vsBaseline.accuracyPoints.toFixed(2)} pt)`,
      `${r.latencyP50Ms.toFixed(3)} ms (${r.vsBaseline.latency.toFixed(2)}×)`,
      `${f(r.throughput)}/s (${r.vsBaseline.throughput.toFixed(2)}×)`,
    ];
    const head = [
      'variant',
      'parameters',
      'file bytes',
      'gzipped bytes',
      'accuracy',
      'latency p50, batch 1',
      'throughput, batch 256',
    ];
    const notMeasured = 'not measured';
    const liteCells = (r: TfliteRow) => [
      r.name,
      r.quantization,
      f(r.parameters),
      `${f(r.bytes)} (${r.vsBaseline.bytes.toFixed(2)}×)`,
      f(r.gzipBytes),
      r.accuracy === null
        ? notMeasured
        : `${(r.accuracy * 100).toFixed(2)}% (${r.vsBaseline.accuracyPoints! >= 0 ? '+' : ''}${r.vsBaseline.accuracyPoints!.toFixed(2)} pt)`,
      r.latencyP50Ms === null ? notMeasured : `${r.latencyP50Ms.toFixed(3)} ms`,
    ];
    const liteHead = [
      'TFLite variant',
      'quantization',
      'parameters',
      'file bytes',
      'gzipped bytes',
      'accuracy (interpreter)',
      'latency p50, batch 1, 1 thread',
    ];
    const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
    const htmlTable = (h: string[], body: string[][], bold: (i: number) => boolean) =>
      `<table><thead><tr>${h.map((c) => `<th>${c}</th>`).join('')}</tr></thead><tbody>` +
      body
        .map(
          (cs, i) =>
            `<tr${bold(i) ? ' style="font-weight:bold"' : ''}>${cs.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`,
        )
        .join('') +
      `</tbody></table>`;
    const ort = this.rows.length ? [head.join(' | '), ...this.rows.map((r) => cells(r).join(' | '))] : [];
    const lite = this.tflite.length ? [liteHead.join(' | '), ...this.tflite.map((r) => liteCells(r).join(' | '))] : [];
    const naHead = ['variant', 'made by', 'status'];
    const naCells = (n: NotApplicable) => [n.variant, n.verb, n.reason];
    const na = this.notApplicable.map((n) => `${n.variant} (${n.verb}): ${n.reason}`);
    const text = [...ort, ...lite, ...na, this.recommendation].join('\n');
    const html =
      (this.rows.length ? htmlTable(head, this.rows.map(cells), (i) => this.rows[i]!.name === this.recommended) : '') +
      (this.tflite.length
        ? htmlTable(liteHead, this.tflite.map(liteCells), (i) => this.tflite[i]!.name === this.recommended)
        : '') +
      (this.notApplicable.length ? htmlTable(naHead, this.notApplicable.map(naCells), () => false) : '') +
      `<p>${esc(this.recommendation)}</p>`;
    return {
      'text/plain': text,
      'text/html': html,
      ...(this.rows.length ? { 'application/vnd.vegalite.v5+json': this.chart() } : {}),
    };
  }
}
