// The penguins pipeline the export and Ray tests deploy and export: raw records with missing measurements and sexes,
// the transforms that fill, scale and encode them, and a small seeded classifier over the features they make.
import * as tf from '@tensorflow/tfjs';
import * as lepton from '@lepton/lib';

/** The penguins measurements (numbers, some missing). */
export const PENGUIN_MEASUREMENTS = ['Beak Length (mm)', 'Beak Depth (mm)', 'Flipper Length (mm)', 'Body Mass (g)'];

/** The penguins, their fitted transforms and the 10 features the transforms make. */
export interface PenguinsPreprocessing {
  penguins: lepton.DataFrame;
  prep: lepton.preprocess.Pipeline;
  features: string[];
}

/**
 * Median imputer and scaler on the measurements, most-frequent imputer on Sex, oneHot of Island and Sex, fitted on
 * every penguin.
 */
export function penguinsPreprocessing(): PenguinsPreprocessing {
  const penguins = lepton.datasets.penguins();
  const prep = lepton.preprocess
    .pipeline([
      lepton.preprocess.imputer({ strategy: 'median', columns: PENGUIN_MEASUREMENTS }),
      lepton.preprocess.standardScaler({ columns: PENGUIN_MEASUREMENTS }),
      lepton.preprocess.imputer({ strategy: 'most-frequent', columns: ['Sex'] }),
      lepton.preprocess.oneHot({ columns: ['Island', 'Sex'] }),
    ])
    .fit(penguins);
  const features = [
    ...PENGUIN_MEASUREMENTS,
    'Island_Biscoe',
    'Island_Dream',
    'Island_Torgersen',
    'Sex_.',
    'Sex_FEMALE',
    'Sex_MALE',
  ];
  return { penguins, prep, features };
}

/** A seeded MLP over `features` with three classes (on the current backend: set it first). */
export function penguinsClassifier(features: readonly string[]): tf.Sequential {
  return tf.sequential({
    layers: [
      tf.layers.dense({
        inputShape: [features.length],
        units: 8,
        activation: 'relu',
        kernelInitializer: tf.initializers.glorotUniform({ seed: 5 }),
      }),
      tf.layers.dense({
        units: 3,
        activation: 'softmax',
        kernelInitializer: tf.initializers.glorotUniform({ seed: 6 }),
      }),
    ],
  });
}
