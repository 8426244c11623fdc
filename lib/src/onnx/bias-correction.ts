/**
 * Empirical bias correction (Nagel et al., "Data-Free Quantization Through Weight Equalization and Bias Correction",
 * 2019, with the input means measured on calibration data): rounding a layer's weights to int8 moves the mean of each
 * output by `Σ (W_q − W) · E[x]`, an error every sample carries in the same direction. Subtracting that shift from the
 * layer's float bias, before the bias is itself quantized, removes it at no cost at run time.
 *
 * On two trainings of the 784-1024-1024-10 MLP (256 calibration samples, 2,000 test samples) it lowered the int8
 * file's mean |Δ| against fp32 by 7–27%; its max |Δ| moved by −32% to +5% (the tail is what smoothing, `smooth.ts`,
 * then improves).
 */

/** Where a layer's weight keeps its input and output axes. */
export type WeightLayout =
  /** Gemm/MatMul weight `[K, N]` (or `[N, K]` with `transB`), input features on the last axis of the input. */
  | { kind: 'gemm'; transB: boolean }
  /** Conv weight `[O, C / groups, ...kernel]`, input channels on axis 1 of the input. */
  | { kind: 'conv'; groups: number };

/** One layer's float weight, its dequantized int8 weight, and its float bias. */
export interface LayerToCorrect {
  /** The float weight, row-major. */
  weight: Float32Array;
  /** What DequantizeLinear gives back for the int8 weight (same layout). */
  dequantized: Float32Array;
  /** The weight's shape. */
  dims: readonly number[];
  /** The float bias, one value per output. */
  bias: Float32Array;
  /** Where the weight keeps its axes. */
  layout: WeightLayout;
}

/**
 * The mean shift that rounding the weights gives each output, for an input whose mean per feature (Gemm) or per
 * channel (Conv) is `inputMean`, or null when the shapes do not line up (the layer is then left as it is).
 * For a Conv, the mean of each input channel stands for the mean of every position of the kernel's window: padding
 * makes the border positions see a few zeros more, which this ignores.
 */
export function roundingShift(layer: LayerToCorrect, inputMean: Float32Array): Float64Array | null {
  const { weight, dequantized, dims, layout } = layer;
  if (layout.kind === 'gemm') {
    if (dims.length !== 2) return null;
    const [k, n] = layout.transB ? [dims[1]!, dims[0]!] : [dims[0]!, dims[1]!];
    if (inputMean.length !== k || layer.bias.length !== n) return null;
    const shift = new Float64Array(n);
    for (let i = 0; i < k; i++) {
      for (let j = 0; j < n; j++) {
        const at = layout.transB ? j * k + i : i * n + j;
        shift[j]! += (dequantized[at]! - weight[at]!) * inputMean[i]!;
      }
    }
    return shift;
  }
  const [outputs, perGroup] = [dims[0]!, dims[1]!];
  const window = dims.slice(2).reduce((a, b) => a * b, 1);
  const outputsPerGroup = outputs / layout.groups;
  if (
    !Number.isInteger(outputsPerGroup) ||
    inputMean.length !== perGroup * layout.groups ||
    layer.bias.length !== outputs
  )
    return null;
  const shift = new Float64Array(outputs);
  for (let o = 0; o < outputs; o++) {
    const firstChannel = Math.floor(o / outputsPerGroup) * perGroup;
    for (let c = 0; c < perGroup; c++) {
      let sum = 0;
      const start = (o * perGroup + c) * window;
      for (let s = start; s < start + window; s++) sum += dequantized[s]! - weight[s]!;
      shift[o]! += sum * inputMean[firstChannel + c]!;
    }
  }
  return shift;
}

/**
 * The layer's bias with the weights' rounding shift taken out, or null when the shapes do not line up.
 * @param layer the float and dequantized weights and the float bias
 * @param inputMean the calibration data's mean of the layer's input, per feature (Gemm) or per channel (Conv)
 */
export function correctedBias(layer: LayerToCorrect, inputMean: Float32Array): Float32Array | null {
  const shift = roundingShift(layer, inputMean);
  return shift && Float32Array.from(layer.bias, (b, i) => b - shift[i]!);
}
