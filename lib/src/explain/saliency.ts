/**
 * Saliency maps of image models: which pixels the score of a class is most sensitive to (`gradient`, Simonyan et
 * al. 2014) or owes most to along a path from a black baseline (`integratedGradients`, Sundararajan et al. 2017).
 * Each map is returned as a tensor and displayed as a heatmap over its image, as PNG rendered in Node.
 */
import * as tf from '@tensorflow/tfjs';
import { badArgument } from '../data/errors.js';
import { displaySymbol, type Displayable, type MimeBundle } from '../display/mime.js';
import { encodePng } from '../display/png.js';
import { ImageDataset } from '../images/dataset.js';
import { overlay, sideBySide } from './overlay.js';

/** How attributions are computed. */
export type SaliencyMethod = 'gradient' | 'integratedGradients';

/** Options of `saliency`. */
export interface SaliencyOptions {
  /** `gradient` (default): |∂score/∂pixel|; `integratedGradients`: (x − baseline) × the mean gradient along the path. */
  method?: SaliencyMethod;
  /** The class to explain: one index for every image, one per image, or the predicted class (default). */
  target?: number | number[];
  /** Integrated gradients: points on the path from the baseline to the image (default 32). */
  steps?: number;
  /** Integrated gradients: the baseline image, a constant (default 0: black) or a tensor of one image's shape. */
  baseline?: number | tf.Tensor;
  /** Class names for captions (default: the class indices). */
  classNames?: string[];
  /** Rows per gradient pass (images, or image × path points for integrated gradients; default 128). */
  batchSize?: number;
  /** Display upscaling, in whole pixels (default: about 160 px on the long side). */
  scale?: number;
}

/** Options of `saliency` on an image dataset (`lepton.read.images`). */
export interface DatasetSaliencyOptions extends SaliencyOptions {
  /** How many of the dataset's images to explain, from its first, in its order (default 8). */
  count?: number;
}

/** The most images a saliency result shows at once (all are computed and returned). */
const shownImages = 16;

/**
 * What `saliency` computed. `maps` are the heatmaps, `attributions` the raw values. It displays as one PNG of
 * the heatmaps over their images (plus HTML with a captioned image per input); `dispose()` frees the tensors.
 */
export class Saliency {
  constructor(
    /** The method used. */
    readonly method: SaliencyMethod,
    /** [n, height, width] heatmaps in [0, 1]: per image, the attribution magnitude divided by its maximum. */
    readonly maps: tf.Tensor3D,
    /** The raw attributions, shaped like the images: gradients, or (x − baseline) × mean path gradient. */
    readonly attributions: tf.Tensor,
    /** The class explained, per image. */
    readonly targets: number[],
    /** The predicted class, per image. */
    readonly predicted: number[],
    /** The model's output for the predicted class, per image (its probability for a softmax model). */
    readonly confidence: number[],
    /** What was differentiated: the logit before the output's softmax/sigmoid, or the output itself. */
    readonly score: 'logit' | 'output',
    private readonly pixels: Float32Array,
    private readonly channels: number,
    private readonly scale: number,
    private readonly classNames?: string[],
  ) {}

  /** Images explained. */
  get count(): number {
    return this.maps.shape[0];
  }

  private name(c: number): string {
    return this.classNames?.[c] ?? String(c);
  }

  /** One line per image: what was predicted and explained. */
  caption(i: number): string {
    const p = this.predicted[i]!;
    const t = this.targets[i]!;
    return `#${i}: predicted ${this.name(p)} (${this.confidence[i]!.toFixed(2)})${t === p ? '' : `, explaining ${this.name(t)}`}`;
  }

  /** Image `i` with its heatmap, as a PNG file. */
  png(i: number): Buffer {
    return encodePng(this.raster(i));
  }

  private raster(i: number) {
    if (!Number.isInteger(i) || i < 0 || i >= this.count)
      throw badArgument(`saliency: image ${i} is out of range; there are ${this.count}.`);
    const [, height, width] = this.maps.shape;
    const size = height * width;
    const heat = (this.maps.dataSync() as Float32Array).subarray(i * size, (i + 1) * size);
    const image = this.pixels.subarray(i * size * this.channels, (i + 1) * size * this.channels);
    return overlay({ image, heat, height, width, channels: this.channels }, this.scale);
  }

