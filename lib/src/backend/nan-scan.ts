import * as tf from '@tensorflow/tfjs';
import { address, loopsOf, onWasmHeap, type HeapBackend } from './heap.js';

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

/**
 * Whether every value of a float32 tensor lying on the wasm heap is finite, by one SIMD pass where it lies
 * (`anyNonFinite` in `simd.ts`); undefined when that cannot be told here (another backend or dtype, no SIMD), so the
 * caller asks tfjs. Why: `lepton.fit` checks its whole training set before every run, and tfjs's `isFinite`,
 * `logicalNot` and the read-back of a flag per value cost ~25 ms for 2,048 MNIST images, 3–4% of a short run.
 * @param t any tensor
 */
export function allFinite(t: tf.Tensor): boolean | undefined {
  if (t.dtype !== 'float32' || !onWasmHeap(t)) return undefined;
  const backend = tf.backend();
  const loops = loopsOf(backend);
  if (!loops) return undefined;
  const whole = t.size & ~3;
  if (loops.anyNonFinite(address(backend, t), whole * 4) !== 0) return false;
  const values = (backend as unknown as HeapBackend).typedArrayFromHeap(t);
  for (let i = whole; i < t.size; i++) if (!Number.isFinite(values[i])) return false;
  return true;
}
