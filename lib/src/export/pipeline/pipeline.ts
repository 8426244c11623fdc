/**
 * `lepton.export.pipeline(model, path, { transforms, features })` (also `lepton.export.onnx` given `transforms`):
 * the whole pipeline as ONE ONNX model, one input per raw column and the fitted transforms as operators in front
 * of the model's own graph. `pipelineGraph` is the composition step alone, for deploy targets that serve the bytes
 * (a Ray Serve application, a Triton model repository).
 */
import { resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { escapeHtml } from '../../display/html.js';
import { displaySymbol, type MimeBundle } from '../../display/mime.js';
import { writeFileAtomic } from '../../core/atomic-write.js';
import { ExportError } from '../errors.js';
import { resolveOnnx, type ModelSource } from '../model-source.js';
import { OPSET } from '../../onnx/format.js';
import { DataFrame } from '../../data/frame.js';
import { columnFeeds } from './feeds.js';
import { ELEM_NAMES, inspectModel, prependGraph, shapeText, type GraphValue } from './compose.js';
import { buildFront, ML_DOMAIN, type ColumnInput } from './front.js';

/** A model the pipeline can end in: any model the library's resolver takes (`export/model-source.ts`). */
export type PipelineModel = ModelSource;

/** What the pipeline applies in front of the model. */
export interface PipelineOptions {
  /**
   * Fitted `lepton.preprocess` transforms (or their JSON), in order, as `lepton.deploy` takes them: scalers,
   * imputers, `oneHot`, `labelEncoder`, `dateFeatures` (UTC) and pipelines of them.
   */
  transforms: readonly unknown[];
  /** The model input's columns after the transforms, in order (default: as `lepton.deploy` orders them). */
  features?: readonly string[];
}

/** The pipeline graph: the model file's bytes and what it takes and gives. */
export interface PipelineGraph {
  /** The `.onnx` file's bytes. */
  data: Uint8Array;
  /** The raw columns it takes, one `[batch, 1]` input each, in order. */
  inputs: ColumnInput[];
  /** The model's outputs, unchanged. */
  outputs: GraphValue[];
  /** The model input's columns the transforms compute, in order. */
  features: string[];
  /** The ONNX operator types the graph calls (the transforms' and the model's). */
  operators: string[];
}

/** The metadata key holding the pipeline's inputs and features (JSON), for servers that load the file alone. */
export const PIPELINE_METADATA = 'lepton.pipeline';

/** The lowest default-domain opset the transform operators need (`Equal` on floats). */
const MIN_OPSET = 11;
/** The ONNX-ML opset of `LabelEncoder` with float values. */
const ML_OPSET = 2;

async function modelBytes(model: PipelineModel): Promise<Uint8Array> {
  // Whatever export.onnx exports (and verifies) ends a pipeline too.
  const bytes = await resolveOnnx(model);
  if (bytes) return bytes;
  throw new ExportError(
    'LEPTON_BAD_PIPELINE',
    'export.pipeline: expected a model lepton.export.onnx exports (a tf.LayersModel or a fitted lepton.models.gradientBoosting) or ONNX bytes (a Uint8Array, or an object with a Uint8Array `data` such as lepton.export.onnx returns).',
  );
}

/**
 * Composes the pipeline graph: the fitted transforms written as ONNX operators in front of the model's graph (any
 * ONNX model with one `[batch, features]` float input; a LayersModel is exported first, verified against tfjs).
 * Throws `LEPTON_UNSUPPORTED_TRANSFORM` naming what ONNX operators cannot reproduce exactly (a text vectorizer, a
 * time zone other than UTC, boolean categories), and `LEPTON_BAD_PIPELINE` for transforms that do not fit the model.
 * Images are decoded on the Lepton server only: a pipeline graph takes tabular columns.
 * @example const graph = await lepton.export.pipelineGraph(model, { transforms: [prep], features });
 */
export async function pipelineGraph(model: PipelineModel, opts: PipelineOptions): Promise<PipelineGraph> {
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- plain-JS callers can leave the options out
  if (!opts || !Array.isArray(opts.transforms) || opts.transforms.length === 0) {
    throw new ExportError(
      'LEPTON_BAD_PIPELINE',
      'export.pipeline needs { transforms: [...] }: the fitted transforms to put in front of the model.',
    );
  }
  const bytes = await modelBytes(model);
  const view = inspectModel(bytes);
  const input = view.inputs[0];
  if (view.inputs.length !== 1 || !input || input.elemType !== 1 || input.dims.length !== 2) {
    const has = view.inputs
      .map((i) => `"${i.name}" ${ELEM_NAMES[i.elemType] ?? `type ${i.elemType}`} ${shapeText(i.dims)}`)
      .join(', ');
    throw new ExportError(
      'LEPTON_BAD_PIPELINE',
      `The transforms feed a model with one float input of shape [batch, features]; this model has ${has || 'no input'}.`,
    );
  }
  const width = typeof input.dims[1] === 'number' && input.dims[1] > 0 ? input.dims[1] : -1;
  // A Transform object becomes its JSON, as lepton.deploy sends it.
  const transforms = opts.transforms.map((t) => JSON.parse(JSON.stringify(t)) as unknown);
  const front = buildFront(transforms, opts.features, input.name, width, view.names);

  const opsets = new Map(view.opsets);
  const onnxOpset = opsets.get('');
  if (onnxOpset !== undefined && onnxOpset < MIN_OPSET) {
    throw new ExportError(
      'LEPTON_BAD_PIPELINE',
      `The model imports ONNX opset ${onnxOpset}; the transform operators need opset ${MIN_OPSET} or later. Convert the model to a newer opset first.`,
    );
  }
  opsets.set('', onnxOpset ?? OPSET);
  if (front.usesMl) opsets.set(ML_DOMAIN, Math.max(opsets.get(ML_DOMAIN) ?? 0, ML_OPSET));
  // Opset 17 goes with IR 8: a model that imported no ONNX opset may carry an older IR version.
  const irVersion = onnxOpset === undefined ? Math.max(view.irVersion, 8) : view.irVersion;
  const data = prependGraph(bytes, {
    front: front.graph.toProto(),
    feeds: input.name,
    opsets,
    irVersion,
    metadata: { [PIPELINE_METADATA]: JSON.stringify({ inputs: front.inputs, features: front.features }) },
  });
  const operators = [...new Set([...front.graph.operatorTypes(), ...view.operators])].sort();
  return { data, inputs: front.inputs, outputs: view.outputs, features: front.features, operators };
}

/**
 * The pipeline graph's bytes (see `pipelineGraph`).
 * @example const bytes = await lepton.export.pipelineOnnxBytes(model, { transforms: [prep], features });
 */
export async function pipelineOnnxBytes(model: PipelineModel, opts: PipelineOptions): Promise<Uint8Array> {
  return (await pipelineGraph(model, opts)).data;
}

/** Options of `export.pipeline`. */
export interface PipelineExportOptions extends PipelineOptions {
  /** Load and run the graph in onnxruntime-node on one row of missing values before writing (default true). */
  verify?: boolean;
}

/** What `export.pipeline` made. It displays itself as a summary table. */
export class PipelineExport {
  /** The absolute path of the written `.onnx` file, or `undefined` when none was written. */
  readonly path: string | undefined;
  /** The model file's bytes. */
  readonly data: Uint8Array;
  /** The raw columns it takes, one `[batch, 1]` input each, in order. */
  readonly inputs: readonly ColumnInput[];
  /** The model's outputs. */
  readonly outputs: readonly GraphValue[];
  /** The model input's columns the transforms compute, in order. */
  readonly features: readonly string[];
  /** The ONNX operator types the graph calls. */
  readonly operators: readonly string[];

  /** @internal */
  constructor(path: string | undefined, graph: PipelineGraph) {
    this.path = path;
    this.data = graph.data;
    this.inputs = graph.inputs;
    this.outputs = graph.outputs;
    this.features = graph.features;
    this.operators = graph.operators;
  }

  /** The model file's size in bytes. */
  get sizeBytes(): number {
    return this.data.length;
  }

  /** @deprecated The file's size in bytes, as `sizeBytes` says it (its bytes are `data`); kept for older notebooks. */
  get bytes(): number {
    return this.sizeBytes;
  }

  /**
   * Runs the graph in onnxruntime-node on raw records, as any ONNX runtime would run the file, and returns its
   * first output (dispose it). A missing value is sent as NaN or `""`; a wrong type throws naming the record.
   * @param records objects of raw fields, or a DataFrame (its rows)
   * @returns the model's first output, `[records, ...]`
   * @example const probs = await exported.predict([{ 'Body Mass (g)': 3750, Island: 'Dream' }]);
   */
  async predict(records: readonly object[] | DataFrame): Promise<tf.Tensor> {
    const rows = records instanceof DataFrame ? records.objects() : records;
    if (!Array.isArray(rows) || rows.length === 0)
      throw new ExportError(
        'LEPTON_BAD_PIPELINE',
        'predict: expected a non-empty array of records (objects of raw fields) or a DataFrame.',
      );
    const ort = await import('onnxruntime-node');
    const session = await ort.InferenceSession.create(this.data);
    try {
      const feeds = Object.fromEntries(
        Object.entries(columnFeeds(this.inputs, rows)).map(([name, f]) => [
          name,
          new ort.Tensor(f.type === 'float' ? 'float32' : f.type === 'double' ? 'float64' : 'string', f.data, [
            rows.length,
            1,
          ]),
        ]),
      );
      const out = (await session.run(feeds))[session.outputNames[0]!]!;
      return tf.tensor(out.data as Float32Array, out.dims as number[], out.type === 'int32' ? 'int32' : 'float32');
    } finally {
      await session.release();
    }
  }

  /** A summary table: the raw inputs to feed and the outputs. */
  [displaySymbol](): MimeBundle {
    const head = `ONNX pipeline${this.path ? ` ${this.path}` : ''}: ${this.sizeBytes} bytes, ${this.inputs.length} raw inputs → ${this.features.length} features → model`;
    const text = [
      head,
      ...this.inputs.map((i) => `  input  ${i.name} [batch, 1] ${i.type}`),
      ...this.outputs.map((o) => `  output ${o.name} ${shapeText(o.dims)} ${ELEM_NAMES[o.elemType] ?? o.elemType}`),
    ].join('\n');
    const row = (kind: string, name: string, shape: string, type: string) =>
      `<tr><td>${kind}</td><td><code>${escapeHtml(name)}</code></td><td>${escapeHtml(shape)}</td><td>${escapeHtml(type)}</td></tr>`;
    const html =
      `<div><b>ONNX pipeline</b>${this.path ? ` <code>${escapeHtml(this.path)}</code>` : ''} — ${this.sizeBytes.toLocaleString('en-US')} bytes, ` +
      `${this.inputs.length} raw inputs → ${this.features.length} features → model. Missing values: NaN (numbers), "" (categories).` +
      `<table><thead><tr><th></th><th>name</th><th>shape</th><th>type</th></tr></thead><tbody>` +
      this.inputs.map((i) => row('input', i.name, '[batch, 1]', i.type)).join('') +
      this.outputs
        .map((o) => row('output', o.name, shapeText(o.dims), ELEM_NAMES[o.elemType] ?? String(o.elemType)))
        .join('') +
      `</tbody></table></div>`;
    return { 'text/plain': text, 'text/html': html };
  }
}

/**
 * Exports the whole pipeline as one ONNX model: one `[batch, 1]` input per raw column (`float` numbers with NaN
 * for missing, `string` categories with `""` for missing, `double` epoch milliseconds for dates), the fitted
 * transforms as ONNX operators, then the model. Feed it raw values in onnxruntime, Triton or KServe and it answers
 * as the deployment's `predictRecords` does. Image decoding and text vectorizing stay on the Lepton server.
 * @param model a tfjs LayersModel, or any ONNX model's bytes with one `[batch, features]` float input
 * @param path where to write the `.onnx` file (atomically); omit it to get the bytes only
 * @param opts the fitted `transforms` and the model input's `features`
 * @returns the file's path, size, raw inputs and outputs (displays as a summary table)
 * @example const exported = await lepton.export.pipeline(model, 'penguins.onnx', { transforms: [prep], features });
 */
export async function pipeline(
  model: PipelineModel,
  path: string | undefined,
  opts: PipelineExportOptions,
): Promise<PipelineExport> {
  const graph = await pipelineGraph(model, opts);
  if (opts.verify !== false) await smokeRun(graph);
  let fullPath: string | undefined;
  if (path !== undefined) {
    fullPath = resolve(path);
    writeFileAtomic(fullPath, graph.data);
  }
  return new PipelineExport(fullPath, graph);
}

/** Loads the graph in onnxruntime-node and runs one row of missing values, so a file that cannot run is never written. */
async function smokeRun(graph: PipelineGraph): Promise<void> {
  const ort = await import('onnxruntime-node');
  let session;
  try {
    session = await ort.InferenceSession.create(graph.data);
  } catch (error) {
    throw new ExportError(
      'LEPTON_EXPORT_MISMATCH',
      `The pipeline graph does not load in onnxruntime: ${(error as Error).message}`,
      { cause: error },
    );
  }
  try {
    const feeds = Object.fromEntries(
      graph.inputs.map((i) => [
        i.name,
        i.type === 'string'
          ? new ort.Tensor('string', [''], [1, 1])
          : new ort.Tensor(i.type === 'double' ? 'float64' : 'float32', [NaN], [1, 1]),
      ]),
    );
    await session.run(feeds);
  } catch (error) {
    throw new ExportError(
      'LEPTON_EXPORT_MISMATCH',
      `The pipeline graph does not run in onnxruntime: ${(error as Error).message}`,
      { cause: error },
    );
  } finally {
    await session.release();
  }
}