  /** Image `i` with its heatmap, to display on its own: `image/png` and its caption as text. */
  image(i: number): Displayable {
    const png = this.png(i).toString('base64');
    const text = this.caption(i);
    return { [displaySymbol]: () => ({ 'image/png': png, 'text/plain': text }) };
  }

  /** A text summary. */
  toString(): string {
    const how = this.method === 'gradient' ? 'gradient' : 'integrated gradients';
    const [n, h, w] = this.maps.shape;
    return [
      `Saliency (${how} of the ${this.score}): ${n} image${n === 1 ? '' : 's'} of ${h}×${w}`,
      ...Array.from({ length: n }, (_, i) => `  ${this.caption(i)}`),
    ].join('\n');
  }

  /** The numbers, without the tensors. */
  toJSON(): {
    /** The method used. */
    method: SaliencyMethod;
    /** What was differentiated: the logit before the output's softmax/sigmoid, or the output itself. */
    score: 'logit' | 'output';
    /** The heatmaps' shape: [images, height, width]. */
    shape: number[];
    /** The class explained, per image. */
    targets: number[];
    /** The predicted class, per image. */
    predicted: number[];
    /** The model's output for the predicted class, per image (its probability for a softmax model). */
    confidence: number[];
  } {
    return {
      method: this.method,
      score: this.score,
      shape: this.maps.shape,
      targets: this.targets,
      predicted: this.predicted,
      confidence: this.confidence,
    };
  }

  /** Frees the `maps` and `attributions` tensors. */
  dispose(): void {
    this.maps.dispose();
    this.attributions.dispose();
  }

  /** One PNG with the first 16 heatmaps side by side; HTML with each one captioned; the summary as text. */
  [displaySymbol](): MimeBundle {
    const shown = Math.min(this.count, shownImages);
    const rasters = Array.from({ length: shown }, (_, i) => this.raster(i));
    const esc = (s: string) =>
      s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
    const figures = rasters
      .map(
        (r, i) =>
          `<figure style="margin:0 8px 8px 0;text-align:center"><img src="data:image/png;base64,${encodePng(r).toString('base64')}" width="${r.width}" height="${r.height}" style="image-rendering:pixelated" alt="saliency ${i}"/><figcaption style="font-size:12px">${esc(this.caption(i).replace(/^#\d+: /, ''))}</figcaption></figure>`,
      )
      .join('');
    const more = this.count > shown ? ` (showing ${shown} of ${this.count})` : '';
    const how = this.method === 'gradient' ? 'gradient' : 'integrated gradients';
    const html = `<div><div style="display:flex;flex-wrap:wrap">${figures}</div><div style="font-size:12px;color:#666">Saliency by ${how} of the ${this.score}${more}: brighter means the pixel matters more.</div></div>`;
    return {
      'image/png': encodePng(sideBySide(rasters)).toString('base64'),
      'text/html': html,
      'text/plain': this.toString() + (more ? `\n${more.trim()}` : ''),
    };
  }
}

/** The score `saliency` differentiates: per image, one value per class. */
type ScoreFunction = (x: tf.Tensor) => tf.Tensor2D;

/**
 * The logits when the model ends in a Dense layer with a softmax or sigmoid (their gradients do not vanish as the
 * model grows confident, as the probability's do), else the output itself.
 */
function scoreFunction(model: tf.LayersModel): { score: ScoreFunction; kind: 'logit' | 'output' } {
  const output: ScoreFunction = (x) => {
    const y = model.apply(x, { training: false }) as tf.Tensor;
    return y.rank === 1 ? y.expandDims(1) : y.reshape([y.shape[0], -1]);
  };
  const last = model.layers[model.layers.length - 1];
  const activation = last?.getConfig().activation;
  if (
    !last ||
    last.getClassName() !== 'Dense' ||
    typeof activation !== 'string' ||
    !['softmax', 'sigmoid'].includes(activation)
  )
    return { score: output, kind: 'output' };
  const input = last.input;
  const weights = last.getWeights();
  if (Array.isArray(input) || weights.length === 0) return { score: output, kind: 'output' };
  const features = tf.model({ inputs: model.inputs, outputs: input });
  const [kernel, bias] = weights as [tf.Tensor2D, tf.Tensor1D | undefined];
  return {
    kind: 'logit',
    score: (x) => {
      const z = tf.matMul(features.apply(x, { training: false }) as tf.Tensor2D, kernel);
      return (bias ? tf.add(z, bias) : z) as tf.Tensor2D;
    },
  };
}

