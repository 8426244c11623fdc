/**
 * `lepton.export.tflite(model, path?, opts?)`: a tfjs LayersModel as a TensorFlow Lite flatbuffer — float32, or
 * quantized (`float16`, `dynamic`, full-integer `int8` calibrated on the user's data) — with TFLite metadata for
 * labels and input normalization. The float graph is checked against tfjs before anything is quantized or written.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { displaySymbol, type MimeBundle } from '../../display/mime.js';
import { version } from '../../version.js';
import { writeFileAtomic } from '../../core/atomic-write.js';
import type { TfjsTensorSpec } from '@lepton/server/wire';
import { randomInputs } from '../../onnx/run.js';
import { compareOutputs, type Verification } from '../verify.js';
import { encodeTflite } from './encode.js';
import { TfliteError } from './errors.js';
import { evaluateGraph } from './evaluate.js';
import type { TensorQuantization, TfliteGraph } from './graph.js';
import { toInt8, type Int8Result } from './int8.js';
import { runInterpreter, type InterpreterRun } from './interpreter.js';
import { appendArchive, LABELS_FILE, METADATA_BUFFER_NAME, metadataBuffer, type Normalization } from './metadata.js';
import { toDynamicRange, toFloat16 } from './quantize-weights.js';
import { convertToTflite } from './walk.js';
import { foldFollowers } from './fold.js';

/** The quantizations `export.tflite` offers. */
export type TfliteQuantization = 'float16' | 'dynamic' | 'int8';

/** Options of `export.tflite`. */
export interface TfliteExportOptions {
  /**
   * Leave out for float32. `float16`: weights stored in half precision (half the size, float math).
   * `dynamic`: weights int8, activations float (a quarter of the size; TFLite's hybrid kernels).
   * `int8`: weights and activations int8, calibrated on `calibration` (a quarter of the size, integer kernels: what
   * microcontrollers, Coral's Edge TPU and NNAPI accelerators run).
   */
  quantize?: TfliteQuantization;
  /** `int8`: typical inputs, batch first (a few hundred samples), or `{ x }` data; one tensor per model input. */
  calibration?:
    | tf.Tensor
    | tf.Tensor[]
    | {
        /** The calibration inputs, batch first (so `{ x, y }` data can be passed: only `x` is read). */
        x: tf.Tensor | tf.Tensor[];
      };
  /** `int8`: int8 model inputs and outputs (their scale and zero point are reported) instead of float ones (default false). */
  integerIo?: boolean;
  /** `int8`: correct each layer's bias for its weights' rounding with the calibration data (default true). */
  biasCorrection?: boolean;
  /** Class labels of the first output, stored in the file's metadata (Android tooling shows them). */
  labels?: readonly string[];
  /** The first input's normalization, stored in the metadata: the model expects `(raw − mean) / std`. */
  normalization?: Normalization;
  /** Check the float graph against tfjs before quantizing or writing (default true). */
  verify?: boolean;
  /** Allowed difference per element in that check, relative to max(1, |tfjs|) (default 1e-5). */
  tolerance?: number;
  /** A description stored in the file. */
  description?: string;
}

/** A model input or output as the `.tflite` file has it. */
export interface TfliteTensorSpec extends TfjsTensorSpec {
  /** The element type in the file (`int8` for integer I/O). */
  fileType: 'float32' | 'int32' | 'int8';
  /** For int8 tensors: `real = scale · (q − zeroPoint)`. */
  quantization?: {
    /** The step between levels. */
    scale: number;
    /** The level that stands for 0. */
    zeroPoint: number;
  };
}

/** What `export.tflite` made. It displays itself as a summary table. */
export class TfliteExport {
  /** The absolute path of the written `.tflite` file, or `undefined` when none was written. */
  readonly path: string | undefined;
  /** The file's bytes. */
  readonly data: Uint8Array;
  /** The quantization applied, or `float32`. */
  readonly quantization: TfliteQuantization | 'float32';
  /** The model's inputs (feed them in tfjs's layout, NHWC). */
  readonly inputs: readonly TfliteTensorSpec[];
  /** The model's outputs. */
  readonly outputs: readonly TfliteTensorSpec[];
  /** The TFLite builtin operators the file uses. */
  readonly operators: readonly string[];
  /** The float graph's check against tfjs (Lepton's reference evaluator), when it ran. */
  readonly verification: Verification | undefined;
  /** For `int8`: calibration samples, corrected biases, ops left in float. */
  readonly int8: Int8Result | undefined;
  /** The labels stored in the metadata. */
  readonly labels: readonly string[] | undefined;
  /** Weight values in the file (constants other than shapes and axes). */
  readonly parameters: number;

