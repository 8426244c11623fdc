/**
 * Preprocessing (`lepton.preprocess`): fit/transform objects that serialize to JSON, train/test splits and
 * seeded image augmentation.
 * @packageDocumentation
 */
export { fromJSON, registerTransform, Transform, type TransformJSON } from './transform.js';
export {
  minMaxScaler,
  MinMaxScaler,
  standardScaler,
  StandardScaler,
  type MinMaxOptions,
  type MinMaxState,
  type ScalerOptions,
  type StandardState,
} from './scalers.js';
export {
  labelEncoder,
  LabelEncoder,
  oneHot,
  OneHot,
  type Category,
  type LabelEncoderOptions,
  type LabelState,
  type OneHotOptions,
  type OneHotState,
} from './encoders.js';
export { imputer, Imputer, type ImputeStrategy, type ImputerOptions, type ImputerState } from './imputer.js';
export { pipeline, Pipeline, type PipelineState } from './pipeline.js';
export { splitIndices, trainTestSplit, type Split, type SplitIndices, type SplitOptions } from './split.js';
export {
  augmenter,
  crop,
  flip,
  noise,
  rotate,
  shift,
  zoom,
  type AugmenterSteps,
  type AugmentOptions,
  type CropOptions,
  type FlipOptions,
  type NoiseOptions,
  type RotateOptions,
  type ShiftOptions,
  type ZoomOptions,
} from './augment.js';
export {
  dateFeatures,
  DateFeatures,
  type DateFeature,
  type DateFeaturesOptions,
  type DateFeaturesState,
} from './date-features.js';
export {
  windows,
  windowDataset,
  type WindowOptions,
  type WindowDatasetOptions,
  type WindowSpec,
  type Windows,
} from './windows.js';
export { brightness, contrast, type BrightnessOptions, type ContrastOptions } from './augment.js';
export {
  textVectorizer,
  TextVectorizer,
  type OutputMode,
  type TextState,
  type TextVectorizerOptions,
  type VectorizedRows,
} from './text-vectorizer.js';
