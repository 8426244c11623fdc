/**
 * `lepton.compress.quantize(model, opts)`: an fp32 model as an int8 ONNX model in QDQ format.
 */
import * as tf from '@tensorflow/tfjs';
import type { ModelSource } from '../export/model-source.js';
import { onnxBytesOf } from './source.js';
import { specsOf } from '../onnx/specs.js';
import { isTreeModel, treeUnsupported } from './trees.js';
import { decodeModel } from '../onnx/decode.js';
import { encodeModel } from '../onnx/encode.js';
import { randomInputs } from '../onnx/run.js';
import { observe, type Observation } from './quantize/calibrate.js';
import { cancelTransposes } from './quantize/layout.js';
import { CompressError } from './errors.js';
import { activationCandidates, fuseMatMulAdd, quantizeGraph, weightInputAxes } from './quantize/qdq.js';
import { REDUCED_WEIGHT_LEVELS, WEIGHT_LEVELS, type WeightType } from '../onnx/quant-math.js';
import { integerPairsSaturate } from './cpu.js';
import { QuantizedModel } from './quantized-model.js';
import { smoothGraph, smoothingPairs } from './quantize/smooth.js';
import type { FloatBatch } from '../onnx/session.js';
import { DataType, type GraphProto, type ModelProto } from '../onnx/format.js';
import { InternalError } from '../core/errors.js';

/** Options of `compress.quantize`. */
export interface QuantizeOptions {
  /**
   * `static` (default): weights int8 and activations uint8 with ranges calibrated on `calibration`; onnxruntime fuses
   * the pairs into integer kernels (QLinearConv, QGemm), so this is the mode that can run faster.
   * `dynamic`: weights only, stored int8 behind DequantizeLinear; onnxruntime computes in float and dequantizes the
   * weights on every run, so the file is ~4× smaller but inference is slower than fp32 (0.29× throughput measured on
   * a 784-1024-1024-10 MLP). Use it to shrink downloads, not to speed up.
   */
  mode?: 'static' | 'dynamic';
  /** Inputs (batch first) whose activation ranges static mode measures: a few hundred typical samples. */
  calibration?:
    | tf.Tensor
    | {
        /** The calibration inputs, batch first (so `{ x, y }` data can be passed: only `x` is read). */
        x: tf.Tensor;
      };
  /** One weight scale per output channel (default true; more accurate at no speed cost). */
  perChannel?: boolean;
  /**
   * `int8` (default) weights, or `uint8` (zero point 128) for runtimes whose int8×int8 path is slow. onnxruntime's CPU
   * integer kernels (QGemm, QLinearConv) are not among them: uint8 weights ran at 0.4–0.8× the int8 throughput there.
   */
  weightType?: WeightType;
  /**
   * Static mode: let wide Gemms (≥ 512 outputs, depth not a multiple of 64) carry their bias in constant input columns
   * instead of an int32 bias (default true). In onnxruntime that took the 784-1024-1024-10 MLP from a tie with
   * onnxruntime.quantization's best setting to 1.00–1.17× its throughput at batch 256 (median 1.11×), and cost up to
   * ~5% at batch 1 (one Pad more per run); pass false for a model served one sample at a time.
   */
  biasColumns?: boolean;
  /**
   * Take the mean shift that rounding the weights gives each output out of the layer's bias, measured with the
   * calibration data (default true; needs `calibration`). Costs nothing at run time; on the 784-1024-1024-10 MLP it
   * lowered the mean |Δ| against fp32 by 7–27% (`onnx/bias-correction.ts`).
   */
  biasCorrection?: boolean;
  /**
   * Static mode: balance the activation between two Dense layers joined by a ReLU against the next layer's weights
   * before quantizing (default true; the same function in float, `smooth.ts`). On the 784-1024-1024-10 MLP, with bias
   * correction, max |Δ| against fp32 went from 0.0073 to 0.0044–0.0059 with per-channel weights.
   */
  smoothing?: boolean;
  /**
   * Static mode: limit int8 weights to ±63 (7 bits, onnxruntime.quantization's `reduce_range`). Default: on where
   * onnxruntime's integer kernels sum uint8 × int8 pairs in int16 and would saturate — x86-64 without VNNI (AVX2
   * only); off with AVX-512 VNNI, AVX-VNNI, AMX or on Arm (`cpu.ts`). Pass true for a file that will be served on
   * such a machine. Measured on an AVX2-only machine: a CNN's max |Δp| against fp32 went from 0.058 to within 0.05.
   */
  reduceRange?: boolean;
  /** Samples per calibration batch (default 256). */
  batchSize?: number;
}