function isLayersModel(model: unknown): model is tf.LayersModel {
  const m = model as Partial<tf.LayersModel> | null;
  return (
    !!m &&
    typeof m.apply === 'function' &&
    typeof m.predict === 'function' &&
    Array.isArray(m.inputs) &&
    Array.isArray(m.layers)
  );
}

const shapeText = (shape: readonly (number | null)[]) => `[${shape.map((s) => s ?? 'null').join(', ')}]`;

/**
 * The images as a batch in the model's input layout: a single image gets a batch axis, and grey images without a
 * channel axis get one when the model takes [h, w, 1].
 */
function imageBatch(images: tf.Tensor, imageShape: (number | null)[]): tf.Tensor {
  let x = images;
  const rank = imageShape.length;
  const greyModel = rank === 3 && imageShape[2] === 1;
  if (greyModel && x.rank >= 2 && x.rank <= 3 && x.shape[x.rank - 1] !== 1) x = x.expandDims(-1);
  if (x.rank === rank) x = x.expandDims(0);
  const fits = x.rank === rank + 1 && imageShape.every((s, i) => s === null || s === x.shape[i + 1]);
  if (!fits) {
    const expected = shapeText(imageShape);
    throw badArgument(
      `saliency: the model takes images of shape ${expected} (a batch [n, ${expected.slice(1)}), but the images have shape ${shapeText(images.shape)}.`,
    );
  }
  return x;
}

/**
 * Saliency maps of an image classifier: for each image, how much each pixel drives the score of its class.
 * `gradient` is one backward pass per batch; `integratedGradients` averages gradients at `steps` points between a
 * black baseline and the image (batched), then multiplies by (image − baseline): the attributions add up to the
 * score's change from the baseline. Maps are normalized per image to [0, 1]; the result displays each as a heatmap
 * over its image.
 * @param model a tfjs LayersModel whose input is images, [height, width] or [height, width, channels]
 * @param images [n, height, width(, channels)] or one image
 * @example lepton.explain.saliency(model, testImages.slice(0, 8), { method: 'integratedGradients' })
 */
export function saliency(
  model: tf.LayersModel,
  images: tf.Tensor | number[][] | number[][][] | number[][][][],
  options?: SaliencyOptions,
): Saliency;
/**
 * Saliency maps of the first `count` images (default 8) of an image dataset (`lepton.read.images`), read as the
 * model was trained on them, captioned with the dataset's class names. Asynchronous: the pixels come from the cache.
 * @param model a tfjs LayersModel trained on the dataset's images
 * @param images an image dataset, e.g. `ds.validation`
 * @example await lepton.explain.saliency(model, ds.validation, { count: 8 })
 */
export function saliency(
  model: tf.LayersModel,
  images: ImageDataset,
  options?: DatasetSaliencyOptions,
): Promise<Saliency>;
export function saliency(
  model: tf.LayersModel,
  images: tf.Tensor | number[][] | number[][][] | number[][][][] | ImageDataset,
  options: DatasetSaliencyOptions = {},
): Saliency | Promise<Saliency> {
  if (images instanceof ImageDataset) return datasetSaliency(model, images, options);
  if (options.count !== undefined)
    throw badArgument(
      'saliency: count picks images from an image dataset; with tensors, slice them (images.slice(0, 8)).',
    );
  return tensorSaliency(model, images, options);
}

