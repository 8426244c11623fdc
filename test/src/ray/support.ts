// What the Ray tests share: the Ray environment, or undefined with the reason to skip (a failure under CI, where
// .ci/run makes the environment).
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import * as lepton from '@lepton/lib';

/** Why the Ray tests skip outside CI. */
export const MISSING = 'Ray is not installed (.venv-ray): run `node kernel/bin/lepton.js setup --ray`';

/** The Ray environment, or undefined (outside CI) when it is missing. */
export function rayEnvironment(): lepton.RayEnvironment | undefined {
  if (lepton.hasRayEnvironment()) return lepton.rayEnvironment();
  if (process.env.CI === 'true') assert.fail(`${MISSING}; .ci/run makes it, so under CI this is a failure.`);
  return undefined;
}

/** The penguins measurements (numbers, some missing). */
export const NUMERIC = ['Beak Length (mm)', 'Beak Depth (mm)', 'Flipper Length (mm)', 'Body Mass (g)'];

/**
 * The penguins pipeline the Ray tests deploy: median imputer and scaler on the measurements, most-frequent imputer
 * on Sex, oneHot of Island and Sex, in front of a seeded MLP over the 10 features they make.
 */
export function penguinsPipeline(): { penguins: lepton.DataFrame; transforms: unknown[]; features: string[]; model: tf.LayersModel } {
  const penguins = lepton.datasets.penguins();
  const prep = lepton.preprocess.pipeline([
    lepton.preprocess.imputer({ strategy: 'median', columns: NUMERIC }),
    lepton.preprocess.standardScaler({ columns: NUMERIC }),
    lepton.preprocess.imputer({ strategy: 'most-frequent', columns: ['Sex'] }),
    lepton.preprocess.oneHot({ columns: ['Island', 'Sex'] }),
  ]).fit(penguins);
  const features = [...NUMERIC, 'Island_Biscoe', 'Island_Dream', 'Island_Torgersen', 'Sex_.', 'Sex_FEMALE', 'Sex_MALE'];
  const model = tf.sequential({ layers: [
    tf.layers.dense({ inputShape: [features.length], units: 8, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 5 }) }),
    tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 6 }) }),
  ] });
  return { penguins, transforms: [prep], features, model };
}
