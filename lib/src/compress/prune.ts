/**
 * `lepton.compress.prune(model, opts)`: magnitude pruning. The smallest weights of each Dense/Conv kernel are set to
 * zero (per layer, to the target sparsity), optionally ramping up on a polynomial schedule while the model
 * fine-tunes; masks are re-applied after every batch so pruned weights stay zero. The zeros cost as much as any
 * float in the `.onnx` file, but they gzip away: at 80% sparsity the compressed file is about a third of the dense one.
 */
import * as tf from '@tensorflow/tfjs';
import { displaySymbol, type MimeBundle } from '../display/mime.js';
import { fit } from '../train/fit.js';
import type { History } from '../train/history.js';
import { CompressError } from './errors.js';
import {
  checkCount,
  checkLabelledData,
  checkLayersModel,
  copyModel,
  lossFor,
  outputWidth,
  type LabelledData,
} from './keras-model.js';
import { isTreeModel, treeUnsupported } from './trees.js';

/** Fine-tuning while pruning: the data and how long to train on it. */
export interface PruneFineTune {
  /** Labelled training data. */
  data: LabelledData;
  /** Passes over the data (≥ 1). */
  epochs: number;
  /** Samples per step (default 32). */
  batchSize?: number;
  /** Loss (default: crossentropy that suits the labels and the output). */
  loss?: string;
  /** Optimizer name or instance (default `adam`). */
  optimizer?: string | tf.Optimizer;
  /** Seed of shuffling (default: random). */
  seed?: number;
  /** Show the live training chart (default true). */
  live?: boolean;
}

/** Options of `compress.prune`. */
export interface PruneOptions {
  /** The fraction of each kernel's weights set to zero, in (0, 1), e.g. 0.8. */
  sparsity: number;
  /**
   * `polynomial` (default with fine-tuning): sparsity rises from 0 to the target as s·(1 − (1 − t)³) over the first
   * three quarters of fine-tuning steps, then holds, so the network adapts gradually (Zhu & Gupta, 2017).
   * `constant`: the target sparsity from the first step.
   */
  schedule?: 'polynomial' | 'constant';
  /** Fine-tune while pruning (recommended: one-shot pruning to high sparsity loses accuracy). */
  fineTune?: PruneFineTune;
}

/** The sparsity of one pruned weight tensor. */
export interface LayerSparsity {
  /** The layer's name. */
  layer: string;
  /** The weight's name (e.g. `dense_Dense1/kernel`). */
  weight: string;
  /** Its number of values. */
  size: number;
  /** The fraction of them that are exactly zero. */
  sparsity: number;
}

/** A pruned model: a copy of the original with zeros where the smallest weights were, and its real sparsity. */
export class PruneResult {
  /** The pruned model (the original is left as it was). */
  readonly model: tf.LayersModel;
  /** The asked sparsity. */
  readonly target: number;
  /** Real sparsity of each pruned kernel, measured on the final weights. */
  readonly layers: LayerSparsity[];
  /** Fine-tuning's History, when the model was fine-tuned. */
  readonly history: History | undefined;

  constructor(model: tf.LayersModel, target: number, layers: LayerSparsity[], history: History | undefined) {
    this.model = model;
    this.target = target;
    this.layers = layers;
    this.history = history;
  }

  /** Real sparsity per layer name (layers with several kernels: the weighted mean). */
  get sparsity(): Record<string, number> {
    const sums = new Map<string, { zeros: number; size: number }>();
    for (const l of this.layers) {
      const s = sums.get(l.layer) ?? { zeros: 0, size: 0 };
      s.zeros += l.sparsity * l.size;
      s.size += l.size;
      sums.set(l.layer, s);
    }
    return Object.fromEntries([...sums].map(([name, s]) => [name, s.zeros / s.size]));
  }

