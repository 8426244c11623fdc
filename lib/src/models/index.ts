/** Ready-made architectures (tfjs models, compiled by `lepton.fit` or by you): MLP, CNN, LSTM and transformer. */
export { cnn, type CnnOptions } from './cnn.js';
export { fineTune, type FineTuneOptions } from './fine-tune.js';
export { resnet, type ResnetOptions } from './resnet.js';
export { lossFor, type Head } from './head.js';
export { linear, type LinearOptions } from './linear.js';
export { lstm, type LstmOptions } from './lstm.js';
export { mlp, type MlpOptions } from './mlp.js';
export { transformer, type TransformerOptions } from './transformer.js';
export { embeddingBag, type EmbeddingBagOptions } from './embedding-bag.js';
export type { TextInputOptions, VectorizerShape } from './text-input.js';
export {
  gradientBoosting,
  GradientBoosting,
  GradientBoostingError,
  type GradientBoostingOptions,
  type GradientBoostingEarlyStopping,
  type GradientBoostingErrorCode,
  type GbmFeatureImportance,
  type GbmState,
  type GradientBoostingJSON,
  type TreeJSON,
  type Tree,
  type Label,
  type LossKind,
  type GbmSummary,
  type GradientBoostingOptionsJSON,
  type GbmStateJSON,
} from './gradient-boosting/index.js';
