import * as tf from '@tensorflow/tfjs';
import { displaySymbol, type MimeBundle } from '../display/mime.js';
import { formatBytes } from '../display/units.js';
import { modelId } from './model-ids.js';
import { historyOf } from './history.js';
import { MODEL_MIME } from '../contract/mime.js';

/** The MIME type of a model summary. */
export const modelMimeType = MODEL_MIME;

export type { LayerSummary, ModelSummaryJson } from '../contract/bundles.js';
import type { LayerSummary, ModelSummaryJson } from '../contract/bundles.js';

const shapeText = (shape: unknown): string =>
  Array.isArray(shape) && Array.isArray(shape[0])
    ? (shape as unknown[]).map(shapeText).join(', ')
    : `(${(shape as (number | null)[]).map((d) => (d === null ? 'None' : d)).join(', ')})`;

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A model's layers, output shapes, parameter counts and size; displays as a table. */
export class ModelSummary {
  /** @param json the summary's data */
  constructor(readonly json: ModelSummaryJson) {}

  /** Keras-style text table. */
  toString(): string {
    const rows = this.json.layers.map((l) => [
      `${l.name} (${l.type})`,
      shapeText(l.outputShape),
      l.params.toLocaleString('en-US'),
    ]);
    const header = ['Layer (type)', 'Output shape', 'Param #'];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    const line = (cells: string[]) =>
      cells.map((c, i) => (i === 2 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('   ');
    const j = this.json;
    return [
      `Model: ${j.name}`,
      line(header),
      widths.map((w) => '─'.repeat(w)).join('   '),
      ...rows.map(line),
      `Total params: ${j.params.toLocaleString('en-US')} (${formatBytes(j.bytes)}) · trainable ${j.trainableParams.toLocaleString('en-US')} · non-trainable ${(j.params - j.trainableParams).toLocaleString('en-US')}`,
      j.compiled
        ? `Compiled: loss ${j.compiled.loss}, optimizer ${j.compiled.optimizer}${j.compiled.metrics.length ? `, metrics ${j.compiled.metrics.join(', ')}` : ''}`
        : 'Not compiled',
      ...(j.metrics
        ? [
            `Last epoch: ${Object.entries(j.metrics)
              .map(([k, v]) => `${k} ${v.toPrecision(4)}`)
              .join(', ')}`,
          ]
        : []),
    ].join('\n');
  }

  /** HTML table, the JSON bundle and the text table. */
  [displaySymbol](): MimeBundle {
    const j = this.json;
    const rows = j.layers
      .map(
        (l) =>
          `<tr><td>${escapeHtml(l.name)}</td><td>${l.type}</td><td>${shapeText(l.outputShape)}</td><td style="text-align:right">${l.params.toLocaleString('en-US')}</td></tr>`,
      )
      .join('');
    return {
      [modelMimeType]: j,
      'text/html':
        `<div><b>${escapeHtml(j.name)}</b> — ${j.params.toLocaleString('en-US')} parameters (${formatBytes(j.bytes)})` +
        `<table><thead><tr><th>layer</th><th>type</th><th>output shape</th><th>params</th></tr></thead><tbody>${rows}</tbody></table></div>`,
      'text/plain': this.toString(),
    };
  }
}

function lossText(loss: unknown): string {
  if (Array.isArray(loss)) return loss.map(lossText).join(', ');
  if (typeof loss === 'string') return loss;
  if (typeof loss === 'function') return loss.name || 'custom';
  return String(loss);
}

/**
 * A displayable summary of a tfjs model: each layer's type, output shape and parameters, the totals and size.
 * @example lepton.summary(model)   // a table in the notebook; String(lepton.summary(model)) for text
 */
export function summary(model: tf.LayersModel): ModelSummary {
  const layers = model.layers.map((layer) => {
    let outputShape: LayerSummary['outputShape'];
    try {
      outputShape = layer.outputShape;
    } catch {
      outputShape = [];
    }
    return {
      name: layer.name,
      type: layer.getClassName(),
      outputShape,
      params: layer.countParams(),
      trainable: layer.trainable,
    };
  });
  const params = model.countParams();
  const size = (w: tf.LayerVariable) => (w.shape as number[]).reduce((a, b) => a * b, 1);
  const trainableParams = model.trainableWeights.reduce((sum, w) => sum + size(w), 0);
  const bytes = model.weights.reduce((sum, w) => sum + size(w) * 4, 0);
  const m = model as unknown as { loss?: unknown; optimizer?: tf.Optimizer; metricsNames?: string[] };
  const compiled = m.optimizer
    ? {
        loss: lossText(m.loss),
        optimizer: m.optimizer.getClassName(),
        metrics: (m.metricsNames ?? []).filter((n) => n !== 'loss'),
      }
    : null;
  const shape = (s: unknown) =>
    (Array.isArray(s) && s.length === 1 && Array.isArray(s[0]) ? s[0] : s) as LayerSummary['outputShape'];
  return new ModelSummary({
    version: 1,
    id: modelId(model),
    name: model.name,
    layers,
    params,
    trainableParams,
    bytes,
    inputShape: shape(model.inputs.map((t) => t.shape)),
    outputShape: shape(model.outputs.map((t) => t.shape)),
    compiled,
    metrics: historyOf(model)?.epochs.at(-1)?.logs ?? null,
  });
}

/** What runs each time a model card is shown (`onModelCardShown`). */
const cardShownListeners = new Set<() => void>();

/**
 * Runs `listener` each time a model displays as its card, before the card is made: `deploy` registers the comm
 * target of the card's buttons this way (deploy/model-comm.ts), so the card does not import the layer above it.
 */
export function onModelCardShown(listener: () => void): void {
  cardShownListeners.add(listener);
}

/**
 * Makes every tfjs LayersModel (tf.Sequential included) display as its summary when it is a cell's last
 * expression, by installing the display method on tf.LayersModel.prototype. Done once, when the train module loads.
 */
export function installModelDisplay(): void {
  const proto = tf.LayersModel.prototype as unknown as Record<symbol, unknown>;
  if (typeof proto[displaySymbol] === 'function') return;
  Object.defineProperty(proto, displaySymbol, {
    configurable: true,
    writable: true,
    enumerable: false,
    value(this: tf.LayersModel): MimeBundle {
      for (const listener of cardShownListeners) listener();
      return summary(this)[displaySymbol]();
    },
  });
}

installModelDisplay();
