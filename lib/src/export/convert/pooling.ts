/**
 * Pooling: `MaxPooling1D/2D` and `AveragePooling1D/2D` (ONNX MaxPool/AveragePool, channels first, padded cells
 * excluded from averages as in TensorFlow), and the global pools as reductions over the spatial axes.
 */
import { attr } from '../../onnx/graph.js';
import { check, hintOf, onlyInput, type LayerConverter } from './context.js';
import { channelsFirst, padAttrs, perAxis, requireChannelsLast } from './layout.js';

/** A windowed pool with `spatial` axes. */
function pool(opType: 'MaxPool' | 'AveragePool', spatial: number): LayerConverter {
  return (call, g) => {
    requireChannelsLast(call);
    const h = hintOf(call);
    const kernel = perAxis(call.config['poolSize'], spatial, 2);
    const strides = perAxis(call.config['strides'] ?? kernel, spatial, 1);
    const sizes = call.inputShapes[0]!.slice(1, 1 + spatial);
    const ones = new Array<number>(spatial).fill(1);
    const attrs = {
      kernel_shape: attr.ints(kernel),
      strides: attr.ints(strides),
      ...padAttrs(call, (call.config['padding'] as string | null | undefined) ?? 'valid', sizes, kernel, strides, ones),
      ...(opType === 'AveragePool' ? { count_include_pad: attr.int(0) } : {}),
    };
    return [channelsFirst(g, onlyInput(call), spatial + 2, h, (x) => g.op(opType, [x], attrs, h))];
  };
}

/** A global pool: a reduction over axes 1..spatial, dropping them unless `keepDims`. */
function globalPool(opType: 'ReduceMean' | 'ReduceMax', spatial: number): LayerConverter {
  return (call, g) => {
    requireChannelsLast(call);
    check(call, call.config['keepDims'] !== true, 'keepDims is not supported');
    const axes = Array.from({ length: spatial }, (_, i) => i + 1);
    return [g.op(opType, [onlyInput(call)], { axes: attr.ints(axes), keepdims: attr.int(0) }, hintOf(call))];
  };
}

/** `MaxPooling1D`. */
export const maxPooling1d = pool('MaxPool', 1);
/** `MaxPooling2D`. */
export const maxPooling2d = pool('MaxPool', 2);
/** `AveragePooling1D`. */
export const averagePooling1d = pool('AveragePool', 1);
/** `AveragePooling2D`. */
export const averagePooling2d = pool('AveragePool', 2);
/** `GlobalAveragePooling1D`. */
export const globalAveragePooling1d = globalPool('ReduceMean', 1);
/** `GlobalAveragePooling2D`. */
export const globalAveragePooling2d = globalPool('ReduceMean', 2);
/** `GlobalMaxPooling1D`. */
export const globalMaxPooling1d = globalPool('ReduceMax', 1);
/** `GlobalMaxPooling2D`. */
export const globalMaxPooling2d = globalPool('ReduceMax', 2);
