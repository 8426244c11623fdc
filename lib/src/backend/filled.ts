/**
 * Float32 tensors written in place: the caller fills the values straight into the memory the backend keeps them
 * in. On the wasm backend that is its heap, already touched and reused after a dispose, so a large tensor (tens of
 * megabytes of windows) costs neither a fresh JavaScript buffer (a page fault per 4 KB, the largest cost of a big
 * copy here) nor the copy of that buffer into the heap. Other backends adopt an ordinary Float32Array.
 */
import type * as TF from '@tensorflow/tfjs';
import { tfjs } from '../core/tfjs.js';

/** What `filledTensor` uses of the wasm backend: an uninitialized output on its heap and a view of it. */
type HeapBackend = {
  makeOutput(shape: number[], dtype: 'float32'): TF.TensorInfo;
  typedArrayFromHeap(info: TF.TensorInfo): Float32Array;
};

function heapBackend(backend: unknown): HeapBackend | null {
  const b = backend as Partial<HeapBackend> | null;
  return b && typeof b.makeOutput === 'function' && typeof b.typedArrayFromHeap === 'function'
    ? (b as HeapBackend)
    : null;
}

/**
 * Float32 tensors of the given shapes whose values `fill` writes, one view per tensor. `fill` must write every value
 * (the wasm heap is not zeroed) and must not run tensor operations (they may grow the heap and detach the views).
 * All tensors are allocated before any view is taken, for the same reason.
 */
export function filledTensors(shapes: number[][], fill: (values: Float32Array[]) => void): TF.Tensor[] {
  const tf = tfjs();
  const backend = tf.getBackend() === 'wasm' ? heapBackend(tf.backend()) : null;
  if (!backend) {
    const values = shapes.map((shape) => new Float32Array(shape.reduce((a, b) => a * b, 1)));
    fill(values);
    return values.map((v, i) => tf.tensor(v, shapes[i], 'float32'));
  }
  const infos = shapes.map((shape) => backend.makeOutput(shape, 'float32'));
  const tensors = infos.map((info) =>
    tf.engine().makeTensorFromTensorInfo(info, backend as unknown as TF.KernelBackend),
  );
  try {
    fill(infos.map((info) => backend.typedArrayFromHeap(info)));
  } catch (error) {
    tf.dispose(tensors);
    throw error;
  }
  return tensors;
}
