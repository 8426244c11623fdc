/**
 * `lepton.export.modelRepository(deploymentOrModel, dir)`: a Triton / KServe model repository,
 * `<dir>/<name>/config.pbtxt` and `<dir>/<name>/<version>/model.onnx`, with `<dir>/kserve.yaml` beside them, for
 * serving the model outside Lepton. A deployment with fitted transforms is written as its pipeline graph (one input
 * per raw column), so Triton and KServe clients send raw values, as Lepton's own clients send records.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { BatchingOptions } from '@lepton/server';
import { writeFileAtomic } from '../core/atomic-write.js';
import { ExportError } from './errors.js';
import { onnx } from './onnx.js';
import { DataType } from '../onnx/format.js';
import { inspectModel, type GraphValue } from './pipeline/compose.js';
import { pipelineGraph } from './pipeline/pipeline.js';

/** A deployment as `lepton.deploy` returns it (only what the repository needs). */
export interface RepositorySource {
  /** The deployment's name (the default model name in the repository). */
  readonly name: string;
  /** The served version (the default version folder). */
  readonly version: string;
  /** The served version's ONNX file. */
  readonly modelPath: string;
  /** The served version's metadata: its fitted transforms, features and batching options. */
  readonly metadata?:
    | {
        /** The fitted transforms' JSON ([] for none). */
        readonly transforms?: readonly unknown[];
        /** The model input's columns after the transforms. */
        readonly features?: readonly string[];
        /** Its dynamic batching. */
        readonly batching?: Partial<BatchingOptions>;
        /** Image or text input decoded by the Lepton server (the repository then holds the tensor model). */
        readonly rawInput?: unknown;
      }
    | undefined;
}

/** Options of `export.modelRepository`. */
export interface ModelRepositoryOptions {
  /** The model's name in the repository (default: the deployment's or the model's name). */
  name?: string;
  /** The version folder (default: the deployment's version, or 1). */
  version?: string | number;
  /** For a LayersModel or ONNX bytes: fitted transforms to put in front of the model (a deployment's own are used otherwise). */
  transforms?: readonly unknown[];
  /** With `transforms`: the model input's columns after them, in order. */
  features?: readonly string[];
  /** Dynamic batching (default: the deployment's, or Lepton's defaults: up to 32 rows, no added delay). */
  batching?: Partial<BatchingOptions>;
  /** How many model instances Triton runs (`instance_group { count }`, default 1). */
  instances?: number;
  /** Where the instances run (`KIND_CPU` by default, `gpu` for `KIND_GPU`). */
  device?: 'cpu' | 'gpu';
  /** KServe's `storageUri`: where the repository folder will be uploaded (default: a placeholder to fill in). */
  storageUri?: string;
}

/** What `export.modelRepository` wrote. */
export interface ModelRepository {
  /** The repository root (pass it to `tritonserver --model-repository`, or upload it for KServe). */
  dir: string;
  /** The model's name: its folder under `dir`. */
  name: string;
  /** The version folder the model was written to. */
  version: string;
  /** The `config.pbtxt` written (`<dir>/<name>/config.pbtxt`). */
  configPath: string;
  /** The ONNX model written (`<dir>/<name>/<version>/model.onnx`). */
  modelPath: string;
  /** The KServe `InferenceService` manifest written (`<dir>/kserve.yaml`). */
  kservePath: string;
  /** The model's inputs as the config declares them (full shapes, batch included as -1). */
  inputs: IoSpec[];
  /** Its outputs, likewise. */
  outputs: IoSpec[];
}

/** One input or output of a Triton model, as `config.pbtxt` declares it. */
export interface IoSpec {
  /** The tensor's name in the ONNX graph. */
  name: string;
  /** Triton's element type, e.g. `TYPE_FP32`. */
  type: string;
  /** The full shape, batch dimension included; `-1` for a free dimension. */
  dims: number[];
}

/** How Triton batches and runs the model (`config.pbtxt`'s scheduling and instance fields). */
export interface TritonScheduling {
  /** `max_batch_size`: the most rows in one run (the deployment's `maxBatch`). */
  maxBatchSize: number;
  /** `dynamic_batching { max_queue_delay_microseconds }` (the deployment's `maxDelayMs` × 1000). */
  maxQueueDelayUs: number;
  /** `default_queue_policy { max_queue_size }` (the deployment's `maxQueue`). */
  maxQueueSize: number;
  /** `default_queue_policy { default_timeout_microseconds }`, rejected after it (the deployment's `timeoutMs` × 1000). */
  queueTimeoutUs: number;
  /** `instance_group { count }`. */
  instances: number;
  /** `instance_group { kind }`. */
  device: 'cpu' | 'gpu';
}

