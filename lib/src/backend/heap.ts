import * as tf from '@tensorflow/tfjs';
import { isWasmMemory, simdLoops, type SimdLoops, type WasmMemory } from './simd.js';

/**
 * The parts of the wasm backend that Lepton's kernels written in JavaScript use: tensors lie on its heap, and these
 * read, allocate and count them there. (tfjs-backend-wasm does not type them publicly.)
 */
export type HeapBackend = {
  makeOutput(shape: number[], dtype: string): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array | Int32Array;
  readSync(id: object): ArrayLike<number>;
  refCount(id: object): number;
  /** Absent on the other backends, which `loopsOf` and `firstNaN` are also handed. */
  wasm?: { asm?: { memory?: WasmMemory } };
  /** `get` of a tensor held by another backend moves it here first; `has` only asks. */
  dataIdMap: { get(id: object): { memoryOffset: number } | undefined; has(id: object): boolean };
};

/** The SIMD loops on this backend's heap, or null (no SIMD, or a wasm build that hides its memory). */
export function loopsOf(backend: tf.KernelBackend): SimdLoops | null {
  const memory = (backend as unknown as HeapBackend).wasm?.asm?.memory;
  return isWasmMemory(memory) ? simdLoops(memory) : null;
}

/** Where a tensor's values start on the wasm heap, in bytes. */
export function address(backend: tf.KernelBackend, info: tf.TensorInfo): number {
  return (backend as unknown as HeapBackend).dataIdMap.get(info.dataId)!.memoryOffset;
}

/**
 * The whole-heap view last made for each heap, kept by its memory weakly (a removed backend's heap is not held);
 * made again when the heap grew (a new buffer, the old one detached).
 */
const wordViews = new WeakMap<WasmMemory, Int32Array>();

/**
 * The wasm backend's whole heap as 32-bit words, for `copyWithin` and `fill` at tensors' addresses (bytes / 4):
 * the bits are moved as they are, and no view is made per tensor or per row. Made again only after the heap grew.
 * Read it again after any allocation (a `makeOutput` or a kernel's output may grow the heap).
 */
export function heapWords(backend: tf.KernelBackend): Int32Array {
  const memory = (backend as unknown as HeapBackend).wasm!.asm!.memory!;
  let words = wordViews.get(memory);
  if (words?.buffer !== memory.buffer) {
    words = new Int32Array(memory.buffer);
    wordViews.set(memory, words);
  }
  return words;
}

/**
 * Whether the active backend is wasm and `tensor`'s values already lie on its heap (not on another backend, where
 * reading them through the wasm backend would first move them).
 */
export function onWasmHeap(tensor: tf.TensorInfo): boolean {
  return tf.getBackend() === 'wasm' && (tf.backend() as unknown as HeapBackend).dataIdMap.has(tensor.dataId);
}
