/**
 * Model explanations (`lepton.explain`): permutation importance and partial dependence of tabular TensorFlow.js
 * models, and saliency maps of image models.
 * @packageDocumentation
 */
export {
  permutationImportance,
  PermutationImportance,
  type FeatureImportance,
  type PermutationOptions,
  type TabularModel,
} from './permutation.js';
export {
  partialDependence,
  PartialDependence,
  type FrameTransform,
  type GridValue,
  type PartialDependenceOptions,
} from './partial-dependence.js';
export { saliency, Saliency, type SaliencyMethod, type SaliencyOptions } from './saliency.js';
export type { DatasetSaliencyOptions } from './saliency.js';
export { tokens, TokenExplanation, type TokenContribution, type TokensOptions } from './tokens.js';