  /** @internal */
  constructor(fields: Omit<TfliteExport, 'bytes' | 'sizeBytes' | 'interpret' | typeof displaySymbol>) {
    this.path = fields.path;
    this.data = fields.data;
    this.quantization = fields.quantization;
    this.inputs = fields.inputs;
    this.outputs = fields.outputs;
    this.operators = fields.operators;
    this.verification = fields.verification;
    this.int8 = fields.int8;
    this.labels = fields.labels;
    this.parameters = fields.parameters;
  }

  /** The file's size in bytes. */
  get sizeBytes(): number {
    return this.data.length;
  }

  /** @deprecated The file's size in bytes, as `sizeBytes` says it (its bytes are `data`); kept for older notebooks. */
  get bytes(): number {
    return this.sizeBytes;
  }

  /**
   * Runs the file in TensorFlow Lite's own interpreter (a Python subprocess; see `lepton setup --tflite`) on `x`
   * (one tensor per input, batch first) and returns the outputs as float tensors (int8 outputs dequantized).
   * @example const [y] = await exported.interpret(xTest)
   */
  async interpret(x: tf.Tensor | tf.Tensor[]): Promise<tf.Tensor[]> {
    const xs = Array.isArray(x) ? x : [x];
    const run = await withFile(this, (file) =>
      runInterpreter(file, {
        feeds: xs.map((t) => ({
          data: t.dtype === 'int32' ? (t.dataSync() as Int32Array) : Float32Array.from(t.dataSync()),
          shape: t.shape,
        })),
      }),
    );
    return run.outputs!.map((o) => tf.tensor(o.data, o.shape));
  }

  /** A summary table: size, quantization, ops, and each input and output with its quantization. */
  [displaySymbol](): MimeBundle {
    const shape = (s: TfliteTensorSpec) => `[${s.shape.map((d) => d ?? 'batch').join(', ')}]`;
    const quant = (s: TfliteTensorSpec) =>
      s.quantization ? `scale ${s.quantization.scale.toPrecision(4)}, zero point ${s.quantization.zeroPoint}` : '';
    const check = this.verification
      ? `float graph matches tfjs (max |Δ| ${this.verification.maxAbsDiff.toExponential(2)} ≤ ${this.verification.tolerance})`
      : 'not verified';
    const head = `TFLite model${this.path ? ` ${this.path}` : ''}: ${this.sizeBytes} bytes, ${this.quantization}, ${check}`;
    const text =
      `${head}\n  ${this.parameters.toLocaleString('en-US')} parameters; ops: ${this.operators.join(', ')}\n` +
      [
        ...this.inputs.map((s) => `  input  ${s.name} ${shape(s)} ${s.fileType} ${quant(s)}`),
        ...this.outputs.map((s) => `  output ${s.name} ${shape(s)} ${s.fileType} ${quant(s)}`),
      ].join('\n') +
      (this.labels ? `\n  labels: ${this.labels.join(', ')}` : '');
    const row = (kind: string, s: TfliteTensorSpec) =>
      `<tr><td>${kind}</td><td><code>${escape(s.name)}</code></td><td>${shape(s)}</td><td>${s.fileType}</td><td>${quant(s)}</td></tr>`;
    const html =
      `<div><b>TFLite model</b>${this.path ? ` <code>${escape(this.path)}</code>` : ''} — ${this.sizeBytes.toLocaleString('en-US')} bytes, <b>${this.quantization}</b>, ${check}` +
      `<div>ops: ${this.operators.map((o) => `<code>${o}</code>`).join(' ')}</div>` +
      `<table><thead><tr><th></th><th>name</th><th>shape</th><th>type</th><th>quantization</th></tr></thead><tbody>` +
      this.inputs.map((s) => row('input', s)).join('') +
      this.outputs.map((s) => row('output', s)).join('') +
      `</tbody></table>${this.labels ? `<div>labels: ${this.labels.map(escape).join(', ')}</div>` : ''}</div>`;
    return { 'text/plain': text, 'text/html': html };
  }
}

