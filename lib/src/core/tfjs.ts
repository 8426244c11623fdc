/**
 * TensorFlow.js, loaded on first use: modules that only sometimes need tensors keep it out of their imports, so
 * loading a DataFrame does not load TensorFlow.js. It is the same module instance the kernel preloads as `tf`.
 */
import { createRequire } from 'node:module';
import type * as TF from '@tensorflow/tfjs';

const require = createRequire(import.meta.url);
let loaded: typeof TF | undefined;

/** The TensorFlow.js module (loaded on the first call). */
export function tfjs(): typeof TF {
  return (loaded ??= require('@tensorflow/tfjs') as typeof TF);
}

/** Whether `value` is a TensorFlow.js tensor (checked without loading TensorFlow.js). */
export function isTensor(value: unknown): value is TF.Tensor {
  return (
    typeof value === 'object' &&
    value !== null &&
    Array.isArray((value as TF.Tensor).shape) &&
    typeof (value as TF.Tensor).dataSync === 'function' &&
    typeof (value as TF.Tensor).dtype === 'string'
  );
}
