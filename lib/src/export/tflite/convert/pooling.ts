/**
 * Pooling: `MaxPooling2D`/`AveragePooling2D` as MAX_POOL_2D/AVERAGE_POOL_2D (the 1-D ones through a RESHAPE to
 * [batch, 1, steps, channels] and back), global pooling as MEAN/REDUCE_MAX over the spatial axes.
 */
import { check } from '../../convert/context.js';
import { perAxis, requireChannelsLast } from '../../convert/layout.js';
import type { TfliteGraph } from '../graph.js';
import { Op, opt, Padding } from '../options.js';
import { onlyTensor, outShape, reshapeTo, type TfliteCall, type TfliteConverter } from './context.js';

/** A 2-D pool of `x` (NHWC) with `pool` [h, w] and `strides` [h, w]. */
function pool2d(
  call: TfliteCall,
  g: TfliteGraph,
  code: Op,
  x: number,
  pool: number[],
  strides: number[],
  shape: (number | null)[],
): number {
  const padding = (call.config['padding'] as string | null | undefined) ?? 'valid';
  check(
    call,
    padding === 'same' || padding === 'valid',
    `padding ${JSON.stringify(padding)} is not supported (valid and same are)`,
  );
  const options = opt.pool2d({
    padding: padding === 'same' ? Padding.SAME : Padding.VALID,
    filterHeight: pool[0]!,
    filterWidth: pool[1]!,
    strideH: strides[0]!,
    strideW: strides[1]!,
  });
  return g.op(code, [x], shape, call.layer.name, options);
}

function pooling2d(code: Op): TfliteConverter {
  return (call, g) => {
    requireChannelsLast(call);
    const pool = perAxis(call.config['poolSize'], 2, 2);
    const strides = call.config['strides'] == null ? pool : perAxis(call.config['strides'], 2, 1);
    return [pool2d(call, g, code, onlyTensor(call), pool, strides, outShape(call))];
  };
}

function pooling1d(code: Op): TfliteConverter {
  return (call, g) => {
    const [batch, steps, channels] = call.inputShapes[0]! as [null, number | null, number];
    check(call, steps !== null, 'a free number of steps is not supported; give the input a fixed length');
    const out = outShape(call);
    const pool = perAxis(call.config['poolSize'], 1, 2);
    const strides = call.config['strides'] == null ? pool : perAxis(call.config['strides'], 1, 1);
    const x4 = reshapeTo(g, onlyTensor(call), [batch, 1, steps, channels], call.layer.name);
    const y4 = pool2d(call, g, code, x4, [1, pool[0]!], [1, strides[0]!], [batch, 1, out[1]!, channels]);
    return [reshapeTo(g, y4, out, call.layer.name)];
  };
}

function globalPooling(code: Op, spatialAxes: number[]): TfliteConverter {
  return (call, g) => {
    requireChannelsLast(call);
    check(call, call.config['keepDims'] !== true, 'keepDims is not supported; use keepDims: false');
    const axes = g.ints(`${call.layer.name}/axes`, spatialAxes);
    return [g.op(code, [onlyTensor(call), axes], outShape(call), call.layer.name, opt.reducer({ keepDims: false }))];
  };
}

/** `MaxPooling2D`. */
export const maxPooling2d = pooling2d(Op.MAX_POOL_2D);
/** `AveragePooling2D` (TFLite, like TensorFlow, leaves `same` padding out of each average). */
export const averagePooling2d = pooling2d(Op.AVERAGE_POOL_2D);
/** `MaxPooling1D`. */
export const maxPooling1d = pooling1d(Op.MAX_POOL_2D);
/** `AveragePooling1D`. */
export const averagePooling1d = pooling1d(Op.AVERAGE_POOL_2D);
/** `GlobalAveragePooling2D`. */
export const globalAveragePooling2d = globalPooling(Op.MEAN, [1, 2]);
/** `GlobalMaxPooling2D`. */
export const globalMaxPooling2d = globalPooling(Op.REDUCE_MAX, [1, 2]);
/** `GlobalAveragePooling1D`. */
export const globalAveragePooling1d = globalPooling(Op.MEAN, [1]);
/** `GlobalMaxPooling1D`. */
export const globalMaxPooling1d = globalPooling(Op.REDUCE_MAX, [1]);
