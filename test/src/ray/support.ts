// What the Ray tests share: the Ray environment, or undefined with the reason to skip (a failure under CI, where
// .ci/run makes the environment).
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import * as lepton from '@lepton/lib';
import { penguinsClassifier, penguinsPreprocessing } from '../support/penguins-pipeline.js';

/** Why the Ray tests skip outside CI. */
export const MISSING = 'Ray is not installed (.venv-ray): run `node kernel/bin/lepton.js setup --ray`';

/** The Ray environment, or undefined (outside CI) when it is missing. */
export function rayEnvironment(): lepton.RayEnvironment | undefined {
  if (lepton.hasRayEnvironment()) return lepton.rayEnvironment();
  if (process.env.CI === 'true') assert.fail(`${MISSING}; .ci/run makes it, so under CI this is a failure.`);
  return undefined;
}

/**
 * The penguins pipeline the Ray tests deploy: the shared penguins transforms (test/src/support/penguins-pipeline.ts) in
 * front of their seeded MLP.
 */
export function penguinsPipeline(): {
  penguins: lepton.DataFrame;
  transforms: unknown[];
  features: string[];
  model: tf.LayersModel;
} {
  const { penguins, prep, features } = penguinsPreprocessing();
  return { penguins, transforms: [prep], features, model: penguinsClassifier(features) };
}
