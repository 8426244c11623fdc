import * as tf from '@tensorflow/tfjs';
import { loopsOf, type HeapBackend } from './heap.js';

/**
 * The index of the first NaN in `values`, or -1. A view on the wasm backend's heap (a tensor being filled, see
 * `filled.ts`) is first checked by one SIMD pass (`anyNaN` in `simd.ts`), several times faster than a JavaScript loop
 * over wasm memory; only when it finds one does JavaScript look for where.
 * @param values float32 values, anywhere
 */
export function firstNaN(values: Float32Array): number {
  const loops = tf.getBackend() === 'wasm' ? loopsOf(tf.backend()) : null;
  const memory = (tf.backend() as unknown as HeapBackend).wasm?.asm?.memory;
  if (loops && memory && values.buffer === memory.buffer) {
    const whole = values.length & ~3;
    let clean = loops.anyNaN(values.byteOffset, whole * 4) === 0;
    for (let i = whole; i < values.length && clean; i++) clean = values[i] === values[i];
    if (clean) return -1;
  }
  for (let i = 0; i < values.length; i++) if (values[i] !== values[i]) return i;
  return -1;
}
