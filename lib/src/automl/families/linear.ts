/**
 * The linear family: linear regression, or logistic regression for classes (`lepton.models.linear`), on scaled
 * inputs, tuned over the learning rate and the number of epochs.
 */
import { linear } from '../../models/linear.js';
import { choice, float, int } from '../../tune/space.js';
import type { Family } from './family.js';
import { NetworkModel } from './network.js';

/** Batch size by training rows: small data takes small steps, large data large ones (fewer steps per epoch). */
export const batchFor = (rows: number) => (rows > 20_000 ? 512 : rows > 2_000 ? 128 : 32);

/** Linear or logistic regression. */
export const linearFamily: Family = {
  name: 'linear',
  scale: true,
  space: (_task, rows) => ({
    learningRate: float(1e-3, 0.3, { log: true }),
    epochs: rows > 20_000 ? int(2, 8) : int(10, 60),
    batchSize: choice([batchFor(rows), batchFor(rows) * 2]),
  }),
  defaults: (_task, rows) => ({ learningRate: 0.03, epochs: rows > 20_000 ? 3 : 30, batchSize: batchFor(rows) }),
  create: (params, context) => {
    const model = linear({
      inputs: context.inputs,
      task: context.task,
      outputs: context.task === 'classification' ? context.classes : 1,
      seed: context.seed,
      name: 'automl_linear',
    });
    return new NetworkModel(model, context, {
      epochs: params.epochs as number,
      batchSize: params.batchSize as number,
      learningRate: params.learningRate as number,
    });
  },
};
