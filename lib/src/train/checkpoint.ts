import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { writeFileAtomic } from '../core/atomic-write.js';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { TrainError } from './errors.js';

/** What a checkpoint records beside the weights (in model.json's `userDefinedMetadata.lepton`). */
export interface CheckpointMeta {
  /** The 1-based epoch whose weights were saved. */
  epoch: number;
  /** The monitored quantity (e.g. `val_loss`) and its value at that epoch. */
  monitor: string;
  value: number;
}

/**
 * Saves the model (topology and weights) in TensorFlow.js's file layout — `DIR/model.json` plus a weights file —
 * atomically: the weights go to a new file first, then model.json is replaced by a rename, so a crash leaves
 * either the old checkpoint or the new one, never a mix. Loadable with `tf.loadLayersModel('file://DIR/model.json')`
 * (tfjs-node) or `loadCheckpoint`.
 */
export async function saveCheckpoint(model: tf.LayersModel, dir: string, meta: CheckpointMeta): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const weightsFile = `weights-${meta.epoch}-${Date.now()}.bin`;
  await model.save(
    // The handler writes synchronously; tfjs wants a promise back.
    tf.io.withSaveHandler((artifacts) => {
      const data = artifacts.weightData;
      const buffers = data === undefined ? [] : Array.isArray(data) ? data : [data];
      writeFileAtomic(join(dir, weightsFile), Buffer.concat(buffers.map((b) => Buffer.from(b))));
      const json = {
        modelTopology: artifacts.modelTopology,
        format: 'layers-model',
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy ?? null,
        trainingConfig: artifacts.trainingConfig,
        weightsManifest: [{ paths: [weightsFile], weights: artifacts.weightSpecs }],
        userDefinedMetadata: { lepton: meta },
      };
      // model.json is the commit point: it names the new weights only once they are on disk.
      writeFileAtomic(join(dir, 'model.json'), JSON.stringify(json));
      for (const old of readdirSync(dir))
        if (old.startsWith('weights-') && old !== weightsFile) rmSync(join(dir, old), { force: true });
      return Promise.resolve({ modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } });
    }),
  );
}

/**
 * Loads a checkpoint's weights into `model` (matched by order and shape, since tfjs numbers layer names per
 * session), and returns what it recorded; null when `dir` holds no checkpoint.
 */
export function loadCheckpoint(model: tf.LayersModel, dir: string): CheckpointMeta | null {
  const file = join(dir, 'model.json');
  if (!existsSync(file)) return null;
  const json: unknown = JSON.parse(readFileSync(file, 'utf8'));
  const manifest = firstWeightsGroup(json);
  if (!manifest)
    throw new TrainError(
      'LEPTON_TRAIN_BAD_CHECKPOINT',
      `${file} has no weightsManifest: it is not a tfjs layers-model checkpoint.`,
    );
  const bytes = readFileSync(join(dir, manifest.path));
  const named = tf.io.decodeWeights(
    bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
    manifest.weights,
  );
  const saved = manifest.weights.map((w) => named[w.name]!);
  const weights = model.weights;
  const mismatch = saved.length !== weights.length || saved.some((t, i) => t.shape.join() !== weights[i]!.shape.join());
  if (mismatch) {
    tf.dispose(saved);
    throw new TrainError(
      'LEPTON_TRAIN_BAD_CHECKPOINT',
      `The checkpoint in ${dir} does not fit this model: it has ${saved.length} weights (${saved.map((t) => `[${t.shape.join(',')}]`).join(' ')}), the model ${weights.length} (${weights.map((w) => `[${w.shape.join(',')}]`).join(' ')}). ` +
        'Delete the folder or choose another checkpoint path to start afresh.',
    );
  }
  model.setWeights(saved);
  tf.dispose(saved);
  return leptonMeta(json) ?? { epoch: 0, monitor: 'loss', value: NaN };
}

/** The first weights group of a parsed model.json (file and specs), or undefined when it has none. */
function firstWeightsGroup(json: unknown): { path: string; weights: tf.io.WeightsManifestEntry[] } | undefined {
  if (typeof json !== 'object' || json === null || !('weightsManifest' in json)) return undefined;
  const groups: unknown = json.weightsManifest;
  const first: unknown = Array.isArray(groups) ? groups[0] : undefined;
  if (typeof first !== 'object' || first === null || !('paths' in first) || !('weights' in first)) return undefined;
  const path: unknown = Array.isArray(first.paths) ? first.paths[0] : undefined;
  if (typeof path !== 'string' || !Array.isArray(first.weights)) return undefined;
  // tfjs wrote the specs itself (saveCheckpoint); decodeWeights checks them against the bytes.
  return { path, weights: first.weights as tf.io.WeightsManifestEntry[] };
}

/** What saveCheckpoint recorded in model.json's userDefinedMetadata, if anything. */
function leptonMeta(json: unknown): CheckpointMeta | undefined {
  if (typeof json !== 'object' || json === null || !('userDefinedMetadata' in json)) return undefined;
  const metadata: unknown = json.userDefinedMetadata;
  if (typeof metadata !== 'object' || metadata === null || !('lepton' in metadata)) return undefined;
  // saveCheckpoint wrote it from a CheckpointMeta.
  return metadata.lepton as CheckpointMeta;
}
