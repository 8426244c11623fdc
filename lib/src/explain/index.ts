/**
 * Model explanations (`lepton.explain`): permutation importance of tabular TensorFlow.js models.
 * @packageDocumentation
 */
export { permutationImportance, PermutationImportance, type FeatureImportance, type PermutationOptions, type TabularModel } from './permutation.js';
