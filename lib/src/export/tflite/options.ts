/**
 * Builtin options tables by name, built from the generated object API (`Conv2DOptionsT`, …) with named fields, so a
 * converter reads `opt.conv2d({ padding, strideW, … })` instead of positional constructor arguments.
 */
import { ActivationFunctionType } from './generated/schema/tflite/activation-function-type.js';
import { BuiltinOptions } from './generated/schema/tflite/builtin-options.js';
import { AddOptionsT } from './generated/schema/tflite/add-options.js';
import { BatchMatMulOptionsT } from './generated/schema/tflite/batch-mat-mul-options.js';
import { ConcatenationOptionsT } from './generated/schema/tflite/concatenation-options.js';
import { Conv2DOptionsT } from './generated/schema/tflite/conv2doptions.js';
import { DepthwiseConv2DOptionsT } from './generated/schema/tflite/depthwise-conv2doptions.js';
import { FullyConnectedOptionsT } from './generated/schema/tflite/fully-connected-options.js';
import { GatherOptionsT } from './generated/schema/tflite/gather-options.js';
import { GeluOptionsT } from './generated/schema/tflite/gelu-options.js';
import { LeakyReluOptionsT } from './generated/schema/tflite/leaky-relu-options.js';
import { MulOptionsT } from './generated/schema/tflite/mul-options.js';
import { PackOptionsT } from './generated/schema/tflite/pack-options.js';
import { Pool2DOptionsT } from './generated/schema/tflite/pool2doptions.js';
import { ReducerOptionsT } from './generated/schema/tflite/reducer-options.js';
import { ReshapeOptionsT } from './generated/schema/tflite/reshape-options.js';
import { SoftmaxOptionsT } from './generated/schema/tflite/softmax-options.js';
import { SplitOptionsT } from './generated/schema/tflite/split-options.js';
import { SubOptionsT } from './generated/schema/tflite/sub-options.js';
import { TransposeOptionsT } from './generated/schema/tflite/transpose-options.js';
import { UnpackOptionsT } from './generated/schema/tflite/unpack-options.js';
import { CastOptionsT } from './generated/schema/tflite/cast-options.js';
import { TensorType } from './generated/schema/tflite/tensor-type.js';
import type { OpOptions, OptionsTable } from './graph.js';

export { ActivationFunctionType } from './generated/schema/tflite/activation-function-type.js';
export { Padding } from './generated/schema/tflite/padding.js';
export { BuiltinOperator as Op } from './generated/schema/tflite/builtin-operator.js';

/** The writable fields of a generated options class (its methods left out). */
type Fields<T> = Partial<{ [K in keyof T as T[K] extends (...args: never[]) => unknown ? never : K]: T[K] }>;

function table<T extends OptionsTable>(type: BuiltinOptions, make: new () => T) {
  return (fields: Fields<T> = {}): OpOptions => ({ type, table: Object.assign(new make(), fields) });
}

/** Option builders for the ops Lepton writes. */
export const opt = {
  conv2d: table(BuiltinOptions.Conv2DOptions, Conv2DOptionsT),
  depthwiseConv2d: table(BuiltinOptions.DepthwiseConv2DOptions, DepthwiseConv2DOptionsT),
  pool2d: table(BuiltinOptions.Pool2DOptions, Pool2DOptionsT),
  fullyConnected: table(BuiltinOptions.FullyConnectedOptions, FullyConnectedOptionsT),
  reshape: table(BuiltinOptions.ReshapeOptions, ReshapeOptionsT),
  concatenation: table(BuiltinOptions.ConcatenationOptions, ConcatenationOptionsT),
  add: table(BuiltinOptions.AddOptions, AddOptionsT),
  sub: table(BuiltinOptions.SubOptions, SubOptionsT),
  mul: table(BuiltinOptions.MulOptions, MulOptionsT),
  softmax: table(BuiltinOptions.SoftmaxOptions, SoftmaxOptionsT),
  reducer: table(BuiltinOptions.ReducerOptions, ReducerOptionsT),
  gather: table(BuiltinOptions.GatherOptions, GatherOptionsT),
  split: table(BuiltinOptions.SplitOptions, SplitOptionsT),
  unpack: table(BuiltinOptions.UnpackOptions, UnpackOptionsT),
  pack: table(BuiltinOptions.PackOptions, PackOptionsT),
  leakyRelu: table(BuiltinOptions.LeakyReluOptions, LeakyReluOptionsT),
  gelu: table(BuiltinOptions.GeluOptions, GeluOptionsT),
  cast: table(BuiltinOptions.CastOptions, CastOptionsT),
  batchMatmul: table(BuiltinOptions.BatchMatMulOptions, BatchMatMulOptionsT),
  transpose: table(BuiltinOptions.TransposeOptions, TransposeOptionsT),
};

/** The fused activation named by a tfjs identifier, when TFLite can fuse it into the op before it. */
export function fusedActivation(identifier: unknown): ActivationFunctionType | undefined {
  if (identifier === undefined || identifier === null || identifier === 'linear') return ActivationFunctionType.NONE;
  if (identifier === 'relu') return ActivationFunctionType.RELU;
  if (identifier === 'relu6') return ActivationFunctionType.RELU6;
  return undefined;
}

export { TensorType };