  /** The fraction of zeros over all pruned kernels. */
  get overall(): number {
    const size = this.layers.reduce((a, l) => a + l.size, 0);
    return size === 0 ? 0 : this.layers.reduce((a, l) => a + l.sparsity * l.size, 0) / size;
  }

  /** One line per pruned weight. */
  toString(): string {
    const lines = this.layers.map((l) => `  ${l.weight}: ${(l.sparsity * 100).toFixed(1)}% of ${l.size} zero`);
    return `Pruned to ${(this.target * 100).toFixed(0)}% (overall ${(this.overall * 100).toFixed(1)}%):\n${lines.join('\n')}`;
  }

  /** A small table in notebooks. */
  [displaySymbol](): MimeBundle {
    const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
    const rows = this.layers
      .map((l) => `<tr><td>${esc(l.weight)}</td><td>${l.size}</td><td>${(l.sparsity * 100).toFixed(1)}%</td></tr>`)
      .join('');
    return {
      'text/plain': this.toString(),
      'text/html':
        `<table><thead><tr><th>weight</th><th>values</th><th>zeros</th></tr></thead><tbody>${rows}</tbody>` +
        `<tfoot><tr><td>all pruned kernels (target ${(this.target * 100).toFixed(0)}%)</td><td>${this.layers.reduce((a, l) => a + l.size, 0)}</td><td>${(this.overall * 100).toFixed(1)}%</td></tr></tfoot></table>`,
    };
  }
}

interface Prunable {
  layer: string;
  variable: tf.LayerVariable;
  mask: tf.Tensor | undefined;
}

/** The kernels of Dense and convolution layers (weights named `...kernel`, rank ≥ 2). */
function prunables(model: tf.LayersModel): Prunable[] {
  return model.layers.flatMap((layer) =>
    layer.trainableWeights
      .filter((w) => /kernel$/.test(w.originalName) && w.shape.length >= 2)
      .map((variable) => ({ layer: layer.name, variable, mask: undefined })),
  );
}

/** A 0/1 mask zeroing exactly round(sparsity·n) of the smallest-magnitude values of `values`. */
export function magnitudeMask(values: Float32Array, sparsity: number): Float32Array {
  const k = Math.round(sparsity * values.length);
  const mask = new Float32Array(values.length).fill(1);
  if (k <= 0) return mask;
  const order = Array.from(values.keys()).sort((a, b) => Math.abs(values[a]!) - Math.abs(values[b]!));
  for (let i = 0; i < k && i < order.length; i++) mask[order[i]!] = 0;
  return mask;
}

function updateMasks(items: Prunable[], sparsity: number): void {
  for (const item of items) {
    const values = item.variable.read().dataSync() as Float32Array;
    tf.dispose(item.mask);
    item.mask = tf.keep(tf.tensor(magnitudeMask(values, sparsity), item.variable.read().shape, 'float32'));
  }
}

function applyMasks(items: Prunable[]): void {
  tf.tidy(() => {
    for (const item of items) if (item.mask) item.variable.write(tf.mul(item.variable.read(), item.mask));
  });
}

/** The polynomial schedule: the sparsity after `step` of `total` steps. */
export function polynomialSparsity(target: number, step: number, total: number): number {
  const end = Math.max(1, Math.floor(total * 0.75));
  const t = Math.min(1, step / end);
  return target * (1 - (1 - t) ** 3);
}

/**
 * Prunes a model by weight magnitude: in each Dense and convolution kernel, the given fraction of smallest |w| become
 * zero (biases, normalization and other weights are kept). With `fineTune`, the model trains with `lepton.fit`
 * while the sparsity ramps up (polynomial schedule) and a callback re-applies the masks after every batch; without
 * it, pruning is one shot. The original model is not changed.
 * @param model a tfjs LayersModel
 * @param opts target sparsity, schedule, fine-tuning data
 * @returns the pruned copy and its real sparsity per layer, shown as a table
 * @example const pruned = await lepton.compress.prune(model, { sparsity: 0.8, fineTune: { data: { x, y }, epochs: 1 } })
 */
