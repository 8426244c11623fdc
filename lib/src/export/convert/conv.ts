/**
 * Convolutions: `Conv1D`, `Conv2D`, `DepthwiseConv2D`, `SeparableConv2D`. Kernels are reordered from tfjs's
 * [k..., cin, cout] to ONNX's [cout, cin, k...]; the op runs channels first between two Transposes.
 */
import { attr, type OnnxGraph } from '../../onnx/graph.js';
import { applyActivation } from './activations.js';
import { hintOf, onlyInput, transposeData, weight, type LayerCall, type LayerConverter } from './context.js';
import { channelsFirst, padAttrs, perAxis, requireChannelsLast } from './layout.js';

/** Kernel, stride, dilation and padding attributes for a `spatial`-D conv or pool call. */
function geometry(call: LayerCall, spatial: number, kernel: number[]) {
  const strides = perAxis(call.config['strides'], spatial, 1);
  const dilations = perAxis(call.config['dilationRate'], spatial, 1);
  const sizes = call.inputShapes[0]!.slice(1, 1 + spatial);
  const pads = padAttrs(
    call,
    (call.config['padding'] as string | null | undefined) ?? 'valid',
    sizes,
    kernel,
    strides,
    dilations,
  );
  return { strides: attr.ints(strides), dilations: attr.ints(dilations), ...pads };
}

/** [k..., cin, cout] → [cout, cin, k...] as an initializer. */
function convKernel(g: OnnxGraph, hint: string, data: Float32Array, shape: number[]): string {
  const rank = shape.length;
  const perm = [rank - 1, rank - 2, ...Array.from({ length: rank - 2 }, (_, i) => i)];
  const t = transposeData(data, shape, perm);
  return g.addFloats(hint, t.data, t.shape);
}

function bias(call: LayerCall, g: OnnxGraph): string[] {
  if (call.config['useBias'] === false) return [];
  const b = weight(call, 'bias');
  return [g.addFloats(`${hintOf(call)}/bias`, b.data, b.shape)];
}

/** `Conv1D` and `Conv2D` (the spatial rank comes from the kernel). */
export const conv: LayerConverter = (call, g) => {
  requireChannelsLast(call);
  const h = hintOf(call);
  const k = weight(call, 'kernel');
  const spatial = k.shape.length - 2;
  const w = convKernel(g, `${h}/kernel`, k.data, k.shape);
  const b = bias(call, g);
  const attrs = {
    kernel_shape: attr.ints(k.shape.slice(0, spatial)),
    group: attr.int(1),
    ...geometry(call, spatial, k.shape.slice(0, spatial)),
  };
  const y = channelsFirst(g, onlyInput(call), spatial + 2, h, (x) => g.op('Conv', [x, w, ...b], attrs, h));
  return [applyActivation(call, g, y)];
};

/** A depthwise kernel [kh, kw, cin, m] as an ONNX grouped-conv weight [cin·m, 1, kh, kw] (channel c·m + j). */
function depthwiseKernel(g: OnnxGraph, hint: string, data: Float32Array, shape: number[]): string {
  const [kh, kw, cin, mult] = shape as [number, number, number, number];
  const t = transposeData(data, shape, [2, 3, 0, 1]);
  return g.addFloats(hint, t.data, [cin * mult, 1, kh, kw]);
}

/** `DepthwiseConv2D`: a grouped Conv with one group per input channel. */
export const depthwiseConv2d: LayerConverter = (call, g) => {
  requireChannelsLast(call);
  const h = hintOf(call);
  const k = weight(call, 'depthwise_kernel');
  const cin = k.shape[2]!;
  const w = depthwiseKernel(g, `${h}/depthwise_kernel`, k.data, k.shape);
  const b = bias(call, g);
  const attrs = {
    kernel_shape: attr.ints(k.shape.slice(0, 2)),
    group: attr.int(cin),
    ...geometry(call, 2, k.shape.slice(0, 2)),
  };
  const y = channelsFirst(g, onlyInput(call), 4, h, (x) => g.op('Conv', [x, w, ...b], attrs, h));
  return [applyActivation(call, g, y)];
};

/** `SeparableConv2D`: the depthwise conv (with the layer's strides, padding and dilation), then a 1×1 conv with the bias. */
export const separableConv2d: LayerConverter = (call, g) => {
  requireChannelsLast(call);
  const h = hintOf(call);
  const dk = weight(call, 'depthwise_kernel');
  const pk = weight(call, 'pointwise_kernel');
  const dw = depthwiseKernel(g, `${h}/depthwise_kernel`, dk.data, dk.shape);
  const pw = convKernel(g, `${h}/pointwise_kernel`, pk.data, pk.shape);
  const b = bias(call, g);
  const depthAttrs = {
    kernel_shape: attr.ints(dk.shape.slice(0, 2)),
    group: attr.int(dk.shape[2]!),
    ...geometry(call, 2, dk.shape.slice(0, 2)),
  };
  const y = channelsFirst(g, onlyInput(call), 4, h, (x) => {
    const depth = g.op('Conv', [x, dw], depthAttrs, h);
    return g.op('Conv', [depth, pw, ...b], { kernel_shape: attr.ints([1, 1]) }, h);
  });
  return [applyActivation(call, g, y)];
};