function batchOf(t: tf.Tensor): FloatBatch {
  return {
    data: Float32Array.from(t.dataSync() as Float32Array),
    shape: t.shape,
    ...(t.dtype === 'int32' ? { dtype: 'int32' as const } : {}),
  };
}

/** A Cast's `to` attribute is a plain integer, so the element type it is compared with is one too. */
const FLOAT_ELEMENT_TYPE: number = DataType.FLOAT;

/** The values of a graph that are not float: an int32 input of token ids and the int64 indices cast from it. */
function nonFloatValues(graph: GraphProto): Set<string> {
  const out = new Set<string>(graph.input.filter((i) => i.elemType !== DataType.FLOAT).map((i) => i.name));
  for (const n of graph.node) {
    const to = n.attribute.find((a) => a.name === 'to');
    if (n.opType === 'Cast' && to && 'i' in to && to.i !== FLOAT_ELEMENT_TYPE) n.output.forEach((o) => out.add(o));
  }
  return out;
}

/**
 * Runs `model` on `data` and observes every value's range and rank, and, with `channelStats` (real calibration data,
 * not random inputs), the per-channel statistics of weight layers' inputs.
 */
async function observeAll(
  model: ModelProto,
  data: FloatBatch,
  batchSize: number,
  channelStats: boolean,
): Promise<Observation> {
  const input = model.graph.input[0]!.name;
  // Calibration declares every observed value a float output: token ids and their indices are not observed.
  const skip = nonFloatValues(model.graph);
  const values = [input, ...model.graph.node.flatMap((n) => n.output)].filter((v) => !skip.has(v));
  const observed = await observe(
    model,
    values,
    data,
    batchSize,
    channelStats ? weightInputAxes(model.graph) : new Map(),
  );
  observed.ranks.set(input, data.shape.length);
  return observed;
}

/**
 * Quantizes a model to int8 in QDQ format (QuantizeLinear/DequantizeLinear pairs around the float graph):
 * Conv/Gemm/MatMul weights become int8 symmetric (per output channel by default), and in static mode each
 * activation gets uint8 parameters from its min/max on the calibration data, biases become int32.
 * @param model a tfjs model (exported to ONNX first), an `OnnxExport`, or `.onnx` bytes
 * @param opts mode, calibration data, per-channel scales, weight type
 * @returns a handle to evaluate, compare (`compress.report`), save or deploy
 * @example const q = await lepton.compress.quantize(model, { calibration: xTrain.slice(0, 512) })
 */
