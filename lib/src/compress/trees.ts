/**
 * What compression means for tree ensembles (`lepton.models.gradientBoosting`): the float model is measured like
 * any other variant (its ONNX TreeEnsemble file, accuracy, latency), while the weight compressions say why they do
 * not apply instead of failing.
 */
import { isTreeEnsembleSource, type TreeEnsembleSource } from '../export/onnx.js';
import { CompressError } from './errors.js';

/** A compression that does not apply to a model, and why. */
export interface NotApplicable {
  /** The variant the compression would have made (`int8`, `pruned`). */
  variant: string;
  /** The verb that makes it. */
  verb: 'compress.quantize' | 'compress.prune';
  /** Why it does not apply, and what to do instead. */
  reason: string;
}

/** Whether `model` is a gradient-boosting model (its variants are its ONNX tree ensemble). */
export function isTreeModel(model: unknown): model is TreeEnsembleSource {
  return isTreeEnsembleSource(model);
}

/** The compressions of `compress` that do not apply to tree ensembles, with the reasons shown in reports. */
export function treeNotApplicable(): NotApplicable[] {
  return [
    {
      variant: 'int8',
      verb: 'compress.quantize',
      reason:
        'not applicable to trees: a tree ensemble holds split thresholds and leaf values that are compared and added, not weights of matrix products; ' +
        'int8 thresholds would move rows across splits, and ONNX TreeEnsemble has no int8 form. Fewer or shallower trees (trees, leaves) make a smaller, faster model.',
    },
    {
      variant: 'pruned',
      verb: 'compress.prune',
      reason:
        'not applicable to trees: pruning zeroes small weights of dense and convolution layers, and trees have none. ' +
        'Fit with fewer leaves or trees, or early stopping, for a smaller model.',
    },
  ];
}

/** The error a weight compression raises for a tree model: the reason from `treeNotApplicable`. */
export function treeUnsupported(verb: NotApplicable['verb']): CompressError {
  const entry = treeNotApplicable().find((n) => n.verb === verb)!;
  return new CompressError('LEPTON_COMPRESS_UNSUPPORTED', `${verb} on a gradient-boosting model: ${entry.reason}`);
}

/** Checks a tree model can be scored by a report (accuracy needs a fitted classifier). */
export function assertReportableTree(model: TreeEnsembleSource, name: string): void {
  if (!model.fitted)
    throw new CompressError(
      'LEPTON_COMPRESS_BAD_INPUT',
      `report: variant "${name}" is a gradient-boosting model that is not fitted; call fit(df, target) first.`,
    );
  if (model.classes.length === 0) {
    throw new CompressError(
      'LEPTON_COMPRESS_UNSUPPORTED',
      `report: variant "${name}" is a regression model; the report scores accuracy, so it compares classifiers (use lepton.evaluate for a regression's error).`,
    );
  }
}
