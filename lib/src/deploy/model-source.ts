/**
 * What `lepton.deploy` takes as a model, and what it needs to deploy it with its preprocessing. The model's ONNX
 * bytes come from the library's one model resolver (`export/model-source.ts`, which documents the order); this
 * module adds deploy's errors, its default names and deploy bundles.
 */
import * as tf from '@tensorflow/tfjs';
import { ExportError } from '../export/errors.js';
import { OnnxError } from '../onnx/errors.js';
import { resolveOnnx, type ModelSource } from '../export/model-source.js';
import { GradientBoosting } from '../models/gradient-boosting/model.js';
import { DeployError } from './errors.js';

export type { OnnxSource } from '../export/model-source.js';

/** A model to deploy: a tfjs model, a fitted `lepton.models.gradientBoosting`, or ONNX bytes. */
export type Deployable = ModelSource;

/**
 * The ONNX bytes to deploy for `model` (models not in ONNX yet are exported and verified against tfjs). Throws
 * `LEPTON_NOT_EXPORTABLE`, naming the layer, when export fails.
 */
export async function onnxBytes(model: Deployable, name: string): Promise<Uint8Array> {
  let bytes: Uint8Array | undefined;
  try {
    bytes = await resolveOnnx(model);
  } catch (error) {
    if (error instanceof ExportError || error instanceof OnnxError) {
      throw new DeployError(
        'LEPTON_NOT_EXPORTABLE',
        `Cannot deploy "${name}": the model cannot be exported to ONNX. ${error.message}`,
        { cause: error },
      );
    }
    throw error;
  }
  if (bytes) return bytes;
  throw new DeployError(
    'LEPTON_NOT_EXPORTABLE',
    `Cannot deploy "${name}": expected a tf.LayersModel or ONNX bytes (a Uint8Array or an object with a Uint8Array \`data\`).`,
  );
}

/** The default deployment name for `model`: its tfjs name, made safe for the server. */
export function defaultName(model: Deployable): string | undefined {
  if (model instanceof GradientBoosting) return 'gradient-boosting';
  if (!(model instanceof tf.LayersModel)) return undefined;
  return (
    model.name
      .replace(/[^A-Za-z0-9_.-]/g, '-')
      .replace(/^[^A-Za-z0-9]+/, '')
      .slice(0, 64) || undefined
  );
}

/**
 * The symbol of objects that deploy as a model together with its preprocessing (`lepton.automl`'s `result.best`):
 * `lepton.deploy(obj)` calls it and deploys the bundle's model with its transforms, features and classes.
 */
export const deployBundleSymbol: unique symbol = Symbol.for('lepton.deployBundle') as never;

/** A model with what the server needs to take raw records for it. */
export interface DeployBundle {
  /** The model (a tfjs model or ONNX bytes). */
  model: Deployable;
  /** The deployment's default name. */
  name?: string;
  /** Fitted `lepton.preprocess` transforms, applied by the server to raw records. */
  transforms?: unknown[];
  /** The model input's columns after the transforms, in order. */
  features?: string[];
  /** The class names in output order. */
  classes?: string[];
}

/** Something that deploys as a bundle (see `deployBundleSymbol`). */
export interface DeployBundleSource {
  /** The bundle to deploy. */
  [deployBundleSymbol](): DeployBundle | Promise<DeployBundle>;
}

/** Whether `value` deploys as a bundle. */
export function isDeployBundleSource(value: unknown): value is DeployBundleSource {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Partial<DeployBundleSource>)[deployBundleSymbol] === 'function'
  );
}
