import * as tf from '@tensorflow/tfjs';
import { reluGradWithSums } from './relu-grad.js';
import { registeredKernel } from './registry.js';
import { fuseLayers, wrapCall } from './layer-calls.js';

/** The convolution attributes of {@link conv2dBiasRelu} (NHWC, dilation 1: tfjs has no conv gradient otherwise). */
export interface ConvAttributes {
  strides: [number, number];
  pad: 'valid' | 'same';
}

/** The kernel computing relu(conv2d(x, filter) + bias) on the wasm backend, with a gradient (see `conv2dBiasRelu`). */
export const convBiasReluKernelName = 'LeptonConv2DBiasRelu';

/** The attributes every kernel of this op is given: NHWC and dilation 1, as tfjs's conv gradient requires. */
const layout = { dataFormat: 'NHWC', dilations: [1, 1] } as const;

/**
 * relu(conv2d(x, filter) + bias) as ONE recorded operation whose forward pass is one `FusedConv2D` kernel (the
 * convolution with its bias and ReLU applied as each output is stored) and whose gradients are tfjs's own: the ReLU
 * mask on dy, then the input and filter gradients of the convolution and the bias's sum, from the same kernels, each
 * computed only when asked for (a first layer's input gradient is not).
 *
 * Why: while recording gradients tfjs runs a layer's `relu` convolution unfused — `Conv2D`, then `Add` of the bias
 * and `Relu`, each a pass over the whole activation (1.4 MB for the first layer of a small MNIST CNN at a batch of
 * 64) and each a tape entry with tensors cloned for its gradient — because its fused gradient does not cover every
 * activation. For ReLU it is exact: y > 0 exactly where conv + bias > 0, so the mask read from y is tfjs's (a NaN
 * aside, which ReLU turns into 0 here as in tfjs's fused kernel). Same numbers for one input channel (Lepton's loop
 * adds the bias after the taps, as the unfused `Add` does); with more, XNNPACK starts each sum from the bias, which
 * differs from the unfused order in the last bits (tests: 1e-5). Only on the wasm backend (`fuseConv` checks).
 * @param x input [batch, height, width, channels], float32
 * @param filter [kh, kw, in, out]
 * @param bias [out]
 * @param conv strides and padding
 */
export function conv2dBiasRelu(
  x: tf.Tensor4D,
  filter: tf.Tensor4D,
  bias: tf.Tensor1D,
  conv: ConvAttributes,
): tf.Tensor4D {
  return tf.engine().runKernel<tf.Tensor4D>(convBiasReluKernelName, { x, filter, bias }, { ...conv });
}

/**
 * Registers {@link conv2dBiasRelu}'s kernel on wasm (the backend's `FusedConv2D` with ReLU, as Lepton replaced it)
 * and its gradient. Called once, by `installWasmTrainingKernels` (which runs once).
 */
export function installConvBiasRelu(): void {
  tf.registerKernel({
    kernelName: convBiasReluKernelName,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) =>
      registeredKernel('FusedConv2D', 'wasm')!.kernelFunc({
        inputs,
        backend,
        attrs: { ...attrs, ...layout, activation: 'relu' },
      }),
  });
  tf.registerGradient({
    kernelName: convBiasReluKernelName,
    inputsToSave: ['x', 'filter'],
    outputsToSave: [true],
    gradFunc: (dy, saved, attrs) => {
      const [x, filter, y] = saved as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];
      // The mask and the bias's gradient (its sum over positions) in one pass.
      const [masked, biasGradient] = reluGradWithSums(dy as tf.Tensor, y);
      // tfjs's conv2d gradient passes no rounding mode: neither do these.
      const conv = { ...(attrs as unknown as ConvAttributes), ...layout };
      return {
        x: () => tf.engine().runKernel('Conv2DBackpropInput', { dy: masked, filter }, { ...conv, inputShape: x.shape }),
        filter: () =>
          tf.engine().runKernel('Conv2DBackpropFilter', { x, dy: masked }, { ...conv, filterShape: filter.shape }),
        bias: () => biasGradient,
      };
    },
  });
}

/** The parts of tfjs's Conv2D layer (`tf.layers.conv2d`) read here; tfjs does not type them publicly. */
interface ConvLayerParts {
  rank: number;
  strides: number[];
  padding: string;
  dataFormat: string;
  dilationRate: number | number[];
  activation: { getClassName(): string };
  kernel: { read(): tf.Tensor } | null;
  bias: { read(): tf.Tensor } | null;
}

/** The strides and padding when the layer's configuration is one {@link conv2dBiasRelu} computes, else null. */
function fusable(layer: ConvLayerParts, inputs: tf.Tensor | tf.Tensor[]): ConvAttributes | null {
  const x = Array.isArray(inputs) ? (inputs.length === 1 ? inputs[0] : undefined) : inputs;
  if (tf.getBackend() !== 'wasm' || !x || x.rank !== 4 || x.dtype !== 'float32') return null;
  if (layer.rank !== 2 || layer.dataFormat !== 'channelsLast' || !layer.kernel || !layer.bias) return null;
  if (layer.activation.getClassName() !== 'relu') return null;
  const dilations = Array.isArray(layer.dilationRate) ? layer.dilationRate : [layer.dilationRate];
  if (!dilations.every((d) => d === 1) || layer.strides.length !== 2) return null;
  if (layer.padding !== 'valid' && layer.padding !== 'same') return null;
  return { strides: [layer.strides[0]!, layer.strides[1]!], pad: layer.padding };
}

/**
 * Makes a tfjs `Conv2D` layer with a bias and ReLU compute through {@link conv2dBiasRelu} (on the wasm backend, for
 * float32 NHWC inputs, dilation 1; anything else runs the layer's own `call`). Weights, configuration and
 * serialization are unchanged.
 * @param layer a layer made by `tf.layers.conv2d`
 * @returns the same layer
 */
export function fuseConv<L extends tf.layers.Layer>(layer: L): L {
  const parts = layer as unknown as ConvLayerParts;
  return wrapCall(layer, (stock) => (inputs, kwargs) => {
    const conv = fusable(parts, inputs);
    if (!conv) return stock(inputs, kwargs);
    const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
    return conv2dBiasRelu(x, parts.kernel!.read() as tf.Tensor4D, parts.bias!.read() as tf.Tensor1D, conv);
  });
}

/**
 * Fuses every tfjs `Conv2D` layer of `model` (nested models included) with {@link fuseConv}: `lepton.fit` calls it,
 * so CNNs with `activation: 'relu'` convolutions train with ~4 fewer kernels and 2 fewer passes over each such
 * layer's output per step; the numbers are the unfused ones but for the last bits (see conv2dBiasRelu).
 * @param model any tf.LayersModel
 * @returns how many layers are fused
 */
export function fuseConvLayers(model: tf.LayersModel): number {
  return fuseLayers(model, (layer) => layer.getClassName() === 'Conv2D', fuseConv);
}
