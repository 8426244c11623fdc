/**
 * `lepton.export.onnx(model, path?, opts?)`: a tfjs LayersModel as an ONNX model (opset 17), checked in
 * onnxruntime-node against tfjs before it is written, with a sidecar `.meta.json` for servers.
 */
import { createHash } from 'node:crypto';
import { basename, resolve } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { displaySymbol, type MimeBundle } from '../display/mime.js';
import { version } from '../version.js';
import { writeFileAtomic } from '../core/atomic-write.js';
import { modelProto } from '../onnx/graph.js';
import { META_FORMAT, metaPathFor, type OnnxModelMeta } from './meta.js';
import { encodeModel } from '../onnx/encode.js';
import { OPSET } from '../onnx/format.js';
import type { TfjsTensorSpec } from '@lepton/server/wire';
import { pipeline, type PipelineExport } from './pipeline/pipeline.js';
import { verifyExport, type Verification } from './verify.js';
import { convertModel } from './walk.js';
import { GradientBoosting } from '../models/gradient-boosting/model.js';

/** Options of `export.onnx`. */
export interface OnnxExportOptions {
  /** Run the model in onnxruntime-node and compare with tfjs before writing (default true). */
  verify?: boolean;
  /** Allowed difference per element, relative to max(1, |tfjs value|) (default 1e-4). */
  tolerance?: number;
  /** Write the `.meta.json` sidecar beside the model (default true when a path is given). */
  meta?: boolean;
  /** A description stored in the model file. */
  docString?: string;
  /** Extra key/value metadata stored in the model file. */
  metadata?: Record<string, string>;
  /**
   * Fitted `lepton.preprocess` transforms to put in front of the model as ONNX operators: the file then takes one
   * input per raw column and the result is a `PipelineExport` (see `lepton.export.pipeline`, which this calls).
   */
  transforms?: readonly unknown[];
  /** With `transforms`: the model input's columns after them, in order (as `lepton.deploy` takes them). */
  features?: readonly string[];
}

/** What `export.onnx` made. It displays itself as a summary table. */
export class OnnxExport {
  /** The absolute path of the written `.onnx` file, or `undefined` when none was written. */
  readonly path: string | undefined;
  /** The sidecar `.meta.json` path, when one was written. */
  readonly metaPath: string | undefined;
  /** The model file's bytes. */
  readonly data: Uint8Array;
  /** The model's inputs (feed these names in ONNX Runtime, in tfjs's layout). */
  readonly inputs: readonly TfjsTensorSpec[];
  /** The model's outputs. */
  readonly outputs: readonly TfjsTensorSpec[];
  /** The default-domain opset. */
  readonly opset: number;
  /** The ONNX operator types the graph uses. */
  readonly operators: readonly string[];
  /** The check against tfjs, when it ran. */
  readonly verification: Verification | undefined;

  /** @internal */
  constructor(fields: Omit<OnnxExport, 'bytes' | 'sizeBytes' | typeof displaySymbol>) {
    this.path = fields.path;
    this.metaPath = fields.metaPath;
    this.data = fields.data;
    this.inputs = fields.inputs;
    this.outputs = fields.outputs;
    this.opset = fields.opset;
    this.operators = fields.operators;
    this.verification = fields.verification;
  }

  /** The model file's size in bytes. */
  get sizeBytes(): number {
    return this.data.length;
  }

  /** @deprecated The file's size in bytes, as `sizeBytes` says it (its bytes are `data`); kept for older notebooks. */
  get bytes(): number {
    return this.sizeBytes;
  }

  /** A summary table. */
  [displaySymbol](): MimeBundle {
    const shape = (s: TfjsTensorSpec) => `[${s.shape.map((d) => d ?? 'batch').join(', ')}]`;
    const row = (kind: string, s: TfjsTensorSpec) =>
      `<tr><td>${kind}</td><td><code>${escape(s.name)}</code></td><td>${shape(s)}</td><td>${s.dtype}</td></tr>`;
    const check = this.verification
      ? `matches tfjs (max |Δ| ${this.verification.maxAbsDiff.toExponential(2)} ≤ ${this.verification.tolerance})`
      : 'not verified';
    const text =
      `ONNX model${this.path ? ` ${this.path}` : ''}: ${this.sizeBytes} bytes, opset ${this.opset}, ${check}\n` +
      [
        ...this.inputs.map((s) => `  input  ${s.name} ${shape(s)} ${s.dtype}`),
        ...this.outputs.map((s) => `  output ${s.name} ${shape(s)} ${s.dtype}`),
      ].join('\n');
    const html =
      `<div><b>ONNX model</b>${this.path ? ` <code>${escape(this.path)}</code>` : ''} — ${this.sizeBytes.toLocaleString('en-US')} bytes, opset ${this.opset}, ${check}` +
      `<table><thead><tr><th></th><th>name</th><th>shape</th><th>dtype</th></tr></thead><tbody>` +
      this.inputs.map((s) => row('input', s)).join('') +
      this.outputs.map((s) => row('output', s)).join('') +
      `</tbody></table></div>`;
    return { 'text/plain': text, 'text/html': html };
  }
}

