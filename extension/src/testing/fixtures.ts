/** Data for the views' unit tests. */
import type { TrainingBundle } from '../training/series.js';

/** A bundle as `lepton.fit` writes it: `epochs` finished epochs of `batches` batches each. */
export function bundle(
  epochs: number,
  batches: number,
  options: { validation?: boolean; status?: TrainingBundle['status']; planned?: number } = {},
): TrainingBundle {
  const loss = (step: number) => 1 / (1 + step);
  return {
    version: 1,
    runId: 'run-test',
    status: options.status ?? 'running',
    message: null,
    model: { name: 'mlp', params: 259 },
    backend: 'wasm',
    metrics: ['loss', 'acc', ...(options.validation ? ['val_loss', 'val_acc'] : [])],
    progress: {
      epoch: Math.max(1, epochs),
      epochs: options.planned ?? 10,
      batch: batches,
      batches,
      samples: epochs * batches * 8,
      elapsedS: 2,
      etaS: 3,
      samplesPerS: 900,
    },
    batches: Array.from({ length: epochs * batches }, (_, i) => ({
      step: (i + 1) / batches,
      epoch: Math.floor(i / batches) + 1,
      batch: (i % batches) + 1,
      logs: { loss: loss((i + 1) / batches), acc: 0.5 },
    })),
    epochs: Array.from({ length: epochs }, (_, e) => ({
      epoch: e + 1,
      seconds: 0.5,
      logs: {
        loss: loss(e + 1),
        acc: 0.5 + e / 100,
        ...(options.validation ? { val_loss: Math.abs(e + 1 - 3) + 0.1, val_acc: 0.6 } : {}),
      },
    })),
    batchesDropped: 0,
  };
}