async function datasetSaliency(
  model: tf.LayersModel,
  dataset: ImageDataset,
  options: DatasetSaliencyOptions,
): Promise<Saliency> {
  const { count = 8, ...rest } = options;
  if (!(Number.isInteger(count) && count >= 1))
    throw badArgument(`saliency: count must be a whole number ≥ 1, got ${count}.`);
  if (dataset.length === 0) throw badArgument('saliency: the image dataset has no images.');
  const { x, y } = await dataset.tensors(Math.min(count, dataset.length));
  try {
    return tensorSaliency(model, x, { ...rest, classNames: rest.classNames ?? dataset.classNames });
  } finally {
    tf.dispose([x, y]);
  }
}

function tensorSaliency(
  model: tf.LayersModel,
  images: tf.Tensor | number[][] | number[][][] | number[][][][],
  options: SaliencyOptions,
): Saliency {
  if (!isLayersModel(model))
    throw badArgument(
      'saliency: expected a tfjs LayersModel (e.g. from lepton.models.cnn or tf.sequential) with built inputs.',
    );
  if (model.inputs.length !== 1)
    throw badArgument(
      `saliency: the model has ${model.inputs.length} inputs; saliency explains models with one image input.`,
    );
  const inputShape = model.inputs[0]!.shape;
  const imageShape = inputShape.slice(1);
  if (imageShape.length < 2 || imageShape.length > 3 || imageShape.slice(0, 2).some((s) => s === null)) {
    throw badArgument(
      `saliency: the model's input is ${shapeText(inputShape)}, not images ([null, height, width] or [null, height, width, channels]).` +
        (imageShape.length === 1
          ? ' For tabular models use lepton.explain.permutationImportance or partialDependence.'
          : ''),
    );
  }
  const method = options.method ?? 'gradient';
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a guard for callers without type checking (JavaScript, notebook cells); the type says it cannot happen, the runtime may
  if (method !== 'gradient' && method !== 'integratedGradients')
    throw badArgument(`saliency: method must be 'gradient' or 'integratedGradients', got ${JSON.stringify(method)}.`);
  const steps = options.steps ?? 32;
  if (!Number.isInteger(steps) || steps < 1)
    throw badArgument(`saliency: steps must be a positive whole number, got ${steps}.`);
  const batchSize = options.batchSize ?? 128;
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw badArgument(`saliency: batchSize must be a positive whole number, got ${batchSize}.`);

  const given = images instanceof tf.Tensor ? images : tf.tensor(images);
  const owned: tf.Tensor[] = given === images ? [] : [given];
  try {
    const x = imageBatch(given, imageShape).toFloat();
    if (x !== given) owned.push(x);
    const n = x.shape[0];
    if (n === 0) throw badArgument('saliency: no images given.');
    const [height, width] = x.shape.slice(1, 3) as [number, number];
    const channels = x.rank === 4 ? x.shape[3]! : 1;
    const perImage = height * width * channels;

    const { score, kind } = scoreFunction(model);
    // Predictions from the model's own output (probabilities for a softmax model), batched like the gradients.
    const probs = tf.tidy(() => {
      const y = model.predict(x, { batchSize }) as tf.Tensor;
      return y.reshape([n, -1]).dataSync() as Float32Array;
    });
    const classes = probs.length / n;
    const predicted = Array.from({ length: n }, (_, i) => {
      const row = probs.subarray(i * classes, (i + 1) * classes);
      return classes === 1 ? 0 : row.indexOf(Math.max(...row));
    });
    const confidence = predicted.map((c, i) => probs[i * classes + c]!);
    const target = options.target;
    const targets =
      target === undefined ? predicted : typeof target === 'number' ? new Array<number>(n).fill(target) : [...target];
    if (targets.length !== n)
      throw badArgument(
        `saliency: ${targets.length} targets for ${n} images; give one class, one per image, or none (the predicted class).`,
      );
    for (const t of targets)
      if (!Number.isInteger(t) || t < 0 || t >= classes)
        throw badArgument(
          `saliency: target class ${t} is not one of the model's ${classes} outputs (0 to ${classes - 1}).`,
        );

    // Gradient of the summed target scores of a batch: each image's score depends on its own pixels only.
    const gradients = (batch: tf.Tensor, rowTargets: number[]): Float32Array =>
      tf.tidy(() => {
        const mask = tf.oneHot(tf.tensor1d(rowTargets, 'int32'), classes).toFloat();
        const g = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(score(input), mask)))(batch);
        return Float32Array.from(g.dataSync());
      });

    const pixels = Float32Array.from(x.dataSync());
    const attributions = new Float32Array(n * perImage);
    if (method === 'gradient') {
      for (let start = 0; start < n; start += batchSize) {
        const size = Math.min(batchSize, n - start);
        const batch = x.slice(start, size);
        attributions.set(gradients(batch, targets.slice(start, start + size)), start * perImage);
        batch.dispose();
      }
    } else {
      const baseline = baselineOf(options.baseline, x.shape.slice(1), perImage);
      // Rows are (image, step) pairs; the midpoint rule puts step s at alpha = (s + ½) / steps.
      const rows = n * steps;
      const mean = new Float32Array(n * perImage);
      for (let start = 0; start < rows; start += batchSize) {
        const size = Math.min(batchSize, rows - start);
        const path = new Float32Array(size * perImage);
        const rowTargets: number[] = [];
        for (let r = 0; r < size; r++) {
          const i = Math.floor((start + r) / steps);
          const alpha = (((start + r) % steps) + 0.5) / steps;
          for (let p = 0; p < perImage; p++)
            path[r * perImage + p] = baseline[p]! + alpha * (pixels[i * perImage + p]! - baseline[p]!);
          rowTargets.push(targets[i]!);
        }
        const batch = tf.tensor(path, [size, ...x.shape.slice(1)]);
        const g = gradients(batch, rowTargets);
        batch.dispose();
        for (let r = 0; r < size; r++) {
          const i = Math.floor((start + r) / steps);
          for (let p = 0; p < perImage; p++) mean[i * perImage + p]! += g[r * perImage + p]! / steps;
        }
      }
      for (let i = 0; i < n; i++) {
        for (let p = 0; p < perImage; p++)
          attributions[i * perImage + p] = (pixels[i * perImage + p]! - baseline[p]!) * mean[i * perImage + p]!;
      }
    }

    // A pixel's heat: the largest |gradient| over its channels (Simonyan et al.), or |Σ attribution| over them
    // (integrated gradients add up, so channels that pull opposite ways cancel).
    const maps = new Float32Array(n * height * width);
    for (let i = 0; i < n; i++) {
      let max = 0;
      for (let p = 0; p < height * width; p++) {
        let v = 0;
        for (let c = 0; c < channels; c++) {
          const a = attributions[i * perImage + p * channels + c]!;
          v = method === 'gradient' ? Math.max(v, Math.abs(a)) : v + a;
        }
        v = Math.abs(v);
        maps[i * height * width + p] = v;
        max = Math.max(max, v);
      }
      // An all-zero map (a constant model) stays zero rather than NaN.
      if (max > 0) for (let p = 0; p < height * width; p++) maps[i * height * width + p]! /= max;
    }
    const scale = options.scale ?? Math.max(1, Math.round(160 / Math.max(height, width)));
    if (!Number.isInteger(scale) || scale < 1)
      throw badArgument(`saliency: scale must be a positive whole number, got ${scale}.`);
    return new Saliency(
      method,
      tf.tensor3d(maps, [n, height, width]),
      tf.tensor(attributions, x.shape),
      targets,
      predicted,
      confidence,
      kind,
      pixels,
      channels,
      scale,
      options.classNames,
    );
  } finally {
    for (const t of owned) t.dispose();
  }
}

/** The baseline image as numbers: a constant, or a tensor of one image's shape. */
function baselineOf(baseline: number | tf.Tensor | undefined, shape: number[], size: number): Float32Array {
  if (baseline === undefined || typeof baseline === 'number') {
    if (baseline !== undefined && !Number.isFinite(baseline))
      throw badArgument(`saliency: baseline must be a finite number or an image tensor, got ${baseline}.`);
    return new Float32Array(size).fill(baseline ?? 0);
  }
  if (baseline.size !== size)
    throw badArgument(
      `saliency: the baseline has shape ${shapeText(baseline.shape)}; it must be one image of shape ${shapeText(shape)}.`,
    );
  return Float32Array.from(baseline.dataSync());
}