/**
 * Writes an exported model to `path` (atomically) and, unless `meta: false`, its `.meta.json` sidecar; nothing
 * without a path. Returns the absolute paths written.
 */
export function writeExport(
  data: Uint8Array,
  path: string | undefined,
  opts: OnnxExportOptions,
  about: Pick<OnnxModelMeta, 'inputs' | 'outputs' | 'source'> & {
    verification?: OnnxModelMeta['verification'] | undefined;
  },
): { fullPath: string | undefined; metaPath: string | undefined } {
  if (path === undefined) return { fullPath: undefined, metaPath: undefined };
  const fullPath = resolve(path);
  writeFileAtomic(fullPath, data);
  if (opts.meta === false) return { fullPath, metaPath: undefined };
  const metaPath = metaPathFor(fullPath);
  const meta: OnnxModelMeta = {
    format: META_FORMAT,
    version: 1,
    model: basename(fullPath),
    bytes: data.length,
    sha256: createHash('sha256').update(data).digest('hex'),
    opset: OPSET,
    inputs: about.inputs,
    outputs: about.outputs,
    source: about.source,
    producerVersion: version,
    createdAt: new Date().toISOString(),
    ...(about.verification ? { verification: about.verification } : {}),
  };
  writeFileAtomic(metaPath, JSON.stringify(meta, null, 2) + '\n');
  return { fullPath, metaPath };
}

function escape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A `lepton.models.gradientBoosting` model: what `onnx` exports as an ONNX tree ensemble (named for the layers above). */
export type TreeEnsembleSource = GradientBoosting;

/** Whether `model` is a `lepton.models.gradientBoosting` model (for the layers above, which do not import models). */
export function isTreeEnsembleSource(model: unknown): model is TreeEnsembleSource {
  return model instanceof GradientBoosting;
}

/**
 * Exports a tfjs LayersModel (Sequential or functional) to ONNX.
 *
 * Inputs and outputs keep tfjs's names order and layout (channels last), so the arrays that feed `model.predict`
 * feed the ONNX model too. Unless `verify: false`, the model is run in onnxruntime-node on a random batch and
 * compared with tfjs before anything is written; a mismatch throws `LEPTON_EXPORT_MISMATCH`. An unsupported layer
 * throws `UnsupportedLayerError`, naming the layer and listing the supported ones.
 *
 * @param model the model to export
 * @param path where to write the `.onnx` file (atomically); omit it to get the bytes only
 * @param opts see `OnnxExportOptions`
 * @returns the file's path, size, inputs and outputs
 * A fitted `lepton.models.gradientBoosting` exports as one `ai.onnx.ml` `TreeEnsembleClassifier` (output
 * `probabilities`) or `TreeEnsembleRegressor` (output `prediction`) node on a float input `x` [batch, features],
 * checked in onnxruntime-node against Lepton's predictions (tolerance 1e-5).
 *
 * @example const exported = await lepton.export.onnx(model, 'models/mnist.onnx');
 * @example const whole = await lepton.export.onnx(model, 'penguins.onnx', { transforms: [prep], features });
 */
export async function onnx(
  model: tf.LayersModel | GradientBoosting,
  path: string | undefined,
  opts: OnnxExportOptions & { transforms: readonly unknown[] },
): Promise<PipelineExport>;
export async function onnx(
  model: tf.LayersModel | GradientBoosting,
  path?: string,
  opts?: OnnxExportOptions,
): Promise<OnnxExport>;
export async function onnx(
  model: tf.LayersModel | GradientBoosting,
  path?: string,
  opts: OnnxExportOptions = {},
): Promise<OnnxExport | PipelineExport> {
  // With transforms the file is the whole pipeline; the model part is still this function's verified export.
  if (opts.transforms !== undefined)
    return pipeline(model, path, {
      transforms: opts.transforms,
      ...(opts.features === undefined ? {} : { features: opts.features }),
    });
  // Gradient boosting exports as an ai.onnx.ml tree ensemble (imported lazily: that module uses OnnxExport).
  if (model instanceof GradientBoosting)
    return (await import('./tree-ensemble.js')).exportTreeEnsemble(model, path, opts);
  const converted = convertModel(model);
  const proto = modelProto(converted.graph.toProto(), {
    producerVersion: version,
    docString: opts.docString ?? `${model.name} exported from TensorFlow.js by Lepton`,
    metadata: opts.metadata ?? {},
  });
  const data = encodeModel(proto);
  const verification =
    opts.verify === false
      ? undefined
      : await verifyExport(
          model,
          data,
          converted.inputs,
          converted.outputs,
          opts.tolerance === undefined ? {} : { tolerance: opts.tolerance },
        );
  const { fullPath, metaPath } = writeExport(data, path, opts, {
    inputs: converted.inputs,
    outputs: converted.outputs,
    source: { framework: 'tfjs', name: model.name, className: model.getClassName() },
    verification,
  });
  return new OnnxExport({
    path: fullPath,
    metaPath,
    data,
    inputs: converted.inputs,
    outputs: converted.outputs,
    opset: OPSET,
    operators: converted.graph.operatorTypes(),
    verification,
  });
}