/** ONNX element types and the Triton types that hold them. */
const TRITON_TYPE: Readonly<Record<number, string>> = {
  [DataType.FLOAT]: 'TYPE_FP32',
  [DataType.DOUBLE]: 'TYPE_FP64',
  [DataType.INT32]: 'TYPE_INT32',
  [DataType.INT64]: 'TYPE_INT64',
  [DataType.INT8]: 'TYPE_INT8',
  [DataType.UINT8]: 'TYPE_UINT8',
  [DataType.BOOL]: 'TYPE_BOOL',
  [DataType.STRING]: 'TYPE_STRING',
  10: 'TYPE_FP16',
  16: 'TYPE_BF16',
};

function ioSpec(v: GraphValue): IoSpec {
  const type = TRITON_TYPE[v.elemType];
  if (type === undefined)
    throw new ExportError(
      'LEPTON_BAD_MODEL',
      `The model's "${v.name}" is not a tensor Triton serves (ONNX element type ${v.elemType}).`,
    );
  return { name: v.name, type, dims: v.dims.map((d) => (typeof d === 'number' && d > 0 ? d : -1)) };
}

async function sourceBytes(source: RepositorySource | tf.LayersModel | Uint8Array): Promise<Uint8Array> {
  if (source instanceof tf.LayersModel) return (await onnx(source)).data;
  if (source instanceof Uint8Array) return source;
  return readFileSync(source.modelPath);
}

/**
 * Writes a Triton / KServe model repository: the ONNX model in `<name>/<version>/model.onnx`, a `config.pbtxt`
 * (platform `onnxruntime_onnx`, dynamic batching, queue policy and instance group from the deployment's batching
 * options) and a KServe `InferenceService` manifest `kserve.yaml` (`modelFormat: onnx`, a `storageUri` to fill in).
 * A deployment with transforms (or `opts.transforms`) is written as the pipeline graph: one `[batch, 1]` input per
 * raw column, `TYPE_FP32` numbers (NaN: missing) and `TYPE_STRING` categories (`""`: missing). Images and texts
 * are decoded by the Lepton server only: such a deployment is written as its tensor model.
 * @param source a `Deployment` (its served version), a LayersModel (exported to ONNX) or ONNX bytes
 * @param dir the repository root (created if missing)
 * @param opts name, version, transforms, batching, instances, storageUri
 * @returns the paths written and the inputs and outputs the config declares
 * @example await lepton.export.modelRepository(deployment, 'model-repo')
 */
export async function modelRepository(
  source: RepositorySource | tf.LayersModel | Uint8Array,
  dir: string,
  opts: ModelRepositoryOptions = {},
): Promise<ModelRepository> {
  const deployment = source instanceof tf.LayersModel || source instanceof Uint8Array ? undefined : source;
  const name = opts.name ?? (deployment ? deployment.name : source instanceof tf.LayersModel ? source.name : undefined);
  if (name === undefined)
    throw new ExportError(
      'LEPTON_BAD_MODEL',
      'A model repository of ONNX bytes needs a name: modelRepository(bytes, dir, { name: "my-model" }).',
    );
  const version = String(opts.version ?? deployment?.version ?? 1);
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(name))
    throw new ExportError(
      'LEPTON_BAD_MODEL',
      `"${name}" cannot be a model repository folder name: use letters, digits, "_", "." and "-" (pass { name }).`,
    );
  if (!/^[1-9][0-9]*$/.test(version))
    throw new ExportError(
      'LEPTON_BAD_MODEL',
      `Triton versions are positive integers, not "${version}" (pass { version }).`,
    );

  let data = await sourceBytes(source);
  const meta = deployment?.metadata;
  const transforms = opts.transforms ?? (meta?.rawInput === undefined ? meta?.transforms : undefined);
  const features = opts.features ?? meta?.features;
  if (transforms && transforms.length > 0)
    data = (await pipelineGraph(data, { transforms, ...(features === undefined ? {} : { features }) })).data;
  const view = inspectModel(data);
  const inputs = view.inputs.map(ioSpec);
  const outputs = view.outputs.map(ioSpec);
  // The server's defaults, loaded with the server module only here (the library does not load it to export).
  const { DEFAULT_BATCHING } = await import('@lepton/server');
  const scheduling = schedulingOf({ ...DEFAULT_BATCHING, ...meta?.batching, ...opts.batching }, opts);

  const root = resolve(dir);
  mkdirSync(join(root, name, version), { recursive: true });
  const configPath = join(root, name, 'config.pbtxt');
  const modelPath = join(root, name, version, 'model.onnx');
  const kservePath = join(root, 'kserve.yaml');
  writeFileAtomic(modelPath, data);
  // Triton batches along the first dimension only when every input and output has a free one there.
  const batchable = [...inputs, ...outputs].every((s) => s.dims[0] === -1);
  writeFileAtomic(configPath, configText(name, inputs, outputs, batchable ? scheduling : undefined));
  writeFileAtomic(kservePath, kserveManifest(name, opts.storageUri));
  return { dir: root, name, version, configPath, modelPath, kservePath, inputs, outputs };
}

