/**
 * Preprocessing (`lepton.preprocess`): fit/transform objects that serialize to JSON, train/test splits and
 * seeded image augmentation.
 * @packageDocumentation
 */
export { fromJSON, registerTransform, Transform, type TransformJSON } from './transform.js';
export { minMaxScaler, MinMaxScaler, standardScaler, StandardScaler, type MinMaxOptions, type ScalerOptions } from './scalers.js';
export { labelEncoder, LabelEncoder, oneHot, OneHot, type Category, type LabelEncoderOptions, type OneHotOptions } from './encoders.js';
export { imputer, Imputer, type ImputeStrategy, type ImputerOptions } from './imputer.js';
export { pipeline, Pipeline } from './pipeline.js';
export { splitIndices, trainTestSplit, type SplitIndices, type SplitOptions } from './split.js';
export { augmenter, crop, flip, noise, rotate, shift, zoom, type AugmenterSteps, type AugmentOptions } from './augment.js';