export async function quantize(model: ModelSource, opts: QuantizeOptions = {}): Promise<QuantizedModel> {
  if (isTreeModel(model)) throw treeUnsupported('compress.quantize');
  const mode = opts.mode ?? 'static';
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a guard for callers without type checking (JavaScript, notebook cells); the type says it cannot happen, the runtime may
  if (mode !== 'static' && mode !== 'dynamic')
    throw new CompressError(
      'LEPTON_COMPRESS_BAD_INPUT',
      `mode must be 'static' or 'dynamic', got ${JSON.stringify(mode)}.`,
    );
  const weightType = opts.weightType ?? 'int8';
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a guard for callers without type checking (JavaScript, notebook cells); the type says it cannot happen, the runtime may
  if (weightType !== 'int8' && weightType !== 'uint8')
    throw new CompressError(
      'LEPTON_COMPRESS_BAD_INPUT',
      `weightType must be 'int8' or 'uint8', got ${JSON.stringify(weightType)}.`,
    );
  const perChannel = opts.perChannel ?? true;
  // Dynamic mode computes in float behind DequantizeLinear: nothing saturates there.
  const reduceRange = mode === 'static' && (opts.reduceRange ?? integerPairsSaturate());
  const bytes = await onnxBytesOf(model);
  const decoded = decodeModel(bytes);
  // Cancelled before calibration, so the ranges observed are those of the graph that gets quantized.
  const proto = { ...decoded, graph: cancelTransposes(decoded.graph) };
  const specs = specsOf(proto.graph);
  // specsOf types every input as float32 or int32, so the count is what is left to check here.
  if (specs.inputs.length !== 1) {
    throw new CompressError(
      'LEPTON_COMPRESS_UNSUPPORTED',
      `quantize supports models with one float32 (or int32 token id) input; this one has ${specs.inputs.map((s) => `${s.name} (${s.dtype})`).join(', ')}.`,
    );
  }
  const inputType = specs.inputs[0]!.dtype;
  const calibration = opts.calibration instanceof tf.Tensor ? opts.calibration : opts.calibration?.x;
  if (mode === 'static' && calibration === undefined) {
    throw new CompressError(
      'LEPTON_COMPRESS_NO_CALIBRATION',
      "Static quantization needs calibration inputs: pass { calibration: xTrain.slice(0, 512) }, or use { mode: 'dynamic' } (weights only).",
    );
  }
  if (calibration !== undefined && (calibration.dtype !== inputType || calibration.shape[0] === 0)) {
    throw new CompressError(
      'LEPTON_COMPRESS_BAD_INPUT',
      `calibration must be a non-empty ${inputType} tensor, batch first (like the model's input); got ${calibration.dtype} [${calibration.shape.join(', ')}].`,
    );
  }
  // Dynamic mode without data still needs the ranks of values (to fuse MatMul + Add): one random batch gives them (token
  // ids of 0, the padding id every vocabulary has, for a model of token ids).
  const data =
    calibration !== undefined
      ? batchOf(calibration)
      : inputType === 'int32'
        ? {
            data: new Float32Array(
              specs.inputs[0]!.shape.map((d) => (d === null || d < 0 ? 2 : d)).reduce((a, b) => a * b, 1),
            ),
            shape: specs.inputs[0]!.shape.map((d) => (d === null || d < 0 ? 2 : d)),
            dtype: 'int32' as const,
          }
        : (() => {
            const r = randomInputs(specs.inputs, 2)[0]!;
            return { data: r.data as Float32Array, shape: r.shape };
          })();
  const calibrate = (graph: GraphProto): Promise<Observation> =>
    observeAll({ ...proto, graph }, data, opts.batchSize ?? 256, calibration !== undefined);
  let graph = proto.graph;
  let observed = await calibrate(graph);
  let smoothed: string[] = [];
  if (mode === 'static' && (opts.smoothing ?? true)) {
    graph = fuseMatMulAdd(graph, observed.ranks);
    const absMax = new Map([...observed.channels].map(([name, c]) => [name, c.absMax]));
    ({ graph, smoothed } = smoothGraph(graph, smoothingPairs(graph), absMax, perChannel));
    // Ranges and means change with the scales: observed again on the graph that gets quantized.
    if (smoothed.length > 0) observed = await calibrate(graph);
  }
  const ranks = observed.ranks;
  const candidates = activationCandidates(fuseMatMulAdd(graph, ranks));
  const missing = candidates.filter((c) => !observed.ranges.has(c));
  if (mode === 'static' && missing.length > 0)
    throw new InternalError(`calibration observed no values for ${missing.join(', ')}`);
  const opset = proto.opsetImport.find((o) => o.domain === '' || o.domain === 'ai.onnx')?.version ?? 0;
  const inputMeans = new Map(
    opts.biasCorrection === false ? [] : [...observed.channels].map(([name, c]) => [name, c.mean]),
  );
  const result = quantizeGraph(graph, {
    mode,
    weightType,
    perChannel,
    weightLevels: reduceRange ? REDUCED_WEIGHT_LEVELS : WEIGHT_LEVELS,
    ranges: observed.ranges,
    ranks,
    opset,
    biasColumns: opts.biasColumns ?? true,
    inputMeans,
  });
  if (result.quantizedNodes.length === 0) {
    throw new CompressError(
      'LEPTON_COMPRESS_UNSUPPORTED',
      'The model has no Conv, Dense (Gemm/MatMul) weights to quantize.',
    );
  }
  const quantized = encodeModel({
    ...proto,
    graph: result.graph,
    docString: `${proto.docString} (int8 ${mode} QDQ by Lepton)`.trim(),
  });
  return new QuantizedModel(quantized, specs.inputs, specs.outputs, {
    mode,
    weightType,
    perChannel,
    reduceRange,
    quantizedNodes: result.quantizedNodes,
    quantizedActivations: result.quantizedActivations,
    biasColumns: result.biasColumns,
    biasCorrected: result.biasCorrected,
    smoothed,
    calibrationSamples: calibration !== undefined ? observed.samples : 0,
    sourceBytes: bytes.length,
  });
}
