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

/** The last whole-heap view made, by heap buffer (a heap that grows gets a new buffer and detaches the old one). */
let words: Int32Array | undefined;

/**
 * The wasm backend's whole heap as 32-bit words, for `copyWithin` and `fill` at tensors' addresses (bytes / 4):
 * the bits are moved as they are, and no view is made per tensor or per row. Made again only after the heap grew.
 * Read it again after any allocation (a `makeOutput` or a kernel's output may grow the heap).
 */
export function heapWords(backend: tf.KernelBackend): Int32Array {
  const buffer = (backend as unknown as HeapBackend).wasm!.asm!.memory!.buffer;
  if (words?.buffer !== buffer) words = new Int32Array(buffer);
  return words;
}

/**
 * Whether the active backend is wasm and `tensor`'s values already lie on its heap (not on another backend, where
 * reading them through the wasm backend would first move them).
 */
export function onWasmHeap(tensor: tf.TensorInfo): boolean {
  return tf.getBackend() === 'wasm' && (tf.backend() as unknown as HeapBackend).dataIdMap.has(tensor.dataId);
}
