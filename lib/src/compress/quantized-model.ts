/**
 * `QuantizedModel`: the handle `compress.quantize` returns: the int8 ONNX bytes, their size, `predict` through
 * onnxruntime-node, an atomic `save`, and a card when displayed.
 */
import { resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type * as Ort from 'onnxruntime-node';
import { displaySymbol, type MimeBundle } from '../display/mime.js';
import { writeFileAtomic } from '../core/atomic-write.js';
import type { TfjsTensorSpec } from '@lepton/server/wire';
import { CompressError } from './errors.js';
import type { WeightType } from '../onnx/quant-math.js';
import { openSession, runFloat } from '../onnx/session.js';

/** How a model was quantized. */
export interface QuantizationInfo {
  /** `static` (weights and activations int8) or `dynamic` (weights only). */
  mode: 'static' | 'dynamic';
  /** The weights' element type. */
  weightType: WeightType;
  /** Whether weight scales are per output channel. */
  perChannel: boolean;
  /** Whether int8 weights were limited to ±63 (see `QuantizeOptions.reduceRange`). */
  reduceRange: boolean;
  /** Nodes whose weights were quantized (the k-th one's quantized weight and bias are the tensors `w{k}.*`, `b{k}.*`). */
  quantizedNodes: readonly string[];
  /** Activation tensors given a QuantizeLinear→DequantizeLinear pair (static mode; the k-th one's are `a{k}.*`). */
  quantizedActivations: readonly string[];
  /**
   * Gemm nodes whose bias rides in constant columns appended to their uint8 input, as many int8 weight rows more,
   * instead of an int32 bias (static mode, where onnxruntime runs that faster: `bias-column.ts`).
   */
  biasColumns: readonly string[];
  /** Nodes whose bias was corrected for the rounding of their weights, from the calibration data (`onnx/bias-correction.ts`). */
  biasCorrected: readonly string[];
  /** Activations balanced against the next layer's weights before quantizing (static mode, `smooth.ts`). */
  smoothed: readonly string[];
  /** Calibration samples used (0 when none were given). */
  calibrationSamples: number;
  /** The fp32 model's size in bytes. */
  sourceBytes: number;
}

/** An int8 QDQ ONNX model. */
export class QuantizedModel {
  /** The model file's bytes. */
  readonly data: Uint8Array;
  /** The model's inputs (feed in tfjs's layout). */
  readonly inputs: readonly TfjsTensorSpec[];
  /** The model's outputs. */
  readonly outputs: readonly TfjsTensorSpec[];
  /** How it was quantized. */
  readonly info: QuantizationInfo;
  private session: Promise<Ort.InferenceSession> | undefined;

  /** @internal */
  constructor(
    bytes: Uint8Array,
    inputs: readonly TfjsTensorSpec[],
    outputs: readonly TfjsTensorSpec[],
    info: QuantizationInfo,
  ) {
    this.data = bytes;
    this.inputs = inputs;
    this.outputs = outputs;
    this.info = info;
  }

  /** The model file's size in bytes. */
  get sizeBytes(): number {
    return this.data.length;
  }

  /** @deprecated The model file's bytes, as `data` says it (its size is `sizeBytes`); kept for older notebooks. */
  get bytes(): Uint8Array {
    return this.data;
  }

  /**
   * Writes the `.onnx` file atomically (a temporary file renamed over the target).
   * @returns the absolute path
   */
  save(path: string): string {
    const full = resolve(path);
    writeFileAtomic(full, this.data);
    return full;
  }

  /**
   * Runs the model in onnxruntime-node on a float batch (batch first, tfjs layout); returns the first output.
   * @example const probs = await q.predict(xTest.slice(0, 8))
   */
  async predict(x: tf.Tensor): Promise<tf.Tensor> {
    if (this.inputs.length !== 1)
      throw new CompressError(
        'LEPTON_COMPRESS_UNSUPPORTED',
        `predict takes one input; this model has ${this.inputs.length}.`,
      );
    const want = this.inputs[0]!.dtype === 'int32' ? 'int32' : 'float32';
    if (x.dtype !== want)
      throw new CompressError('LEPTON_COMPRESS_BAD_INPUT', `predict expects ${want} input, got ${x.dtype}.`);
    this.session ??= openSession(this.data);
    const session = await this.session;
    const data =
      want === 'int32'
        ? { data: Float32Array.from(x.dataSync()), shape: x.shape, dtype: 'int32' as const }
        : { data: x.dataSync() as Float32Array, shape: x.shape };
    const out = await runFloat(session, data, [this.outputs[0]!.name]);
    const y = out.get(this.outputs[0]!.name)!;
    return tf.tensor(Float32Array.from(y.data), y.shape);
  }

  /** Releases the onnxruntime session `predict` opened (it reopens on the next call). */
  async dispose(): Promise<void> {
    const s = this.session;
    this.session = undefined;
    if (s) await (await s).release();
  }

  /** A small card: mode, size and ratio to the fp32 model, quantized nodes. */
  [displaySymbol](): MimeBundle {
    const i = this.info;
    const ratio = this.sizeBytes / i.sourceBytes;
    const what =
      i.mode === 'static'
        ? `static int8 (weights ${i.weightType}${i.perChannel ? ' per channel' : ''}${i.reduceRange ? ' within ±63' : ''}, activations uint8 from ${i.calibrationSamples} calibration samples)`
        : `dynamic (weights ${i.weightType}${i.perChannel ? ' per channel' : ''}, float compute)`;
    const size = `${this.sizeBytes.toLocaleString('en-US')} bytes, ${ratio.toFixed(2)}× the fp32 model`;
    const corrected = i.biasCorrected.length > 0 ? `, ${i.biasCorrected.length} biases corrected for rounding` : '';
    const text = `Quantized ONNX model: ${what}\n  ${size}\n  ${i.quantizedNodes.length} weight nodes, ${i.quantizedActivations.length} activations quantized${corrected}`;
    const html =
      `<div style="border:1px solid #ccc;border-radius:6px;padding:6px 10px;display:inline-block">` +
      `<b>Quantized ONNX model</b> — ${what}<br>${size}<br>${i.quantizedNodes.length} weight nodes, ${i.quantizedActivations.length} activations quantized${corrected}</div>`;
    return { 'text/plain': text, 'text/html': html };
  }
}
