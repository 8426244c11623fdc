/**
 * The MLP family: a multi-layer perceptron (`lepton.models.mlp`) on scaled inputs, tuned over width, depth,
 * dropout, learning rate and epochs.
 */
import { mlp } from '../../models/mlp.js';
import { choice, float, int } from '../../tune/space.js';
import type { Family } from './family.js';
import { batchFor } from './linear.js';
import { NetworkModel } from './network.js';

/** A multi-layer perceptron. */
export const mlpFamily: Family = {
  name: 'mlp',
  scale: true,
  space: (_task, rows) => ({
    units: choice([16, 32, 64, 128]),
    layers: int(1, 3),
    dropout: float(0, 0.4),
    learningRate: float(1e-4, 3e-2, { log: true }),
    epochs: rows > 20_000 ? int(2, 8) : int(20, 100),
  }),
  defaults: (_task, rows) => ({
    units: 64,
    layers: 2,
    dropout: 0.1,
    learningRate: 3e-3,
    epochs: rows > 20_000 ? 3 : 50,
  }),
  create: (params, context) => {
    const hidden = new Array<number>(params.layers as number).fill(params.units as number);
    const head = context.task === 'classification' ? { classes: context.classes } : { outputs: 1 };
    const model = mlp({
      inputs: context.inputs,
      hidden,
      dropout: params.dropout as number,
      seed: context.seed,
      name: 'automl_mlp',
      ...head,
    });
    return new NetworkModel(model, context, {
      epochs: params.epochs as number,
      batchSize: batchFor(context.rows),
      learningRate: params.learningRate as number,
    });
  },
};
