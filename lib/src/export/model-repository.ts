/**
 * `lepton.export.modelRepository(deploymentOrModel, dir)`: a Triton / KServe model repository,
 * `<dir>/<name>/config.pbtxt` and `<dir>/<name>/<version>/model.onnx`, for serving the model outside Lepton.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { writeFileAtomic } from './atomic-write.js';
import { ExportError } from './errors.js';
import { onnx } from './onnx.js';

/** A deployment as `lepton.deploy` returns it (only what the repository needs). */
export interface RepositorySource {
  /** The deployment's name (the default model name in the repository). */
  readonly name: string;
  /** The served version (the default version folder). */
  readonly version: string;
  /** The served version's ONNX file. */
  readonly modelPath: string;
  /** The deployment's card data: the model's inputs and outputs. */
  toJSON(): {
    /** The model's inputs, in order. */
    inputs: ReadonlyArray<{
      /** The input's name. */
      name: string;
      /** Its OIP v2 datatype, e.g. `FP32`. */
      datatype: string;
      /** Its shape, batch dimension included; `-1` for a free dimension. */
      shape: readonly number[];
    }>;
    /** The model's outputs, in order. */
    outputs: ReadonlyArray<{
      /** The output's name. */
      name: string;
      /** Its OIP v2 datatype, e.g. `FP32`. */
      datatype: string;
      /** Its shape, batch dimension included; `-1` for a free dimension. */
      shape: readonly number[];
    }>;
  };
}

/** Options of `export.modelRepository`. */
export interface ModelRepositoryOptions {
  /** The model's name in the repository (default: the deployment's or the model's name). */
  name?: string;
  /** The version folder (default: the deployment's version, or 1). */
  version?: string | number;
}

/** What `export.modelRepository` wrote. */
export interface ModelRepository {
  /** The repository root (pass it to `tritonserver --model-repository`). */
  dir: string;
  /** The model's name: its folder under `dir`. */
  name: string;
  /** The version folder the model was written to. */
  version: string;
  /** The `config.pbtxt` written (`<dir>/<name>/config.pbtxt`). */
  configPath: string;
  /** The ONNX model written (`<dir>/<name>/<version>/model.onnx`). */
  modelPath: string;
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

const TRITON_TYPE: Record<string, string> = { float32: 'TYPE_FP32', int32: 'TYPE_INT32' };

/**
 * Writes a Triton / KServe (Triton runtime) model repository for a deployment or a LayersModel: the ONNX model in
 * `<name>/<version>/model.onnx` and a `config.pbtxt` (platform `onnxruntime_onnx`, `max_batch_size: 0` with full
 * shapes, `-1` for free dimensions).
 * @param source a `Deployment` (its served version is copied from the registry) or a LayersModel (exported to ONNX)
 * @param dir the repository root (created if missing)
 * @returns the paths written
 * @example await lepton.export.modelRepository(deployment, 'model-repo')
 */
export async function modelRepository(source: RepositorySource | tf.LayersModel, dir: string, opts: ModelRepositoryOptions = {}): Promise<ModelRepository> {
  let name: string;
  let version: string;
  let data: Uint8Array;
  let inputs: IoSpec[];
  let outputs: IoSpec[];
  if (source instanceof tf.LayersModel) {
    const exported = await onnx(source);
    name = opts.name ?? source.name;
    version = String(opts.version ?? 1);
    data = exported.data;
    const spec = (s: (typeof exported.inputs)[number]): IoSpec => ({ name: s.name, type: TRITON_TYPE[s.dtype] ?? 'TYPE_FP32', dims: s.shape.map((d) => d ?? -1) });
    inputs = exported.inputs.map(spec);
    outputs = exported.outputs.map(spec);
  } else {
    name = opts.name ?? source.name;
    version = String(opts.version ?? source.version);
    data = readFileSync(source.modelPath);
    const card = source.toJSON();
    const spec = (s: { name: string; datatype: string; shape: readonly number[] }): IoSpec => ({ name: s.name, type: `TYPE_${s.datatype}`, dims: [...s.shape] });
    inputs = card.inputs.map(spec);
    outputs = card.outputs.map(spec);
  }
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(name)) throw new ExportError('LEPTON_BAD_MODEL', `"${name}" cannot be a model repository folder name: use letters, digits, "_", "." and "-" (pass { name }).`);
  if (!/^[1-9][0-9]*$/.test(version)) throw new ExportError('LEPTON_BAD_MODEL', `Triton versions are positive integers, not "${version}" (pass { version }).`);
  const root = resolve(dir);
  mkdirSync(join(root, name, version), { recursive: true });
  const configPath = join(root, name, 'config.pbtxt');
  const modelPath = join(root, name, version, 'model.onnx');
  writeFileAtomic(modelPath, data);
  writeFileAtomic(configPath, configText(name, inputs, outputs));
  return { dir: root, name, version, configPath, modelPath };
}

/**
 * The `config.pbtxt` text (protobuf text format of Triton's ModelConfig).
 * @param name the model's name
 * @param inputs the model's inputs, in order
 * @param outputs the model's outputs, in order
 * @returns the file's text (platform `onnxruntime_onnx`, `max_batch_size: 0`)
 * @example lepton.export.configText('penguins', [{ name: 'x', type: 'TYPE_FP32', dims: [-1, 4] }], [{ name: 'y', type: 'TYPE_FP32', dims: [-1, 3] }])
 */
export function configText(name: string, inputs: readonly IoSpec[], outputs: readonly IoSpec[]): string {
  const io = (s: IoSpec) => `  {\n    name: ${JSON.stringify(s.name)}\n    data_type: ${s.type}\n    dims: [ ${s.dims.join(', ')} ]\n  }`;
  return (
    `name: ${JSON.stringify(name)}\n` +
    `platform: "onnxruntime_onnx"\n` +
    `max_batch_size: 0\n` +
    `input [\n${inputs.map(io).join(',\n')}\n]\n` +
    `output [\n${outputs.map(io).join(',\n')}\n]\n`
  );
}