function schedulingOf(batching: BatchingOptions, opts: ModelRepositoryOptions): TritonScheduling {
  const instances = opts.instances ?? 1;
  if (!Number.isInteger(instances) || instances < 1)
    throw new ExportError(
      'LEPTON_BAD_MODEL',
      `instances must be a whole number ≥ 1, got ${JSON.stringify(opts.instances)}.`,
    );
  return {
    maxBatchSize: Math.max(1, batching.maxBatch),
    maxQueueDelayUs: Math.round(batching.maxDelayMs * 1000),
    maxQueueSize: batching.maxQueue,
    queueTimeoutUs: Math.round(batching.timeoutMs * 1000),
    instances,
    device: opts.device ?? 'cpu',
  };
}

/**
 * The `config.pbtxt` text (protobuf text format of Triton's `ModelConfig`, `model_config.proto`).
 * @param name the model's name
 * @param inputs the model's inputs, in order (full shapes, batch dimension included)
 * @param outputs the model's outputs, in order
 * @param scheduling dynamic batching and instances; without it `max_batch_size: 0` and full shapes
 * @returns the file's text (platform `onnxruntime_onnx`)
 * @example lepton.export.configText('penguins', [{ name: 'x', type: 'TYPE_FP32', dims: [-1, 4] }], [{ name: 'y', type: 'TYPE_FP32', dims: [-1, 3] }])
 */
export function configText(
  name: string,
  inputs: readonly IoSpec[],
  outputs: readonly IoSpec[],
  scheduling?: TritonScheduling,
): string {
  // With max_batch_size > 0 Triton adds the batch dimension itself: dims leave it out.
  const dims = (s: IoSpec) => (scheduling ? s.dims.slice(1) : s.dims);
  const io = (s: IoSpec) =>
    `  {\n    name: ${JSON.stringify(s.name)}\n    data_type: ${s.type}\n    dims: [ ${dims(s).join(', ')} ]\n  }`;
  let text =
    `name: ${JSON.stringify(name)}\n` +
    `platform: "onnxruntime_onnx"\n` +
    `max_batch_size: ${scheduling ? scheduling.maxBatchSize : 0}\n` +
    `input [\n${inputs.map(io).join(',\n')}\n]\n` +
    `output [\n${outputs.map(io).join(',\n')}\n]\n`;
  if (scheduling) {
    text +=
      `dynamic_batching {\n` +
      `  max_queue_delay_microseconds: ${scheduling.maxQueueDelayUs}\n` +
      `  default_queue_policy {\n` +
      `    timeout_action: REJECT\n` +
      `    default_timeout_microseconds: ${scheduling.queueTimeoutUs}\n` +
      `    max_queue_size: ${scheduling.maxQueueSize}\n` +
      `  }\n` +
      `}\n` +
      `instance_group [\n  {\n    count: ${scheduling.instances}\n    kind: ${scheduling.device === 'gpu' ? 'KIND_GPU' : 'KIND_CPU'}\n  }\n]\n`;
  }
  return text;
}

/** The placeholder `storageUri` of `kserve.yaml`, which the user replaces with where the repository is uploaded. */
export const STORAGE_URI_PLACEHOLDER = 's3://YOUR-BUCKET/PATH/TO/THIS/REPOSITORY';

/**
 * The KServe `InferenceService` manifest serving the repository with KServe's ONNX runtime (Triton, OIP v2).
 * @param name the model's name (the service is named after it, in DNS-1123 form)
 * @param storageUri where the repository folder is uploaded (default: a placeholder to replace)
 * @returns the YAML text
 * @example lepton.export.kserveManifest('penguins', 'gs://my-bucket/model-repo')
 */
export function kserveManifest(name: string, storageUri = STORAGE_URI_PLACEHOLDER): string {
  const service =
    name
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 63) || 'model';
  return (
    `# KServe InferenceService for the Triton model repository in this folder (${name}/config.pbtxt, ${name}/<version>/model.onnx).\n` +
    `# Upload this folder, set storageUri to where it is, then: kubectl apply -f kserve.yaml\n` +
    `apiVersion: serving.kserve.io/v1beta1\n` +
    `kind: InferenceService\n` +
    `metadata:\n` +
    `  name: ${service}\n` +
    `spec:\n` +
    `  predictor:\n` +
    `    model:\n` +
    `      modelFormat:\n` +
    `        name: onnx\n` +
    `      protocolVersion: v2\n` +
    `      storageUri: ${JSON.stringify(storageUri)}\n`
  );
}