export async function prune(model: tf.LayersModel, opts: PruneOptions): Promise<PruneResult> {
  if (isTreeModel(model)) throw treeUnsupported('compress.prune');
  checkLayersModel(model, 'prune: the model');
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a guard for callers without type checking (JavaScript, notebook cells); the type says it cannot happen, the runtime may
  const target = opts?.sparsity;
  if (!(typeof target === 'number' && target > 0 && target < 1)) {
    throw new CompressError(
      'LEPTON_COMPRESS_BAD_INPUT',
      `sparsity must be a number in (0, 1), e.g. 0.8 for 80% zeros (got ${String(target)}).`,
    );
  }
  const schedule = opts.schedule ?? (opts.fineTune ? 'polynomial' : 'constant');
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a guard for callers without type checking (JavaScript, notebook cells); the type says it cannot happen, the runtime may
  if (schedule !== 'polynomial' && schedule !== 'constant') {
    throw new CompressError(
      'LEPTON_COMPRESS_BAD_INPUT',
      `schedule must be 'polynomial' or 'constant' (got ${JSON.stringify(schedule)}).`,
    );
  }
  const tune = opts.fineTune;
  if (tune !== undefined) {
    checkLabelledData(tune.data, 'prune: fineTune.data');
    checkCount(tune.epochs, 'prune: fineTune.epochs');
    if (tune.batchSize !== undefined) checkCount(tune.batchSize, 'prune: fineTune.batchSize');
  } else if (opts.schedule === 'polynomial') {
    throw new CompressError(
      'LEPTON_COMPRESS_BAD_INPUT',
      "The polynomial schedule ramps sparsity up while fine-tuning: pass fineTune: { data, epochs }, or use schedule: 'constant'.",
    );
  }

  const pruned = await copyModel(model);
  const items = prunables(pruned);
  if (items.length === 0)
    throw new CompressError('LEPTON_COMPRESS_UNSUPPORTED', 'The model has no Dense or convolution kernels to prune.');
  let history: History | undefined;
  try {
    if (tune === undefined) {
      updateMasks(items, target);
      applyMasks(items);
    } else {
      const batchSize = tune.batchSize ?? 32;
      const total = tune.epochs * Math.ceil(tune.data.x.shape[0] / batchSize);
      // Masks are recomputed from the current magnitudes ~20 times during the ramp, and re-applied after every batch.
      const every = Math.max(1, Math.floor(total / 20));
      let step = 0;
      let current = schedule === 'constant' ? target : 0;
      if (schedule === 'constant') {
        updateMasks(items, target);
        applyMasks(items);
      }
      history = await fit(pruned, tune.data, {
        epochs: tune.epochs,
        batchSize,
        loss: tune.loss ?? lossFor(tune.data.y, outputWidth(pruned)),
        optimizer: tune.optimizer ?? 'adam',
        ...(tune.seed === undefined ? {} : { seed: tune.seed }),
        live: tune.live ?? true,
        callbacks: {
          onBatchEnd: () => {
            step++;
            if (schedule === 'polynomial' && current < target && (step % every === 0 || step >= total)) {
              current = polynomialSparsity(target, step, total);
              updateMasks(items, current);
            }
            applyMasks(items);
          },
        },
      });
      // An interrupted or short run still ends at the target sparsity.
      if (current < target) {
        updateMasks(items, target);
        applyMasks(items);
      }
    }
  } finally {
    for (const item of items) tf.dispose(item.mask);
  }
  const layers = items.map((item) => {
    const values = item.variable.read().dataSync();
    let zeros = 0;
    for (const v of values) if (v === 0) zeros++;
    return {
      layer: item.layer,
      weight: item.variable.originalName,
      size: values.length,
      sparsity: zeros / values.length,
    };
  });
  return new PruneResult(pruned, target, layers, history);
}
