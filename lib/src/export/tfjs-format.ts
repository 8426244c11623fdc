/**
 * TensorFlow.js's own layers-model format on the local filesystem: `lepton.export.tfjs(model, dir)` writes
 * `model.json` and one weights file, and `lepton.load(dir)` reads them back.
 *
 * Writes are atomic: the weights go to a file named by their content hash, then `model.json` (which names that
 * file) replaces the old one by rename, and only then are stale weights files removed. A crash at any point leaves
 * either the old model or the new one.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { tfjs as tfModule } from '../core/tfjs.js';
import { writeFileAtomic } from '../core/atomic-write.js';
import { ExportError } from './errors.js';

/** The file holding the topology and the weights manifest. */
export const MODEL_JSON = 'model.json';

/** What `export.tfjs` wrote. */
export interface TfjsExport {
  /** The folder. */
  dir: string;
  /** The path of `model.json`. */
  modelPath: string;
  /** The path of the weights file. */
  weightsPath: string;
  /** Total bytes written (model.json and weights). */
  bytes: number;
}

/** `model.json` as tfjs defines it for layers models (the subset Lepton writes and reads). */
interface ModelJSON {
  format: 'layers-model';
  generatedBy?: string;
  convertedBy?: string | null;
  modelTopology: object;
  trainingConfig?: object;
  userDefinedMetadata?: Record<string, unknown>;
  weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
}

/**
 * Whether parsed JSON has the two fields loading starts from (topology and a manifest list); the entries inside are
 * tfjs's to check when it builds the model, so they are not walked here.
 */
function isModelJSON(json: unknown): json is ModelJSON {
  return (
    typeof json === 'object' &&
    json !== null &&
    'modelTopology' in json &&
    Boolean(json.modelTopology) &&
    'weightsManifest' in json &&
    Array.isArray(json.weightsManifest)
  );
}

/**
 * Saves a tfjs LayersModel in tfjs's format (`model.json` + weights) into `dir`, atomically.
 * @param model the model
 * @param dir the folder (created if missing)
 * @returns the paths written and their total size
 * @example await lepton.export.tfjs(model, 'models/cnn'); const again = await lepton.load('models/cnn');
 */
export async function tfjs(model: tf.LayersModel, dir: string): Promise<TfjsExport> {
  const t = tfModule();
  const folder = resolve(dir);
  let written: TfjsExport | undefined;
  await model.save(
    // eslint-disable-next-line @typescript-eslint/require-await -- tfjs wants a promise, and async turns throws into its rejection
    t.io.withSaveHandler(async (artifacts) => {
      if (!artifacts.modelTopology || artifacts.modelTopology instanceof ArrayBuffer) {
        throw new ExportError(
          'LEPTON_BAD_MODEL',
          'the model has no JSON topology; only layers models can be saved with export.tfjs.',
        );
      }
      const weights = new Uint8Array(
        artifacts.weightData ? t.io.CompositeArrayBuffer.join(artifacts.weightData) : new ArrayBuffer(0),
      );
      const weightsName = `weights.${createHash('sha256').update(weights).digest('hex').slice(0, 16)}.bin`;
      const json: ModelJSON = {
        format: 'layers-model',
        generatedBy: artifacts.generatedBy ?? `TensorFlow.js tfjs-layers v${t.version_layers}`,
        convertedBy: null,
        modelTopology: artifacts.modelTopology,
        ...(artifacts.trainingConfig ? { trainingConfig: artifacts.trainingConfig } : {}),
        ...(artifacts.userDefinedMetadata ? { userDefinedMetadata: artifacts.userDefinedMetadata } : {}),
        weightsManifest: [{ paths: [weightsName], weights: artifacts.weightSpecs ?? [] }],
      };
      const text = JSON.stringify(json);
      writeFileAtomic(join(folder, weightsName), weights);
      writeFileAtomic(join(folder, MODEL_JSON), text);
      for (const name of readdirSync(folder)) {
        if (/^weights\.[0-9a-f]{16}\.bin$/.test(name) && name !== weightsName)
          rmSync(join(folder, name), { force: true });
      }
      written = {
        dir: folder,
        modelPath: join(folder, MODEL_JSON),
        weightsPath: join(folder, weightsName),
        bytes: weights.length + Buffer.byteLength(text),
      };
      return {
        modelArtifactsInfo: {
          dateSaved: new Date(),
          modelTopologyType: 'JSON',
          modelTopologyBytes: Buffer.byteLength(JSON.stringify(artifacts.modelTopology)),
          weightSpecsBytes: Buffer.byteLength(JSON.stringify(artifacts.weightSpecs ?? [])),
          weightDataBytes: weights.length,
        },
      };
    }),
  );
  return written!;
}

/**
 * Loads a tfjs layers model saved by `export.tfjs` (or any tfjs `model.json` with its weight files beside it).
 * @param dir the folder, or the path of its `model.json`
 * @returns the model, ready for `predict`
 * @example const model = await lepton.load('models/cnn');
 */
export async function load(dir: string): Promise<tf.LayersModel> {
  const t = tfModule();
  const target = resolve(dir);
  const modelPath = existsSync(target) && statSync(target).isDirectory() ? join(target, MODEL_JSON) : target;
  const folder = modelPath === target ? resolve(target, '..') : target;
  if (!existsSync(modelPath)) {
    throw new ExportError(
      'LEPTON_LOAD_ERROR',
      `no ${MODEL_JSON} at ${modelPath}: save a model there with lepton.export.tfjs(model, dir) first.`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(modelPath, 'utf8'));
  } catch (error) {
    throw new ExportError('LEPTON_LOAD_ERROR', `${modelPath} is not valid JSON: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (!isModelJSON(json)) {
    throw new ExportError(
      'LEPTON_LOAD_ERROR',
      `${modelPath} is not a tfjs layers model (it needs modelTopology and weightsManifest).`,
    );
  }
  const buffers: ArrayBuffer[] = [];
  for (const group of json.weightsManifest) {
    for (const path of group.paths) {
      const file = join(folder, path);
      if (!existsSync(file))
        throw new ExportError(
          'LEPTON_LOAD_ERROR',
          `${modelPath} names weights file ${path}, which is missing from ${folder}.`,
        );
      const bytes = readFileSync(file);
      buffers.push(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    }
  }
  const artifacts: tf.io.ModelArtifacts = {
    modelTopology: json.modelTopology,
    weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
    weightData: t.io.CompositeArrayBuffer.join(buffers),
    format: json.format,
    ...(json.trainingConfig ? { trainingConfig: json.trainingConfig as tf.io.TrainingConfig } : {}),
    ...(json.userDefinedMetadata ? { userDefinedMetadata: json.userDefinedMetadata as Record<string, object> } : {}),
  };
  return t.loadLayersModel(t.io.fromMemory(artifacts));
}