function escape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Runs `use` with a path holding the export's bytes (its own file, or a temporary copy). */
async function withFile<T>(exported: TfliteExport, use: (file: string) => Promise<T>): Promise<T> {
  if (exported.path) return use(exported.path);
  const dir = mkdtempSync(join(tmpdir(), 'lepton-tflite-'));
  try {
    const file = join(dir, 'model.tflite');
    writeFileSync(file, exported.data);
    return await use(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs an export's file in TensorFlow Lite's interpreter: ops, tensors, and optionally outputs and latency. */
export function interpretExport(
  exported: TfliteExport,
  opts: Parameters<typeof runInterpreter>[1] = {},
): Promise<InterpreterRun> {
  return withFile(exported, (file) => runInterpreter(file, opts));
}

/** The calibration option as one tensor per model input. */
function calibrationTensors(opts: TfliteExportOptions, specs: readonly TfjsTensorSpec[]): tf.Tensor[] {
  const given = opts.calibration;
  if (!given) {
    throw new TfliteError(
      'LEPTON_TFLITE_NO_CALIBRATION',
      "quantize: 'int8' needs calibration data to measure activation ranges: pass { calibration: xTrain.slice(0, 256) } (a few hundred typical inputs), or use quantize: 'dynamic', which needs none.",
    );
  }
  const x = given instanceof tf.Tensor || Array.isArray(given) ? given : given.x;
  const xs = Array.isArray(x) ? x : [x];
  if (xs.length !== specs.length || xs.some((t) => !(t instanceof tf.Tensor))) {
    throw new TfliteError(
      'LEPTON_TFLITE_BAD_OPTION',
      `calibration must be one tensor per model input (the model has ${specs.length}), batch first; got ${xs.length}.`,
    );
  }
  xs.forEach((t, k) => {
    const want = specs[k]!.shape.slice(1);
    if (t.rank !== want.length + 1 || want.some((d, i) => d !== null && d !== t.shape[i + 1])) {
      throw new TfliteError(
        'LEPTON_TFLITE_BAD_OPTION',
        `calibration input ${k} has shape [${t.shape.join(', ')}]; the model's input ${specs[k]!.name} takes [batch, ${want.map((d) => d ?? '?').join(', ')}].`,
      );
    }
  });
  return xs;
}

/** Checks the float graph against tfjs on a seeded random batch. */
function verifyGraph(
  model: tf.LayersModel,
  g: TfliteGraph,
  inputs: readonly TfjsTensorSpec[],
  outputs: readonly TfjsTensorSpec[],
  tolerance: number,
): Verification {
  const batch = 2;
  const feeds = randomInputs(inputs, batch);
  const [expected, actual] = tf.tidy(() => {
    const xs = feeds.map((f) => tf.tensor(f.data, f.shape, f.spec.dtype));
    const ys = model.predict(xs.length === 1 ? xs[0]! : xs);
    const want = (Array.isArray(ys) ? ys : [ys]).map((y) => y.dataSync() as Float32Array);
    const got = evaluateGraph(g, xs).map((y) => y.dataSync() as Float32Array);
    return [want, got];
  });
  const maxAbsDiff = compareOutputs(
    'TFLite',
    outputs.map((o) => o.name),
    expected,
    actual,
    tolerance,
  );
  return { maxAbsDiff, tolerance, batch };
}

function specOf(g: TfliteGraph, index: number, spec: TfjsTensorSpec): TfliteTensorSpec {
  const t = g.tensor(index);
  const q: TensorQuantization | undefined = t.dtype === 'int8' ? t.quantization : undefined;
  return {
    ...spec,
    name: t.name,
    fileType: t.dtype as TfliteTensorSpec['fileType'],
    ...(q ? { quantization: { scale: q.scale[0]!, zeroPoint: q.zeroPoint[0]! } } : {}),
  };
}

const quantizations: readonly string[] = ['float16', 'dynamic', 'int8'];

/**
 * Exports a tfjs LayersModel (Sequential or functional, several inputs and outputs allowed) to TensorFlow Lite.
 *
 * Layout stays NHWC as in tfjs and TFLite, so the arrays that feed `model.predict` feed the `.tflite` file too. The
 * file uses TFLite builtin ops only (no Flex/select-TF ops), so it runs on phones and boards. An unsupported layer
 * throws `UnsupportedLayerError`, naming the layer and listing the supported ones.
 *
 * @param model the model to export
 * @param path where to write the `.tflite` file (atomically); omit it to get the bytes only
 * @param opts see `TfliteExportOptions`
 * @returns the file's size, ops, inputs and outputs with their quantization
 * @example const lite = await lepton.export.tflite(model, 'models/mnist-int8.tflite', { quantize: 'int8', calibration: xTrain.slice(0, 256) });
 */
// eslint-disable-next-line @typescript-eslint/require-await -- async so that a bad option rejects the promise, as callers await it, rather than throwing before it
export async function tflite(
  model: tf.LayersModel,
  path?: string,
  opts: TfliteExportOptions = {},
): Promise<TfliteExport> {
  if (opts.quantize !== undefined && !quantizations.includes(opts.quantize)) {
    throw new TfliteError(
      'LEPTON_TFLITE_BAD_OPTION',
      `quantize must be one of ${quantizations.join(', ')} (or left out for float32); got ${JSON.stringify(opts.quantize)}.`,
    );
  }
  const { graph: g, inputs, outputs } = convertToTflite(model);
  // BatchNormalization and ReLU after a weight op ride inside it (checked against tfjs with the rest below).
  foldFollowers(g);
  if (opts.labels !== undefined) {
    const classes = outputs[0]!.shape.at(-1);
    if (!Array.isArray(opts.labels) || opts.labels.length !== classes) {
      throw new TfliteError(
        'LEPTON_TFLITE_BAD_OPTION',
        `labels must list one name per class of the first output (${classes}); got ${Array.isArray(opts.labels) ? opts.labels.length : typeof opts.labels}.`,
      );
    }
  }
  const norm = opts.normalization;
  if (norm !== undefined) {
    const ok = (v: unknown) =>
      Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'number' && Number.isFinite(x));
    if (!ok(norm.mean) || !ok(norm.std) || norm.std.some((x) => x <= 0) || norm.mean.length !== norm.std.length) {
      throw new TfliteError(
        'LEPTON_TFLITE_BAD_OPTION',
        'normalization needs { mean: number[], std: number[] } of the same length (one value, or one per channel), every std > 0; e.g. { mean: [127.5], std: [127.5] }.',
      );
    }
  }
  const verification =
    opts.verify === false ? undefined : verifyGraph(model, g, inputs, outputs, opts.tolerance ?? 1e-5);
  let int8: Int8Result | undefined;
  if (opts.quantize === 'float16') toFloat16(g);
  else if (opts.quantize === 'dynamic') toDynamicRange(g);
  else if (opts.quantize === 'int8') {
    int8 = toInt8(g, calibrationTensors(opts, inputs), {
      ...(opts.biasCorrection === undefined ? {} : { biasCorrection: opts.biasCorrection }),
      integerIo: opts.integerIo ?? false,
    });
  }
  const description = opts.description ?? `${model.name} exported from TensorFlow.js by Lepton ${version}`;
  const inputNames = g.inputs.map((i) => g.tensor(i).name);
  const outputNames = g.outputs.map((i) => g.tensor(i).name);
  const meta = metadataBuffer({
    name: model.name,
    description,
    inputs: inputNames,
    outputs: outputNames,
    ...(opts.labels ? { labels: opts.labels } : {}),
    ...(opts.normalization ? { normalization: opts.normalization } : {}),
  });
  let data = encodeTflite(g, { description, metadata: [{ name: METADATA_BUFFER_NAME, data: meta }] });
  if (opts.labels)
    data = appendArchive(data, [{ name: LABELS_FILE, data: new TextEncoder().encode(opts.labels.join('\n') + '\n') }]);
  let fullPath: string | undefined;
  if (path !== undefined) {
    fullPath = resolve(path);
    writeFileAtomic(fullPath, data);
  }
  return new TfliteExport({
    path: fullPath,
    data,
    quantization: opts.quantize ?? 'float32',
    inputs: inputs.map((s, k) => specOf(g, g.inputs[k]!, s)),
    outputs: outputs.map((s, k) => specOf(g, g.outputs[k]!, s)),
    operators: g.operatorNames(),
    verification,
    int8,
    labels: opts.labels,
    parameters: g.tensors.reduce(
      (n, t) => (t.data && (t.dtype !== 'int32' || t.quantization) ? n + t.data.length : n),
      0,
    ),
  });
}
