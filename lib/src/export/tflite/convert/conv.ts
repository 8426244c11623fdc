/**
 * Convolutions, written NHWC as TFLite defines them: `Conv2D` as CONV_2D (kernel [out, kh, kw, in]),
 * `DepthwiseConv2D` as DEPTHWISE_CONV_2D (kernel [1, kh, kw, in·multiplier], which is tfjs's [kh, kw, in, m] read
 * flat), `SeparableConv2D` as the depthwise op then a 1×1 CONV_2D. TensorFlow's `same`/`valid` padding is
 * TFLite's own, so no explicit pads are written.
 */
import { check, transposeData, weight } from '../../convert/context.js';
import { perAxis, requireChannelsLast } from '../../convert/layout.js';
import type { TfliteGraph } from '../graph.js';
import { ActivationFunctionType, Op, opt, Padding } from '../options.js';
import { withActivation } from './activations.js';
import { onlyTensor, outShape, type TfliteCall, type TfliteConverter } from './context.js';
import { biasOf } from './core.js';

/** Strides, dilations and padding of a 2-D conv call, as TFLite option fields. */
export function geometry(call: TfliteCall) {
  const [strideH, strideW] = perAxis(call.config['strides'], 2, 1) as [number, number];
  const [dilationHFactor, dilationWFactor] = perAxis(call.config['dilationRate'], 2, 1) as [number, number];
  const padding = (call.config['padding'] as string | null | undefined) ?? 'valid';
  check(
    call,
    padding === 'same' || padding === 'valid',
    `padding ${JSON.stringify(padding)} is not supported (valid and same are)`,
  );
  return {
    padding: padding === 'same' ? Padding.SAME : Padding.VALID,
    strideH,
    strideW,
    dilationHFactor,
    dilationWFactor,
  };
}

/** A [kh, kw, in, out] tfjs kernel as TFLite's [out, kh, kw, in] constant. */
function convKernel(g: TfliteGraph, hint: string, data: Float32Array, shape: number[]): number {
  const t = transposeData(data, shape, [3, 0, 1, 2]);
  return g.floats(hint, t.data, t.shape);
}

/** `Conv2D`. */
export const conv2d: TfliteConverter = (call, g) => {
  requireChannelsLast(call);
  const h = call.layer.name;
  const k = weight(call, 'kernel');
  const kernel = convKernel(g, `${h}/kernel`, k.data, k.shape);
  const bias = biasOf(call, g, k.shape[3]!);
  const geo = geometry(call);
  return [
    withActivation(call, g, (fused) =>
      g.op(
        Op.CONV_2D,
        [onlyTensor(call), kernel, bias],
        outShape(call),
        h,
        opt.conv2d({ ...geo, fusedActivationFunction: fused }),
      ),
    ),
  ];
};

/** A DEPTHWISE_CONV_2D of `x` with a tfjs depthwise kernel [kh, kw, in, m]. */
function depthwise(
  call: TfliteCall,
  g: TfliteGraph,
  x: number,
  shape: (number | null)[],
  bias: number,
  fused: ActivationFunctionType,
): number {
  const k = weight(call, 'depthwise_kernel');
  const [kh, kw, cin, mult] = k.shape as [number, number, number, number];
  const kernel = g.floats(`${call.layer.name}/depthwise_kernel`, k.data, [1, kh, kw, cin * mult]);
  return g.op(
    Op.DEPTHWISE_CONV_2D,
    [x, kernel, bias],
    shape,
    call.layer.name,
    opt.depthwiseConv2d({ ...geometry(call), depthMultiplier: mult, fusedActivationFunction: fused }),
  );
}

/** `DepthwiseConv2D`. */
export const depthwiseConv2d: TfliteConverter = (call, g) => {
  requireChannelsLast(call);
  const k = weight(call, 'depthwise_kernel');
  const bias = biasOf(call, g, k.shape[2]! * k.shape[3]!);
  return [withActivation(call, g, (fused) => depthwise(call, g, onlyTensor(call), outShape(call), bias, fused))];
};

/** `SeparableConv2D`: the depthwise op with the layer's geometry (zero bias), then a 1×1 CONV_2D with the bias. */
export const separableConv2d: TfliteConverter = (call, g) => {
  requireChannelsLast(call);
  const h = call.layer.name;
  const dk = weight(call, 'depthwise_kernel');
  const pk = weight(call, 'pointwise_kernel');
  const channels = dk.shape[2]! * dk.shape[3]!;
  const out = outShape(call);
  const mid = g.floats(`${h}/depthwise_bias`, new Float32Array(channels));
  const depth = depthwise(call, g, onlyTensor(call), [...out.slice(0, 3), channels], mid, ActivationFunctionType.NONE);
  const pointwise = convKernel(g, `${h}/pointwise_kernel`, pk.data, pk.shape);
  const bias = biasOf(call, g, pk.shape[3]!);
  const pointOpts = { padding: Padding.VALID, strideH: 1, strideW: 1, dilationHFactor: 1, dilationWFactor: 1 };
  return [
    withActivation(call, g, (fused) =>
      g.op(Op.CONV_2D, [depth, pointwise, bias], out, h, opt.conv2d({ ...pointOpts, fusedActivationFunction: fused })),
    ),
  ];
};
